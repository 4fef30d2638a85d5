#!/usr/bin/env bash
# (Re)writes the seed corpora in tests/fuzz/corpus/<target>/ from the repository's own test
# data and presets, a small run's traces and schedule, and the inputs of past findings
# (tests/fuzz/regressions/). Needs a built npusim.
#   tests/fuzz/make_corpus.sh [NPUSIM]        default build/npusim
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then sed -n '2,/^set -euo/p' "$0" | sed -n 's/^# \{0,1\}//p'; exit 0; fi
cd "$(dirname "$0")/../.."
npusim=${1:-build/npusim}
c=tests/fuzz/corpus
rm -rf "$c"; mkdir -p "$c"
seed() { local t=$1; shift; mkdir -p "$c/$t"; for f in "$@"; do cp "$f" "$c/$t/"; done; }
seed fuzz_network_json tests/data/tiny_residual.json
"$npusim" info --net tests/data/tiny_residual.json --json >"$c/fuzz_network_json/info.json"
seed fuzz_darknet_cfg tests/data/darknet/tiny_detector.cfg tests/data/darknet/darknet53.cfg tests/data/darknet/attention_reorg.cfg
seed fuzz_scalesim_csv tests/data/scalesim_small.csv tests/data/scalesim_layers.csv
seed fuzz_onnx tests/data/onnx/small_full.onnx tests/data/onnx/resnet18.onnx tests/data/onnx/mobilenet_v3_small_op13.onnx \
  tests/data/onnx/shufflenet_v2_x0_5_op13.onnx tests/data/onnx/tiny_detect_op13.onnx tests/data/onnx/tiny_focus_op13.onnx \
  tests/data/onnx/tiny_decoder_op13.onnx
"$npusim" info --net tests/data/onnx/tiny_decoder_op13.onnx --json >"$c/fuzz_network_json/decoder.json"
seed fuzz_arch_config configs/arch/tiny-8x8.json configs/arch/edge-32x32.json
{ echo "sram.organization=split"; cat configs/arch/tiny-8x8.json; } >"$c/fuzz_arch_config/with-set.json"
seed fuzz_dram_spec configs/dram/*.json
seed fuzz_energy_table configs/energy/*.json
seed fuzz_sweep_spec configs/sweeps/*.json
"$npusim" map --net resnet18 --input 32 --arch tiny-8x8 --out "$c/fuzz_schedule" >/dev/null
seed fuzz_address_trace tests/data/dramsim3_small.trace tests/data/ramulator_small.trace
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
"$npusim" run --net tests/data/tiny_residual.json --arch tiny-8x8 --layers stem..b1 --quiet --out "$w/r" \
  --trace dram-cmd,dram-cmd-bin,dram-req-ramulator2
mkdir -p "$c/fuzz_command_trace"
head -c 4000 "$w/r/trace/dram-cmd.csv" >"$c/fuzz_command_trace/cmd.csv"
head -c 2408 "$w/r/trace/dram-cmd.bin" >"$c/fuzz_command_trace/cmd.bin"
head -c 2000 "$w/r/trace/dram-req.ramulator2.trace" >"$c/fuzz_address_trace/ramulator2.trace"
# Inputs that once found a bug stay in the corpus (tests/fuzz/regressions/<target>/).
for d in tests/fuzz/regressions/*/; do cp "$d"* "$c/$(basename "$d")/"; done
du -sh "$c"/*
