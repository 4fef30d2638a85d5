#!/usr/bin/env bash
# CPU time of replaying the same generated request traces (1M 64-byte requests, DRAMsim3
# format, sequential and random, all ready at cycle 0) through npusim's DRAM model on
# DDR4-2400 and, when a DRAMsim3 build is given, through DRAMsim3; the medians of REPEAT
# runs and the ratio. Fetches nothing.
#   scripts/bench_dram_peers.sh
#   DRAMSIM3=path/to/dramsim3main DRAMSIM3_CONFIG=path/to/DDR4_8Gb_x8_2400.ini scripts/bench_dram_peers.sh
#   REQUESTS=200000 REPEAT=3 NPUSIM=build/npusim scripts/bench_dram_peers.sh
# Environment: NPUSIM (default build/npusim), REQUESTS (1000000), REPEAT (3), DRAMSIM3 and
# DRAMSIM3_CONFIG (both needed for the DRAMsim3 column).
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then  # the header comment is the help
  sed -n '2,/^set -euo/p' "$0" | sed -n 's/^# \{0,1\}//p'; exit 0
fi
cd "$(dirname "$0")/.."
npusim=${NPUSIM:-build/npusim}
requests=${REQUESTS:-1000000}
repeat=${REPEAT:-3}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$work" "$requests" <<'PY'
import random, sys
work, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(1)
with open(f"{work}/seq.trace", "w") as f:
    f.writelines(f"0x{64 * i:x} READ 0\n" for i in range(n))
with open(f"{work}/rand.trace", "w") as f:
    f.writelines(f"0x{rng.randrange(1 << 27) * 64:x} READ 0\n" for _ in range(n))
PY
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
cpu() {  # cpu COMMAND...: user+sys seconds of one run
  /usr/bin/time -f "%U %S" "$@" >/dev/null 2>"$work/time" || { cat "$work/time" >&2; exit 1; }
  tail -1 "$work/time" | awk '{print $1 + $2}'
}
done_reads=""
printf '%-8s %14s %14s %8s\n' trace "npusim s" "DRAMsim3 s" ratio
for t in seq rand; do
  ours=$(for ((i = 0; i < repeat; i++)); do cpu "$npusim" dram --standard DDR4-2400 --replay "$work/$t.trace"; done | median)
  peer="-" ratio="-"
  if [[ -n "${DRAMSIM3:-}" ]]; then
    : "${DRAMSIM3_CONFIG:?set DRAMSIM3_CONFIG to configs/DDR4_8Gb_x8_2400.ini of DRAMsim3}"
    # DRAMsim3 ticks until -c: give it 1.25 x the cycles npusim needed, then check it
    # finished every request (the "done" column).
    need=$("$npusim" dram --standard DDR4-2400 --replay "$work/$t.trace" | sed -n 's/.* in \([0-9]*\) cycles.*/\1/p')
    cycles=$((need * 5 / 4))
    peer=$(for ((i = 0; i < repeat; i++)); do (cd "$work" && cpu "$DRAMSIM3" "$DRAMSIM3_CONFIG" -t "$work/$t.trace" -c "$cycles"); done | median)
    done_reads=$(awk '/^num_reads_done/ {print $3}' "$work/dramsim3.txt")
    ratio=$(awk -v a="$peer" -v b="$ours" 'BEGIN {printf "%.1fx", a / b}')
  fi
  printf '%-8s %14s %14s %8s  %s\n' "$t" "$ours" "$peer" "$ratio" "${done_reads:+DRAMsim3 finished $done_reads of $requests reads}"
done
