#!/usr/bin/env bash
# Faults a sweep must survive without losing a result: a torn last line in results.jsonl, a
# SIGKILL of the sweep (its workers must die with it), SIGTERM (Slurm's time limit), and a
# second sweep or run on the same --out (refused while the first runs). After each, rerunning
# the same command completes the sweep with every point recorded ok exactly once, and the
# results equal a clean sweep's (npusim compare).
set -u
: "${NPUSIM:?path of the npusim binary}" "${NPUSIM_TEST_DATA_DIR:?}"
source "$(dirname "$0")/check.sh"
w=$(mktemp -d)
cleanup() { pkill -KILL -f -- "--out $w/" 2>/dev/null; rm -rf "$w"; }
trap cleanup EXIT
sed "s|@DATA@|$NPUSIM_TEST_DATA_DIR|" "$NPUSIM_TEST_DATA_DIR/sweep_tiny.json" >"$w/tiny.json"
# Slow enough to interrupt: 8 points of ResNet-18 on the tiny array (~0.5 s each).
cat >"$w/slow.json" <<'EOF'
{ "name": "slow", "base": "tiny-8x8", "networks": ["resnet18"],
  "axes": [ { "field": "sram.global_kib", "values": [64, 128, 256, 512] },
            { "field": "reuse", "values": ["none", "liveness"] } ] }
EOF
"$NPUSIM" sweep "$w/slow.json" --out "$w/clean" --jobs 2 --quiet

ok_once() {  # every point of DIR recorded ok exactly once across its results files
  python3 - "$1" "$2" <<'PY'
import json, glob, sys, collections
d, want = sys.argv[1], int(sys.argv[2])
ok = collections.Counter()
for f in glob.glob(d + "/results*.jsonl"):
    for line in open(f):
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if r.get("status") == "ok":
            ok[r["id"]] += 1
assert len(ok) == want and set(ok.values()) == {1}, dict(ok)
print("ok once")
PY
}
wait_lines() {  # wait until DIR/results.jsonl has N lines
  for _ in $(seq 300); do
    [[ -f $1/results.jsonl && $(wc -l <"$1/results.jsonl") -ge $2 ]] && return 0
    sleep 0.05
  done
  return 1
}
workers_of() { pgrep -f -- "--out $1/points/" | wc -l; }

# A torn last line (a kill mid-write): detected, terminated, its point runs again.
"$NPUSIM" sweep "$w/tiny.json" --out "$w/torn" --quiet
head -n 5 "$w/torn/results.jsonl" >"$w/torn/r" && sed -n 6p "$w/torn/results.jsonl" | head -c 40 >>"$w/torn/r"
mv "$w/torn/r" "$w/torn/results.jsonl"
check torn-line-detected 0 'results.jsonl ended in a line cut short .* that point runs again' -- "$NPUSIM" sweep "$w/tiny.json" --out "$w/torn"
check torn-line-ok-once 0 'ok once' -- ok_once "$w/torn" 8
# The torn line stays (terminated) as evidence; every line after it is whole.
check torn-line-only-it-broken 0 '^1 broken, 3 after it whole$' -- python3 -c '
import json, sys
lines = open(sys.argv[1]).read().split("\n")[:-1]
bad = []
for i, l in enumerate(lines):
    try: json.loads(l)
    except ValueError: bad.append(i)
print(f"{len(bad)} broken, {len(lines) - 1 - bad[0]} after it whole")' "$w/torn/results.jsonl"

# SIGKILL of the sweep: its workers die with it; the rerun completes it.
"$NPUSIM" sweep "$w/slow.json" --out "$w/kill" --jobs 2 --quiet & pid=$!
wait_lines "$w/kill" 1
kill -KILL $pid; wait $pid 2>/dev/null
sleep 0.5
check kill-no-orphans 0 '^0$' -- workers_of "$w/kill"
"$NPUSIM" sweep "$w/slow.json" --out "$w/kill" --jobs 2 --quiet
check kill-rerun-ok-once 0 'ok once' -- ok_once "$w/kill" 8
check kill-rerun-equals-clean 0 'within tolerance' -- "$NPUSIM" compare "$w/clean" "$w/kill"

# SIGTERM (Slurm's time limit): exit 143, workers stopped, nothing half-recorded.
"$NPUSIM" sweep "$w/slow.json" --out "$w/term" --jobs 2 --quiet & pid=$!
wait_lines "$w/term" 1
kill -TERM $pid; wait $pid; rc=$?
check term-exit-143 0 '^143$' -- echo $rc
sleep 0.2
check term-no-orphans 0 '^0$' -- workers_of "$w/term"
check term-lines-whole 0 '^ok$' -- python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]; print("ok")' "$w/term/results.jsonl"
"$NPUSIM" sweep "$w/slow.json" --out "$w/term" --jobs 2 --quiet
check term-rerun-ok-once 0 'ok once' -- ok_once "$w/term" 8

# A second sweep, or a run, on the --out of a running sweep is refused; shards share a folder.
"$NPUSIM" sweep "$w/slow.json" --out "$w/lock" --quiet & pid=$!
wait_lines "$w/lock" 1
check lock-second-sweep 2 "npusim sweep: --out: $w/lock is in use by another npusim run or sweep" -- "$NPUSIM" sweep "$w/slow.json" --out "$w/lock"
check lock-run 2 "npusim run: --out: $w/lock is in use by another npusim run or sweep" -- "$NPUSIM" run --net resnet18 --arch tiny-8x8 --out "$w/lock"
check lock-shard 2 "is in use by another npusim" -- "$NPUSIM" sweep "$w/slow.json" --out "$w/lock" --shard 0/2
wait $pid
check lock-released 0 'sweep slow: 8 points: 0 run ok, 0 failed, 8 already done' -- "$NPUSIM" sweep "$w/slow.json" --out "$w/lock"
"$NPUSIM" sweep "$w/slow.json" --out "$w/shards" --shard 0/2 --quiet & p0=$!
"$NPUSIM" sweep "$w/slow.json" --out "$w/shards" --shard 1/2 --quiet & p1=$!
wait $p0; r0=$?; wait $p1; r1=$?
check shards-share-folder 0 '^0 0$' -- echo "$r0 $r1"
check shards-ok-once 0 'ok once' -- ok_once "$w/shards" 8

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
