#!/usr/bin/env bash
# Wall and CPU (user + system) time of whole-network `npusim run`s (map + SystemC simulation
# + reports), the median of REPEAT runs each, and simulated cycles per wall second.
#   scripts/bench_run.sh                       HarDNet-68, ResNet-50, DenseNet-121 on edge-32x32
#   REPEAT=5 ARCH=edge-16x16 scripts/bench_run.sh hardnet85 vgg16
#   ARCH=dataflow-16x8x8 scripts/bench_run.sh path/to/yolov4.cfg   a pipelined NPU, 8 frames
# Environment: NPUSIM (default build/npusim), ARCH (edge-32x32), REPEAT (3). Run it on an
# otherwise idle machine; it uses one core.
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then  # the header comment is the help
  sed -n '2,/^set -euo/p' "$0" | sed -n 's/^# \{0,1\}//p'; exit 0
fi
cd "$(dirname "$0")/.."
npusim=${NPUSIM:-build/npusim}
arch=${ARCH:-edge-32x32}
repeat=${REPEAT:-3}
nets=("$@")
((${#nets[@]})) || nets=(hardnet68 resnet50 densenet121)
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
printf '%-14s %-12s %10s %10s %14s %16s\n' network arch "wall s" "CPU s" "sim cycles" "cycles/wall s"
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
for net in "${nets[@]}"; do
  times=() cpus=()
  for ((i = 0; i < repeat; i++)); do
    t0=$(date +%s.%N)
    /usr/bin/time -f "%U %S" -o "$out/time" "$npusim" run --net "$net" --arch "$arch" --quiet --out "$out/$net" >/dev/null
    t1=$(date +%s.%N)
    times+=("$(python3 -c "print($t1 - $t0)")")
    cpus+=("$(awk '{print $1 + $2}' "$out/time")")
  done
  median=$(printf '%s\n' "${times[@]}" | median)
  cpu=$(printf '%s\n' "${cpus[@]}" | median)
  cycles=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['totals']['cycles'])" "$out/$net/report.json")
  printf '%-14s %-12s %10.3f %10.2f %14d %16.3g\n' "$net" "$arch" "$median" "$cpu" "$cycles" "$(python3 -c "print($cycles / $median)")"
done
