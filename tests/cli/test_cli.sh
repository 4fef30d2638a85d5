#!/usr/bin/env bash
# End-to-end checks of the npusim command line: outputs and exit codes of the real binary.
set -u
: "${NPUSIM:?path of the npusim binary}" "${NPUSIM_TEST_DATA_DIR:?}"
source "$(dirname "$0")/check.sh"
check list 0 'hardnet68 .*224x224' -- "$NPUSIM" list
check info-hardnet 0 'hardnet68: .* 17565348 parameters, 4246114304 MACs' -- "$NPUSIM" info --net hardnet68
check info-json 0 '"cio": 11468940' -- "$NPUSIM" info --net hardnet68 --json
check info-file 0 'tiny_residual: 11 layers' -- "$NPUSIM" info --net "$NPUSIM_TEST_DATA_DIR/tiny_residual.json"
check unknown-net 2 "unknown network 'nosuchnet'" -- "$NPUSIM" info --net nosuchnet
check small-input 2 "at input 16x16: layer" -- "$NPUSIM" info --net hardnet68 --input 16
check bad-input-flag 2 "--input expects N or HxW, each in \[1, 16384\], got 'abc'" -- "$NPUSIM" info --net resnet50 --input abc
check bad-input-hxw 2 "--input expects N or HxW" -- "$NPUSIM" info --net resnet50 --input 224x
check input-hxw 0 "fc_densenet103: 217 layers, 9322091 parameters, 69074699520 MACs" -- "$NPUSIM" info --net fc_densenet103 --input 360x480
check input-hxw-square-only 2 "network 'resnet18': --input 200x300: this zoo network is built square only" -- "$NPUSIM" info --net resnet18 --input 200x300
check missing-file 2 "cannot open" -- "$NPUSIM" info --net /no/such/file.json
check unknown-flag 2 "unknown option --frobnicate" -- "$NPUSIM" info --frobnicate
check unknown-command 2 "unknown command" -- "$NPUSIM" fly
check version 0 '^npusim [0-9]+\.[0-9]+\.[0-9]+ \(git commit ([0-9a-f]{40}(-dirty)?|unknown)\)$' -- "$NPUSIM" --version
check help 0 'compare A B' -- "$NPUSIM" help
check help-command 0 'usage: npusim map' -- "$NPUSIM" help map
check help-every-option 0 "help ok" -- python3 "$NPUSIM_TEST_DATA_DIR/../cli/check_help.py" "$NPUSIM" "$NPUSIM_TEST_DATA_DIR/../.."
check config-set 0 '"rows": 64' -- "$NPUSIM" config --arch tiny-8x8 --set pe.rows=64
check config-full 0 '"nRCD"' -- "$NPUSIM" config --full
# info --json can be fed back as a network file
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$NPUSIM" info --net csppeleenet --json >"$tmp/net.json"
check json-roundtrip 0 'csppeleenet: .* 2454056 parameters, 446743552 MACs' -- "$NPUSIM" info --net "$tmp/net.json"
# npusim dram: the DRAM model alone
check bad-pe-timing 2 "field 'pe.timing': expected native or scalesim, got 'fast'" -- "$NPUSIM" map --net hardnet68 --set pe.timing=fast
check bad-os-drain 2 "field 'pe.os_drain': expected overlapped or serial, got 'never'" -- "$NPUSIM" map --net hardnet68 --set pe.os_drain=never
check dram-pattern 0 'bandwidth .*GB/s of 19.20 GB/s peak' -- "$NPUSIM" dram --pattern seq-read --requests 20000
check dram-json 0 '"row_hit_rate"' -- "$NPUSIM" dram --standard HBM2 --pattern rand-read --requests 5000 --json
check dram-check-timing 0 'timing check: [0-9]+ commands, 0 violations' -- "$NPUSIM" dram --standard LPDDR4-3200 --pattern mix --requests 20000 --check-timing
check dram-dramsim3 0 'DRAM DDR4-2400: 3 requests \(2 reads, 1 writes\)' -- "$NPUSIM" dram --replay "$NPUSIM_TEST_DATA_DIR/dramsim3_small.trace"
check dram-ramulator 0 '4 requests \(3 reads, 1 writes\)' -- "$NPUSIM" dram --replay "$NPUSIM_TEST_DATA_DIR/ramulator_small.trace" --format ramulator
check dram-bad-line 2 "bad_address.trace:2: field 'address': expected a hex" -- "$NPUSIM" dram --replay "$NPUSIM_TEST_DATA_DIR/bad_address.trace"
check dram-missing-trace 2 "no_such.trace: cannot open" -- "$NPUSIM" dram --replay /tmp/no_such.trace
check dram-trace-deprecated 0 'deprecated here, use --replay FILE' -- "$NPUSIM" dram --trace "$NPUSIM_TEST_DATA_DIR/dramsim3_small.trace"
check dram-unknown-standard 2 "unknown DRAM standard 'DDR9'" -- "$NPUSIM" dram --standard DDR9
check dram-bad-pattern 2 "unknown pattern 'zigzag'" -- "$NPUSIM" dram --pattern zigzag
check dram-beyond-capacity 2 "beyond the 1024 MiB" -- "$NPUSIM" dram --standard LPDDR4-3200 --replay "$NPUSIM_TEST_DATA_DIR/far_address.trace"
tmpd=$(mktemp -d)
sed 's/"nRC": 55/"nRC": 40/' "$(dirname "$0")/../../configs/dram/DDR4-2400.json" >"$tmpd/bad.json"
check dram-bad-preset 2 "bad.json: field 'timing.nRC': expected >= nRAS \+ nRP = 55 \(got 40\)" -- "$NPUSIM" dram --spec "$tmpd/bad.json"
rm -rf "$tmpd"
# npusim map and run: the end-to-end job on a small network and the tiny architecture
tiny=("--net" "$NPUSIM_TEST_DATA_DIR/tiny_residual.json" "--arch" "tiny-8x8")
rd=$(mktemp -d)
check map-table 0 'planned DRAM traffic: [0-9]+ bytes read' -- "$NPUSIM" map "${tiny[@]}"
check map-out 0 '"schema": "npusim-schedule/1"' -- "$NPUSIM" map "${tiny[@]}" --json --out "$rd/sched.json"
check map-out-deprecated 0 'out FILE.json is deprecated' -- "$NPUSIM" map "${tiny[@]}" --out "$rd/sched2.json"
check map-out-dir 0 '"schema": "npusim-schedule/1"' -- bash -c "'$NPUSIM' map ${tiny[*]} --out '$rd/mapdir' && grep -m1 schema '$rd/mapdir/schedule.json'"
check run-tiny 0 'checks passed' -- "$NPUSIM" run "${tiny[@]}" --out "$rd/a"
check run-again 0 'report written to' -- "$NPUSIM" run "${tiny[@]}" --out "$rd/b"
# Attention's products of two activations run end to end (the conservation checks cover the
# right operand's reads) with the MACs counted by hand: qkv 10x96x32, 2 x 4 heads x 10x10x8, proj 10x32x32.
check run-vit 0 'checks passed' -- "$NPUSIM" run --net "$NPUSIM_TEST_DATA_DIR/tiny_vit.json" --arch edge-16x16 --reuse liveness --out "$rd/vit"
check run-attention 0 'macs 47360 ok' -- bash -c "'$NPUSIM' run --net '$NPUSIM_TEST_DATA_DIR/tiny_attention.json' --arch tiny-8x8 --out '$rd/att' --quiet && python3 -c 'import json,sys; m = json.load(open(sys.argv[1]))[\"totals\"][\"macs\"]; print(\"macs\", m, \"ok\" if m == 10*96*32 + 2*4*10*10*8 + 10*32*32 else \"WRONG\")' '$rd/att/report.json'"
# Reports of the same inputs are identical but for the command line they record (--out).
same_report() {
  python3 -c 'import json,sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
for r in (a, b): del r["provenance"]["command_line"]
sys.exit(0 if a == b else 1)' "$1" "$2"
}
check run-deterministic 0 '' -- same_report "$rd/a/report.json" "$rd/b/report.json"
check run-provenance 0 'provenance ok' -- python3 -c 'import json,sys,hashlib
r = json.load(open(sys.argv[1])); p = r["provenance"]; n = p["network"]
assert p["npusim_version"] and len(p["git_commit"]) >= 40 or p["git_commit"] == "unknown", p
assert "--out" in p["command_line"], p["command_line"]
assert n["source"] == "file" and n["sha256"] == hashlib.sha256(open(n["path"], "rb").read()).hexdigest(), n
c = p["effective_config"]
assert c["arch"]["pe"]["rows"] == 8 and c["dram"]["timing"]["nRCD"] > 0 and c["dram"]["organization"]["channels"] == 1
assert c["energy_prices"]["mac_pj"] > 0 and c["dram"]["energy_per_event_pj"]["read"] > 0
print("provenance ok")' "$rd/a/report.json"
check run-csv-rows 0 '^9$' -- bash -c "wc -l <'$rd/a/layers.csv'"
check run-csv-units 0 'units ok' -- python3 -c 'import csv,json,sys
cols = next(csv.reader(open(sys.argv[1])))
units = json.load(open(sys.argv[2]))["units"]
assert list(units) == cols and all(units.values()), set(cols) ^ set(units)
assert {"out_c", "kernel", "tiling_tk", "tiling_order"} <= set(cols) and units["cycles"] == "PE-clock cycles"
print("units ok")' "$rd/a/layers.csv" "$rd/a/layers.units.json"
# A schedule written by map and read back by run gives the same simulation.
check run-schedule 0 'checks passed' -- "$NPUSIM" run "${tiny[@]}" --schedule "$rd/sched.json" --out "$rd/c"
check run-schedule-same 0 '' -- same_report "$rd/a/report.json" "$rd/c/report.json"
# npusim config's output, given back as --arch, runs the same architecture: the same report
"$NPUSIM" config --arch tiny-8x8 >"$rd/tiny.json"
check config-roundtrip 0 'within tolerance' -- bash -c "'$NPUSIM' run --net '$NPUSIM_TEST_DATA_DIR/tiny_residual.json' --arch '$rd/tiny.json' --quiet --out '$rd/cfg' && '$NPUSIM' compare '$rd/a' '$rd/cfg'"
# npusim compare: equal runs within tolerance; another SRAM size differs, beyond 0 but
# within a loose tolerance; a golden-style subset compares only what it holds
check compare-same 0 'within tolerance' -- "$NPUSIM" compare "$rd/a" "$rd/b"
"$NPUSIM" run "${tiny[@]}" --set sram.global_kib=32 --quiet --out "$rd/small" >/dev/null
check compare-differs 1 '[1-9][0-9]* beyond the tolerance 0: DIFFERENT' -- "$NPUSIM" compare "$rd/a" "$rd/small"
check compare-tolerance 0 'within tolerance' -- "$NPUSIM" compare "$rd/a" "$rd/small" --tolerance 100
check compare-json 1 '"within": false' -- "$NPUSIM" compare "$rd/a/report.json" "$rd/small/report.json" --json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); l=r["layers"][0]; json.dump({"totals": {"cycles": r["totals"]["cycles"]}, "layers": [{"name": l["name"], "cycles": l["cycles"]}, {"name": "no-such-layer", "cycles": 1}]}, open(sys.argv[2], "w"))' "$rd/a/report.json" "$rd/subset.json"
check compare-missing-layer 1 'missing in B: layer no-such-layer' -- "$NPUSIM" compare "$rd/subset.json" "$rd/a"
check compare-bad-input 2 "no-such: no such file or folder" -- "$NPUSIM" compare "$rd/a" "$rd/no-such"
check compare-not-a-report 2 "expected a report" -- "$NPUSIM" compare "$rd/a" "$rd/a/run-info.json"
check compare-bad-tolerance 2 "--tolerance 'x': expected a number" -- "$NPUSIM" compare "$rd/a" "$rd/b" --tolerance x
check run-json 0 'schema ok' -- bash -c "'$NPUSIM' run ${tiny[*]} --json --quiet --out '$rd/d' | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r[\"schema\"] == \"npusim-report/3\" and r[\"checks\"][\"passed\"], r[\"checks\"]
for k in (\"cycles\", \"time_ns\", \"macs\", \"pe_utilization\", \"dram_read_bytes\", \"dram_write_bytes\", \"cio\", \"energy_pj\", \"fps\"):
    assert k in r[\"totals\"], k
for l in r[\"layers\"]:
    for k in (\"name\", \"type\", \"cycles\", \"compute_cycles\", \"stall_cycles\", \"macs\", \"pe_utilization\", \"dram_read_bytes\", \"dram_write_bytes\", \"cio\", \"energy_pj\"):
        assert k in l, k
    assert l[\"cycles\"] == l[\"compute_cycles\"] + l[\"stall_cycles\"]
    assert l[\"cycles\"] >= l[\"roofline_cycles\"]
assert r[\"totals\"][\"cycles\"] == sum(l[\"cycles\"] for l in r[\"layers\"])
assert r[\"totals\"][\"macs\"] == 213232, r[\"totals\"][\"macs\"]
close = lambda a, b: abs(a - b) <= 1e-9 * max(1.0, abs(b))
for rec in [r[\"totals\"]] + r[\"layers\"]:
    assert close(sum(rec[\"energy_breakdown_pj\"].values()), rec[\"energy_pj\"]), rec[\"energy_breakdown_pj\"]
assert close(sum(l[\"energy_pj\"] for l in r[\"layers\"]), r[\"totals\"][\"energy_pj\"])
print(\"schema ok\")'"
# Every --json output names its schema and carries the provenance (version, commit, command line).
for cmd in "info --net $NPUSIM_TEST_DATA_DIR/tiny_residual.json" "dram --pattern seq-read --requests 64" "compare $rd/a $rd/a" "map ${tiny[*]}"; do
  check "json-provenance-${cmd%% *}" 0 'provenance ok' -- bash -c "'$NPUSIM' $cmd --json | python3 -c '
import json, sys
j = json.load(sys.stdin)
p = j[\"provenance\"]
assert j[\"schema\"].startswith(\"npusim-\") and p[\"npusim_version\"] and p[\"git_commit\"] and p[\"command_line\"][1] == sys.argv[1], j.keys()
print(\"provenance ok\")' ${cmd%% *}"
done
check run-layers 0 '3 layers' -- "$NPUSIM" run "${tiny[@]}" --layers b1..sum --out "$rd/e"
check run-batch 0 'batch 2' -- "$NPUSIM" run "${tiny[@]}" --batch 2 --reuse liveness --out "$rd/f"
check run-set 0 'checks passed' -- "$NPUSIM" run "${tiny[@]}" --set pe.dataflow=os --set dma.outstanding=1 --out "$rd/g"
check run-bad-layers 2 "the first layer comes after the last" -- "$NPUSIM" run "${tiny[@]}" --layers 5..2 --out "$rd/h"
check run-unknown-layer 2 "has no layer named 'nope'" -- "$NPUSIM" run "${tiny[@]}" --layers nope.. --out "$rd/h"
check run-bad-set 2 "field 'pe.rows': expected an integer" -- "$NPUSIM" run "${tiny[@]}" --set pe.rows=-1 --out "$rd/h"
check run-unknown-field 2 "pe.nosuch" -- "$NPUSIM" run "${tiny[@]}" --set pe.nosuch=1 --out "$rd/h"
check run-bad-batch 2 "--batch expects an integer" -- "$NPUSIM" run "${tiny[@]}" --batch 0 --out "$rd/h"
check run-bad-reuse 2 "--reuse 'all': expected none or liveness" -- "$NPUSIM" run "${tiny[@]}" --reuse all --out "$rd/h"
check run-missing-schedule 2 "no_such.json: cannot open" -- "$NPUSIM" run "${tiny[@]}" --schedule /tmp/no_such.json --out "$rd/h"
check run-unknown-net 2 "unknown network 'nosuchnet'" -- "$NPUSIM" run --net nosuchnet --out "$rd/h"
# Ctrl-C: the run stops, writes what it measured marked partial, exits 130.
# The signal is sent once the run has created its output directory (its handler is in place
# by then), so a slow start (libraries loading from a cold cache) cannot race it.
# (In a sanitizer build LeakSanitizer's exit-time tracer crashes on the SystemC coroutine
# stacks an interrupted simulation leaves behind: no leak check for these runs.)
interrupted_run() {  # interrupted_run SIGNAL DIR [ARGS...]
  local sig=$1 dir=$2; shift 2
  ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 "$NPUSIM" run --net vgg16 --arch tiny-8x8 --quiet --out "$dir" "$@" & local pid=$!
  for _ in $(seq 100); do [[ -d "$dir" ]] && break; sleep 0.1; done
  sleep 0.3
  kill -"$sig" "$pid"
  wait "$pid"
}
check run-sigint 130 '' -- interrupted_run INT "$rd/i"
check run-sigint-partial 0 '"partial": true' -- cat "$rd/i/report.json"
# SIGTERM and SIGHUP (what Slurm sends at a time limit) behave the same: exit 128 + signal.
check run-sigterm 143 'stopped by SIGTERM' -- interrupted_run TERM "$rd/term"
check run-sigterm-partial 0 '"partial": true' -- cat "$rd/term/report.json"
# ... and its traces are closed and published: a valid timeline, a whole command trace.
check run-sigterm-traces 143 'stopped by SIGTERM' -- interrupted_run TERM "$rd/term-tr" --trace timeline,dram-cmd
check run-sigterm-timeline-valid 0 '^valid$' -- python3 -c 'import json,sys; json.load(open(sys.argv[1])); print("valid")' "$rd/term-tr/trace/timeline.json"
check run-sigterm-no-part 0 '^$' -- bash -c "ls '$rd/term-tr/trace' | grep '\.part\$' | tr -d '\n'"
check run-sighup 129 'stopped by SIGHUP' -- interrupted_run HUP "$rd/hup"
# Outputs: an --out that cannot be a folder fails before simulating; a write that fails (a
# file-size limit standing in for a full disk) names the OS's reason and leaves no
# truncated report under the final name.
check run-out-not-dir 2 "cannot create the output folder: Not a directory" -- "$NPUSIM" run "${tiny[@]}" --out /etc/hostname/x
check run-write-fails 2 "report.json: writing failed: File too large" -- bash -c "trap '' XFSZ; ulimit -f 8; '$NPUSIM' run --net resnet18 --arch tiny-8x8 --quiet --out '$rd/full'"
check map-write-fails 2 "sched.json: writing failed: File too large" -- bash -c "trap '' XFSZ; ulimit -f 8; '$NPUSIM' map --net resnet18 --arch tiny-8x8 --out '$rd/sched.json'"
check run-write-no-truncated 0 'no report' -- bash -c "[ ! -e '$rd/full/report.json' ] && ! ls '$rd/full' | grep -q tmp && echo 'no report'"
rm -rf "$rd"
# npusim sweep: points, resume, shards, failures, bad specs
sd=$(mktemp -d)
sed "s|@DATA@|$NPUSIM_TEST_DATA_DIR|" "$NPUSIM_TEST_DATA_DIR/sweep_tiny.json" >"$sd/spec.json"
check sweep-list 0 'p0007-[0-9a-f]{8} npusim run --net .*tiny_residual.json --arch tiny-8x8 --set sram.global_kib=64 --set pe.rows=8 --set pe.cols=8 --reuse liveness' -- "$NPUSIM" sweep "$sd/spec.json" --list
check sweep-run 0 '8 points: 8 run ok, 0 failed, 0 already done' -- "$NPUSIM" sweep "$sd/spec.json" --jobs 2 --out "$sd/a"
check sweep-csv 0 '^9$' -- bash -c "wc -l <'$sd/a/results.csv'"
check sweep-provenance 0 '"git_commit":"([0-9a-f]{40}(-dirty)?|unknown)"' -- head -1 "$sd/a/results.jsonl"
check sweep-resume 0 '8 points: 0 run ok, 0 failed, 8 already done' -- "$NPUSIM" sweep "$sd/spec.json" --out "$sd/a"
for i in 0 1 2; do "$NPUSIM" sweep "$sd/spec.json" --shard $i/3 --out "$sd/b" --quiet; done
check sweep-collect 0 '8 points \(8 ok, 0 failed\)' -- "$NPUSIM" sweep collect "$sd/b"
# The union of the shards is the unsharded sweep, each point run once (wall time aside).
check sweep-shards-union 0 '' -- bash -c "diff <(cut -d, -f1-18 '$sd/a/results.csv') <(cut -d, -f1-18 '$sd/b/results.csv') && [ \$(cat '$sd'/b/results.shard-*.jsonl | wc -l) -eq 8 ]"
# Two sweeps compare point by point (the sharded run against the unsharded one).
check compare-sweeps 0 '[0-9]+ metrics compared, 0 beyond the tolerance 0: within tolerance' -- "$NPUSIM" compare "$sd/a" "$sd/b"
check compare-sweep-vs-run 2 "compare runs with runs, sweeps with sweeps" -- "$NPUSIM" compare "$sd/a" "$(ls -d "$sd"/a/points/*/ | head -1)"
check sweep-slurm 0 'in 4 array tasks' -- "$NPUSIM" sweep "$sd/spec.json" --emit slurm --tasks 4 --out "$sd/c"
check sweep-slurm-file 0 '#SBATCH --array=0-3' -- cat "$sd/c/sweep.slurm"
check sweep-slurm-options 0 '#SBATCH --time=01:30:00' -- bash -c "'$NPUSIM' sweep '$sd/spec.json' --emit slurm --out '$sd/s' --slurm-time 01:30:00 --slurm-partition cpu --slurm-mem 2G --slurm-account lab --slurm-option=--qos=low >/dev/null && grep -c -e '--partition=cpu' -e '--mem=2G' -e '--account=lab' -e '--qos=low' '$sd/s/sweep.slurm' | grep -q '^4$' && cat '$sd/s/sweep.slurm'"
check sweep-slurm-bad-option 2 "sbatch option 'qos=low': expected one line starting with --" -- "$NPUSIM" sweep "$sd/spec.json" --emit slurm --out "$sd/s" --slurm-option qos=low
# Not on a terminal, a sweep prints a progress line per finished point (and one at the start).
check sweep-progress-lines 0 '^9$' -- bash -c "'$NPUSIM' sweep '$sd/spec.json' --out '$sd/p' 2>&1 >/dev/null | grep -c 'done, .* failed, .* remaining'"
# A point that fails is recorded and the sweep goes on (exit 1).
cat >"$sd/fail.json" <<EOS
{ "name": "fail", "base": "tiny-8x8", "networks": ["$NPUSIM_TEST_DATA_DIR/tiny_residual.json"],
  "axes": [ { "field": "input", "values": [32, 2] } ] }
EOS
check sweep-failed-point 1 '2 points: 1 run ok, 1 failed' -- "$NPUSIM" sweep "$sd/fail.json" --out "$sd/d"
check sweep-failed-recorded 0 '"status":"failed"' -- cat "$sd/d/results.jsonl"
cat >"$sd/slow.json" <<EOS
{ "name": "slow", "base": "tiny-8x8", "networks": ["vgg16"], "axes": [ { "field": "pe.rows", "values": [8] } ] }
EOS
check sweep-timeout 1 '1 failed' -- "$NPUSIM" sweep "$sd/slow.json" --timeout 1 --out "$sd/e"
check sweep-timeout-recorded 0 'timed out after 1 s' -- cat "$sd/e/results.jsonl"
# Bad specs: one line naming the field, nothing run.
bad_spec() { echo "$1" >"$sd/bad.json"; }
bad_spec '{ "base": "tiny-8x8", "networks": ["resnet18"], "axes": [ { "field": "pe.nosuch", "values": [1] } ] }'
check sweep-unknown-field 2 "pe.nosuch" -- "$NPUSIM" sweep "$sd/bad.json" --out "$sd/f"
bad_spec '{ "base": "tiny-8x8", "networks": ["resnet18"], "axes": [ { "field": "pe.rows", "values": [] } ] }'
check sweep-empty-axis 2 "field 'axes\[0\].values': expected a non-empty list" -- "$NPUSIM" sweep "$sd/bad.json" --out "$sd/f"
bad_spec '{ "base": "tiny-8x8", "networks": ["resnet18"], "axes": [ { "field": "pe.rows", "values": ["many"] } ] }'
check sweep-wrong-type 2 "field 'pe.rows': expected an integer" -- "$NPUSIM" sweep "$sd/bad.json" --out "$sd/f"
bad_spec '{ "base": "tiny-8x8", "networks": ["resnet18"], "axes": [ { "field": "reuse", "values": ["all"] } ] }'
check sweep-bad-reuse 2 "expected none or liveness" -- "$NPUSIM" sweep "$sd/bad.json" --out "$sd/f"
bad_spec '{ "base": "tiny-8x8", "networks": ["resnet18"], "axes": [ { "field": ["pe.dataflow"], "values": [["ws"], ["os"]] } ] }'
check sweep-tied-one-field 0 'p0001-[0-9a-f]{8} npusim run --net resnet18 --arch tiny-8x8 --set pe.dataflow=os$' -- "$NPUSIM" sweep "$sd/bad.json" --list
bad_spec '{ "base": "tiny-8x8", "networks": ["resnet18"], "axes": [ { "field": "pe.dataflow", "values": [["ws"]] } ] }'
check sweep-list-value 2 "field 'pe.dataflow': expected a number, string or boolean, got \[\"ws\"\]" -- "$NPUSIM" sweep "$sd/bad.json" --list
bad_spec '{ "base": "tiny-8x8", "networks": ["nosuchnet"] }'
check sweep-bad-net 2 "field 'networks': .*unknown network 'nosuchnet'" -- "$NPUSIM" sweep "$sd/bad.json" --out "$sd/f"
check sweep-nothing-ran 1 '' -- test -d "$sd/f"
check sweep-plot 0 'Pareto-optimal points' -- "$(dirname "$0")/../../scripts/sweep_plot.py" "$sd/a"
# Fields varied together (pe.rows with pe.cols) are one axis; --net writes its own files.
check sweep-plot-tied 0 'pe.rows=[0-9]+/[0-9]+|pe.cols \+ pe.rows|pe.rows \+ pe.cols' -- "$(dirname "$0")/../../scripts/sweep_plot.py" "$sd/a"
check sweep-plot-files 0 '' -- test -s "$sd/a/pareto.png" -a -s "$sd/a/sensitivity.png"
rm -rf "$sd"
# Traces: replay, timing check, nesting, determinism, gzip, selection, errors
td=$(mktemp -d)
an="$(dirname "$0")/../../scripts/trace_analyze.py"
"$NPUSIM" run "${tiny[@]}" --out "$td/a" --json --quiet --trace dram-cmd,dram-req,timeline,vcd >"$td/a.json"
"$NPUSIM" run "${tiny[@]}" --out "$td/b" --quiet --trace dram-cmd,dram-req,timeline,vcd
check trace-files 0 '' -- test -s "$td/a/trace/dram-cmd.csv" -a -s "$td/a/trace/dram-req.trace" -a -s "$td/a/trace/timeline.json" -a -s "$td/a/trace/signals.vcd"
check trace-identical 0 '' -- bash -c "for f in dram-cmd.csv dram-req.trace timeline.json signals.vcd; do cmp '$td/a/trace/'\$f '$td/b/trace/'\$f || exit 1; done"
# Replaying the request trace on the same memory moves exactly the run's bytes.
want=$(python3 -c "import json; t=json.load(open('$td/a.json'))['totals']; print(t['dram_read_bytes'], t['dram_write_bytes'])")
check trace-replay 0 "bytes read ${want% *}   bytes written ${want#* }" -- "$NPUSIM" dram --arch tiny-8x8 --replay "$td/a/trace/dram-req.trace"
check trace-timing 0 'commands checked against LPDDR4-3200 timing, 0 violations' -- "$NPUSIM" dram --arch tiny-8x8 --check-commands "$td/a/trace/dram-cmd.csv"
check trace-nesting 0 ' 0 nesting violations' -- "$an" timeline "$td/a/trace/timeline.json" --check
check trace-timeline-json 0 'ok' -- python3 -c "import json; d=json.load(open('$td/a/trace/timeline.json')); assert d['traceEvents']; print('ok')"
# Binary command trace and gzip: the same commands.
"$NPUSIM" run "${tiny[@]}" --out "$td/c" --quiet --trace dram-cmd-bin,timeline,dram-req-ramulator --trace-gzip
check trace-bin-timing 0 ', 0 violations' -- "$NPUSIM" dram --arch tiny-8x8 --check-commands "$td/c/trace/dram-cmd.bin.gz"
check trace-bin-same 0 '' -- bash -c "diff <('$an' dram-cmd '$td/a/trace/dram-cmd.csv') <('$an' dram-cmd '$td/c/trace/dram-cmd.bin.gz')"
check trace-gzip-same 0 '' -- bash -c "zcat '$td/c/trace/timeline.json.gz' | cmp - '$td/a/trace/timeline.json'"
check trace-ramulator-replay 0 "bytes read ${want% *}   bytes written ${want#* }" -- "$NPUSIM" dram --arch tiny-8x8 --format ramulator --replay "$td/c/trace/dram-req.ramulator.trace.gz"
# All six kinds at once: six files, the pairs holding the same commands and requests.
"$NPUSIM" run "${tiny[@]}" --out "$td/all" --quiet --trace dram-cmd,dram-cmd-bin,dram-req,dram-req-ramulator,timeline,vcd
check trace-all-six 0 '^8$' -- bash -c "ls '$td/all/trace' | wc -l"  # and trace-info.json, the DRAMsim3 .ini
# The DRAMsim3 configuration holds every key DRAMsim3's src/configuration.cc reads (without a
# default) and this memory's values.
check trace-dramsim3-ini 0 'ini ok' -- python3 -c 'import configparser,sys
c = configparser.ConfigParser(inline_comment_prefixes=(";",)); c.optionxform = str; c.read(sys.argv[1])
need = {"dram_structure": "protocol bankgroups banks_per_group rows columns device_width BL",
        "timing": "tCK AL CL CWL tRCD tRP tRAS tRFC tREFI tRPRE tWPRE tRRD_S tRRD_L tWTR_S tWTR_L tFAW tWR tRTP tCCD_S tCCD_L tCKE tCKESR tXS tXP tRTRS",
        "power": "VDD IDD0 IDD2P IDD2N IDD3P IDD3N IDD4W IDD4R IDD5AB IDD6x",
        "system": "channel_size channels bus_width address_mapping queue_structure refresh_policy row_buf_policy cmd_queue_size trans_queue_size"}
for sec, keys in need.items():
    missing = [k for k in keys.split() if not c.has_option(sec, k)]
    assert not missing, (sec, missing)
assert c["dram_structure"]["protocol"] == "LPDDR4" and abs(float(c["timing"]["tCK"]) - 0.625) < 1e-3
assert c["system"]["address_mapping"] == "rorabacobgch" and c["system"]["channels"] == "1"
print("ini ok")' "$td/all/trace/dram-req.dramsim3.ini"
check trace-info 0 'info ok' -- python3 -c 'import json,sys; i=json.load(open(sys.argv[1])); assert i["standard"] == "LPDDR4-3200" and abs(i["tck_ns"] - 0.625) < 1e-9 and i["burst_bytes"] == 64 and len(i["files"]) == 7, i; print("info ok")' "$td/all/trace/trace-info.json"
"$NPUSIM" run "${tiny[@]}" --out "$td/r2" --quiet --trace dram-req-ramulator2
check trace-ramulator2-format 0 '^(LD|ST) 0x[0-9a-f]+$' -- head -1 "$td/r2/trace/dram-req.ramulator2.trace"
check trace-ramulator2-replay 0 "bytes read ${want% *}   bytes written ${want#* }" -- "$NPUSIM" dram --arch tiny-8x8 --format ramulator --replay "$td/r2/trace/dram-req.ramulator2.trace"
# On DDR4 a Ramulator 2.0 YAML goes beside the LD|ST trace, with every key Ramulator 2's DDR4
# (src/dram/impl/DDR4.cpp) needs when no preset is named and this memory's values; LPDDR4 has no
# Ramulator 2 model: no YAML, and trace-info.json says why.
"$NPUSIM" run "${tiny[@]}" --set dram.standard=DDR4-2400 --out "$td/r2d" --quiet --trace dram-req-ramulator2
check trace-ramulator2-yaml 0 'yaml ok' -- python3 -c 'import yaml,sys
y = yaml.safe_load(open(sys.argv[1]))
assert y["Frontend"] == {"impl": "LoadStoreTrace", "path": "dram-req.ramulator2.trace", "clock_ratio": 1}, y["Frontend"]
m = y["MemorySystem"]; d = m["DRAM"]
assert m["impl"] == "GenericDRAM" and d["impl"] == "DDR4" and m["Controller"]["impl"] == "Generic"
need = "rate nBL nCL nRCD nRP nRAS nRC nWR nRTP nCWL nCCDS nCCDL nRRDS nRRDL nWTRS nWTRL nFAW nRFC nREFI nCS".split()
assert sorted(d["timing"]) == sorted(need), d["timing"]
o = d["org"]
assert o["bankgroup"] * o["bank"] * o["row"] * o["column"] * o["dq"] >> 20 == o["density"]
assert (d["timing"]["rate"], d["timing"]["nCL"], d["timing"]["nRFC"], o["rank"]) == (2400, 16, 420, 2)
print("yaml ok")' "$td/r2d/trace/dram-req.ramulator2.yaml"
check trace-ramulator2-no-lpddr4 0 'no LPDDR4' -- bash -c "test ! -e '$td/r2/trace/dram-req.ramulator2.yaml' && grep -o 'no LPDDR4' '$td/r2/trace/trace-info.json'"
check trace-all-cmd-same 0 '' -- bash -c "diff <('$an' dram-cmd '$td/all/trace/dram-cmd.csv') <('$an' dram-cmd '$td/all/trace/dram-cmd.bin')"
check trace-all-req-same 0 "bytes read ${want% *}   bytes written ${want#* }" -- "$NPUSIM" dram --arch tiny-8x8 --format ramulator --replay "$td/all/trace/dram-req.ramulator.trace"
check trace-all-req-dramsim3 0 "bytes read ${want% *}   bytes written ${want#* }" -- "$NPUSIM" dram --arch tiny-8x8 --replay "$td/all/trace/dram-req.trace"
# Selection: one layer, a window.
"$NPUSIM" run "${tiny[@]}" --out "$td/d" --quiet --trace timeline,dram-req --trace-layers b1..b1
check trace-layers 0 '^1 layer spans' -- "$an" timeline "$td/d/trace/timeline.json" --check
# A command trace of selected layers starts mid-run: the checker accepts it (it learns the
# banks' state and the refresh phase); checked as if from reset, its first commands fail.
"$NPUSIM" run --net resnet18 --arch tiny-8x8 --out "$td/mid" --quiet --trace dram-cmd --trace-layers 5..8
check trace-mid-run 0 ', 0 violations' -- "$NPUSIM" dram --arch tiny-8x8 --check-commands "$td/mid/trace/dram-cmd.csv"
check trace-mid-run-from-reset 1 '[1-9][0-9]* violations' -- "$NPUSIM" dram --arch tiny-8x8 --check-commands "$td/mid/trace/dram-cmd.csv" --from-reset
"$NPUSIM" run "${tiny[@]}" --out "$td/e" --quiet --trace dram-req --trace-window 0..2000
check trace-window 0 'ok' -- python3 -c "
lines = open('$td/e/trace/dram-req.trace').read().split('\n')[:-1]
assert lines and all(int(l.split()[2]) * 0.625 <= 2000.0 for l in lines), len(lines)
print('ok')"
check trace-unknown 2 "unknown trace 'dram-all'" -- "$NPUSIM" run "${tiny[@]}" --out "$td/f" --trace dram-all
# A timeline of a window: every span and counter lies in it (no counters at ts 0); DMA
# transfers in flight together go on lanes of their own, no span overlapping another on a track.
"$NPUSIM" run --net resnet18 --arch tiny-8x8 --out "$td/w" --quiet --trace timeline --trace-window 20000..60000
check trace-window-timeline 0 'window ok' -- python3 -c 'import json,sys
ev = json.load(open(sys.argv[1]))["traceEvents"]
c = [float(e["ts"]) for e in ev if e.get("ph") == "C"]
x = [(float(e["ts"]), float(e["ts"]) + float(e["dur"])) for e in ev if e.get("ph") == "X"]
assert c and min(c) >= 20.0 - 1.0 and max(c) <= 60.0 + 1.0, (min(c), max(c))
assert all(b >= 20.0 - 1e-6 and a <= 60.0 + 1e-6 for a, b in x)
print("window ok")' "$td/w/trace/timeline.json"
"$NPUSIM" run --net resnet18 --arch tiny-8x8 --out "$td/lanes" --quiet --trace timeline --trace-layers 3..5
check trace-dma-lanes 0 '"dma read 1"' -- cat "$td/lanes/trace/timeline.json"
check trace-dma-lanes-disjoint 0 ' 0 nesting violations' -- "$an" timeline "$td/lanes/trace/timeline.json" --check
check trace-window-nesting 0 ' 0 nesting violations' -- "$an" timeline "$td/w/trace/timeline.json" --check
check trace-bad-window 2 "expected T0..T1 in ns" -- "$NPUSIM" run "${tiny[@]}" --out "$td/f" --trace timeline --trace-window 5
check trace-needs-trace 2 "need --trace LIST" -- "$NPUSIM" run "${tiny[@]}" --out "$td/f" --trace-layers 1..2
check trace-bad-cmd-file 2 "expected the header" -- "$NPUSIM" dram --arch tiny-8x8 --check-commands "$NPUSIM_TEST_DATA_DIR/dramsim3_small.trace"
rm -rf "$td"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
