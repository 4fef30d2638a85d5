#!/usr/bin/env bash
# Pipelined (dataflow) NPUs from the command line: runs, reports, pinned allocations and the
# errors of bad input.
set -u
: "${NPUSIM:?path of the npusim binary}" "${NPUSIM_TEST_DATA_DIR:?}"
source "$(dirname "$0")/check.sh"
td=$(mktemp -d); trap 'rm -rf "$td"' EXIT

check df-run 0 'bottleneck: stage [0-9]+ .* cycles per frame' -- "$NPUSIM" run --arch dataflow-16x8x8 --net resnet18 --frames 2 --out "$td/a"
check df-run-quiet 0 '' -- "$NPUSIM" run --arch dataflow-16x8x8 --net resnet18 --frames 2 --out "$td/a" --quiet
check df-report 0 'report ok' -- python3 -c 'import json,sys
r = json.load(open(sys.argv[1]))
assert r["schema"] == "npusim-report/3" and r["execution"] == "pipelined", r["schema"]
assert r["checks"]["passed"], r["checks"]
p = r["pipeline"]
assert p["frames"] == 2 and p["cores"] == 16 and p["contexts"] >= 1
assert p["bottleneck"]["layers"] and 0 < p["balance"] <= 1
assert r["totals"]["fps"] > 0 and r["totals"]["latency_ns"] > 0
assert sum(s["macs"] for s in p["stages"]) == r["totals"]["macs"]
print("report ok")' "$td/a/report.json"
# Byte-identical reruns (same command, same folder).
cp "$td/a/report.json" "$td/first.json"
"$NPUSIM" run --arch dataflow-16x8x8 --net resnet18 --frames 2 --out "$td/a" --quiet
check df-deterministic 0 '' -- cmp "$td/first.json" "$td/a/report.json"
check df-host-link 0 'off-chip \(host_link\)' -- "$NPUSIM" run --arch dataflow-hailo8 --net mobilenet_v2 --frames 3 --out "$td/h"
check df-timeline 0 'cores ok' -- bash -c "'$NPUSIM' run --arch dataflow-16x8x8 --net mobilenet_v2 --frames 2 --out '$td/t' --quiet --trace timeline && python3 -c 'import json,sys
ev = json.load(open(sys.argv[1]))[\"traceEvents\"]
cores = {e[\"tid\"] for e in ev if e.get(\"ph\") == \"X\" and e[\"pid\"] == 3}
assert len(cores) == 16, cores
print(\"cores ok\")' '$td/t/trace/timeline.json'"
# The plan, and the plan fed back as a pinned allocation.
check df-map 0 'context 0: [0-9]+ layers' -- "$NPUSIM" map --arch dataflow-hailo8 --net mobilenet_v2
"$NPUSIM" map --arch dataflow-hailo8 --net mobilenet_v2 --set pipeline.contexts=true --out "$td/plan" >/dev/null
check df-map-json 0 'npusim-pipeline-plan/1' -- cat "$td/plan/schedule.json"
check df-pinned 0 'checks passed' -- "$NPUSIM" run --arch dataflow-hailo8 --net mobilenet_v2 --frames 2 --schedule "$td/plan/schedule.json" --out "$td/p"
python3 - "$td/plan/schedule.json" "$td" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
first = s["pipeline"]["stages"][0]["layers"][0]
bad = dict(s); bad["pipeline"] = {"stages": [{"layers": [first, "no_such_layer"], "cores": 1}]}
json.dump(bad, open(sys.argv[2] + "/unknown.json", "w"))
many = dict(s); many["pipeline"] = {"stages": [dict(st, cores=40) for st in s["pipeline"]["stages"]]}
json.dump(many, open(sys.argv[2] + "/many.json", "w"))
PY
check df-pinned-unknown 2 "no computing layer named 'no_such_layer'" -- "$NPUSIM" run --arch dataflow-hailo8 --net mobilenet_v2 --schedule "$td/unknown.json" --out "$td/x"
check df-pinned-cores 2 "pipeline.stages\[1\].cores: 80 cores in all, the architecture has 64" -- "$NPUSIM" run --arch dataflow-hailo8 --net mobilenet_v2 --schedule "$td/many.json" --out "$td/x"
# Bad input: one line, exit 2.
check df-no-contexts 2 "does not fit on 16 cores without contexts .*layer '" -- "$NPUSIM" run --arch dataflow-16x8x8 --net hardnet68 --set pipeline.contexts=false --out "$td/x"
check df-bad-cores 2 "field 'cores.count': expected an integer in \[1, 1024\], got 0" -- "$NPUSIM" run --arch dataflow-16x8x8 --set cores.count=0 --out "$td/x"
check df-bad-topology 2 "field 'noc.topology': expected mesh or ring, got 'torus'" -- "$NPUSIM" map --arch dataflow-16x8x8 --set noc.topology=torus
check df-bad-link 2 "field 'offchip.link_gbytes_per_s'" -- "$NPUSIM" map --arch dataflow-hailo8 --set offchip.link_gbytes_per_s=0
check df-frames-sequential 2 "--frames is for pipelined architectures" -- "$NPUSIM" run --frames 3 --out "$td/x"
check df-batch-pipelined 2 "takes --frames" -- "$NPUSIM" run --arch dataflow-16x8x8 --batch 2 --out "$td/x"
check df-sections-sequential 2 "field 'cores': only a pipelined NPU has this section" -- "$NPUSIM" map --set cores.count=4
check df-execution-needs-cores 2 "field 'cores': expected an object" -- "$NPUSIM" map --set execution=pipelined
check df-bad-frames 2 "--frames" -- "$NPUSIM" run --arch dataflow-16x8x8 --frames 0 --out "$td/x"
check df-tokens 2 "layer 'embed' \(a transformer's token layer\) is not supported on a pipelined NPU" -- "$NPUSIM" map --arch dataflow-hailo8 --net "$NPUSIM_TEST_DATA_DIR/tiny_vit.json"
check df-matmul 2 "layer 'scores' \(matmul of two activations\) is not supported on a pipelined NPU" -- "$NPUSIM" run --arch dataflow-16x8x8 --net "$NPUSIM_TEST_DATA_DIR/tiny_attention.json" --out "$td/x"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
