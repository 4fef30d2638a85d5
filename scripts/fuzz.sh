#!/usr/bin/env bash
# Runs every libFuzzer harness (tests/fuzz/, a build configured with -DNPUSIM_FUZZ=ON, see
# scripts/check-sanitizers.sh) for SECONDS each, starting from its committed seed corpus
# (copied: the committed corpus is not changed), and prints the executions per target. A
# crash, sanitizer report, leak, timeout (10 s per input) or non-input exception is a
# finding: the reproducer is kept in OUT/<target>/ and the script exits 1.
#   scripts/fuzz.sh                         every target, 30 s each, build-fuzz/
#   SECONDS_EACH=600 scripts/fuzz.sh fuzz_onnx fuzz_darknet_cfg
# Environment: BUILD_DIR (build-fuzz), SECONDS_EACH (30), JOBS (1: targets run at once),
# OUT (runs/fuzz).
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then  # the header comment is the help
  sed -n '2,/^set -euo/p' "$0" | sed -n 's/^# \{0,1\}//p'; exit 0
fi
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build-fuzz}
secs=${SECONDS_EACH:-30}
jobs=${JOBS:-1}
out=${OUT:-runs/fuzz}
targets=("$@")
((${#targets[@]})) || targets=($(ls tests/fuzz/corpus))
mkdir -p "$out"
run_one() {
  local t=$1 dir=$out/$1 rc=0
  rm -rf "$dir"; mkdir -p "$dir/corpus"
  cp tests/fuzz/corpus/"$t"/* "$dir/corpus/"
  ( cd "$dir" && ASAN_OPTIONS=detect_leaks=1 "$OLDPWD/$build/tests/fuzz/$t" corpus -max_total_time="$secs" \
      -timeout=10 -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 >log.txt 2>&1 ) || rc=$?
  local execs
  execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$dir/log.txt" | tail -1)
  if ((rc != 0)); then
    echo "$t: FINDING after ${execs:-?} executions (exit $rc): $dir/log.txt"
    grep -m3 -E "ERROR|finding|SUMMARY|Test unit written" "$dir/log.txt" || true
    return 1
  fi
  printf '%-22s %10s executions in %s s, corpus %s inputs\n' "$t" "$execs" "$secs" "$(ls "$dir/corpus" | wc -l)"
}
export -f run_one; export out build secs OLDPWD
fail=0
printf '%s\n' "${targets[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one {}' || fail=1
exit $fail
