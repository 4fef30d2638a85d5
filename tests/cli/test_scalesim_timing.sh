#!/usr/bin/env bash
# `pe.timing = scalesim` against SCALE-Sim v3 itself: the compute cycles ("Total Cycles" of
# COMPUTE_REPORT.csv) that scale-sim-v3 (commit fab89b7, run by hand, not in CI: it takes
# minutes) reported for tests/data/scalesim_layers.csv on its 32x32 array with 64/64/32 KB
# SRAM, per dataflow. npusim must give exactly those per layer.
set -u
: "${NPUSIM:?path of the npusim binary}" "${NPUSIM_TEST_DATA_DIR:?}"
declare -A want
want[ws]="51679 116279 12637 128629 289 877 194559 3827 3479"
want[os]="62327 125047 34887 167199 545 1774 67519 3871 3317"
want[is]="123871 278711 49391 315999 713 2374 70015 6431 5837"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
failed=0
for df in ws os is; do
  "$NPUSIM" run --net "$NPUSIM_TEST_DATA_DIR/scalesim_layers.csv" --arch scalesim-32x32 \
    --set pe.dataflow=$df --quiet --out "$tmp/$df" >/dev/null || { echo "FAIL: run $df"; failed=1; continue; }
  got=$(python3 -c 'import json,sys; print(" ".join(str(l["compute_cycles"]) for l in json.load(open(sys.argv[1]))["layers"]))' "$tmp/$df/report.json")
  if [[ "$got" != "${want[$df]}" ]]; then
    echo "FAIL: $df compute cycles: got $got, SCALE-Sim ${want[$df]}"; failed=1
  fi
done
# Native timing on the large-M layers: within 5 % of SCALE-Sim (back-to-back folds pay the
# fill and drain once instead of per fold, so native is lower).
"$NPUSIM" run --net "$NPUSIM_TEST_DATA_DIR/scalesim_layers.csv" --arch edge-32x32 --quiet --out "$tmp/native" >/dev/null
python3 - "$tmp/native/report.json" <<'PY' || failed=1
import json, sys
layers = json.load(open(sys.argv[1]))["layers"]
for name, ref in (("s1x1_256_64", 51679), ("s3x3_64_64", 116279)):
    got = next(l["compute_cycles"] for l in layers if l["name"] == name)
    if not (0.95 * ref <= got <= 1.05 * ref):
        print(f"FAIL: native {name}: {got} compute cycles, SCALE-Sim {ref}"); sys.exit(1)
PY
[[ $failed -eq 0 ]] && echo "scalesim timing: all layers equal SCALE-Sim's compute cycles"
exit $failed
