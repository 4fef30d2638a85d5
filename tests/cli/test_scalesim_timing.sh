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
# SCALE-Sim's own topology files (not in this repository): with SCALESIM_TOPOLOGIES set to
# scale-sim-v3's topologies/ folder, its ResNet-18 and ResNet-50 must give, layer for layer,
# the compute cycles SCALE-Sim v3 reported for them (same array and SRAM).
declare -A net_want
net_want[ws:conv_nets/Resnet18.csv]="121939 108359 108359 108359 108359 63215 110879 7479 110879 110879 83519 137087 10207 137087 137087 164735 274175 20223 274175 274175 48639"
net_want[os:conv_nets/Resnet18.csv]="158421 117391 117391 117391 117391 63799 106831 13607 106831 106831 67983 94639 12159 94639 94639 75711 74719 10175 74719 74719 18367"
net_want[is:conv_nets/Resnet18.csv]="299409 261647 261647 261647 261647 99899 175823 11987 175823 175823 88199 125999 11199 125999 125999 87263 87263 9695 87263 87263 17503"
net_want[ws:mlperf/Resnet50.csv]="121939 12919 108359 51679 51679 51679 108359 51679 51679 108359 51679 29919 110879 56191 119679 56191 110879 56191 56191 110879 56191 56191 110879 56191 40831 137087 74239 163327 74239 137087 74239 74239 137087 74239 74239 137087 74239 74239 137087 74239 74239 137087 74239 80895 274175 146431 323583 146431 274175 146431 146431 274175 146431 194559"
net_want[os:mlperf/Resnet50.csv]="158421 24695 117391 98783 98783 62327 117391 98783 62327 117391 98783 34343 106831 75999 137375 57399 106831 75999 57399 106831 75999 57399 106831 75999 36735 94639 71231 146943 60815 94639 71231 60815 94639 71231 60815 94639 71231 60815 94639 71231 60815 94639 71231 34751 74719 73471 139007 67519 74719 73471 67519 74719 73471 67519"
net_want[is:mlperf/Resnet50.csv]="299409 30967 261647 68599 68599 123871 261647 68599 123871 261647 68599 47951 175823 60599 130895 88799 175823 60599 88799 175823 60599 88799 175823 60599 44799 125999 62607 143103 78399 125999 62607 78399 125999 62607 78399 125999 62607 78399 125999 62607 78399 125999 62607 38783 87263 68543 137087 77567 87263 68543 77567 87263 68543 70015"
if [[ -n "${SCALESIM_TOPOLOGIES:-}" ]]; then
  for key in "${!net_want[@]}"; do
    df=${key%%:*} topo=${key#*:}
    "$NPUSIM" run --net "$SCALESIM_TOPOLOGIES/$topo" --arch scalesim-32x32 --set pe.dataflow=$df --quiet \
      --out "$tmp/net-$df" >/dev/null || { echo "FAIL: run $topo $df"; failed=1; continue; }
    got=$(python3 -c 'import json,sys; print(" ".join(str(l["compute_cycles"]) for l in json.load(open(sys.argv[1]))["layers"]))' "$tmp/net-$df/report.json")
    [[ "$got" == "${net_want[$key]}" ]] || { echo "FAIL: $topo $df: got $got"; failed=1; }
  done
else
  echo "scalesim timing: SCALESIM_TOPOLOGIES not set, SCALE-Sim's ResNet-18/50 files skipped"
fi
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
