#!/usr/bin/env bash
# The whole test suite and a few whole runs under AddressSanitizer + UndefinedBehaviorSanitizer
# (clang; any UB report is fatal), then every libFuzzer harness of the parsers for a bounded
# time from its seed corpus. Builds into build-fuzz/ (-DNPUSIM_FUZZ=ON, which implies
# -DNPUSIM_SANITIZE=ON). Called by .ci/run.
#   scripts/check-sanitizers.sh               build, tests, runs, 20 s per fuzzer
#   FUZZ_SECONDS=600 scripts/check-sanitizers.sh
# Environment: BUILD_DIR (build-fuzz), FUZZ_SECONDS (20), JOBS (2).
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then  # the header comment is the help
  sed -n '2,/^set -euo/p' "$0" | sed -n 's/^# \{0,1\}//p'; exit 0
fi
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build-fuzz}
jobs=${JOBS:-2}
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# LeakSanitizer's exit-time tracer crashes now and then on the stacks of SystemC's user-level
# threads (seen in tlm_dram and interrupted runs: "Tracer caught signal 11"), so leaks are
# checked by the fuzzers (every parser; scripts/fuzz.sh turns detection on) and not in the
# SystemC suite and runs; ASan's memory errors and UBSan stay on everywhere.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DNPUSIM_FUZZ=ON -DNPUSIM_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j "$jobs"
echo "== sanitizers: the test suite"
ctest --test-dir "$build" --output-on-failure -j "$jobs"
echo "== sanitizers: whole runs"
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
npusim=$build/npusim
"$npusim" run --out "$w/default" --quiet                       # the README's main job
"$npusim" run --net cspdarknet53 --arch server-128x128 --reuse liveness --quiet --out "$w/csp"
"$npusim" run --net resnet18 --arch edge-16x16 --set pe.dataflow=os --quiet --out "$w/traced" \
  --trace dram-cmd,dram-cmd-bin,dram-req,dram-req-ramulator,dram-req-ramulator2,timeline,vcd
"$npusim" dram --arch edge-16x16 --replay "$w/traced/trace/dram-req.trace" --check-timing >/dev/null
"$npusim" dram --arch edge-16x16 --check-commands "$w/traced/trace/dram-cmd.bin" >/dev/null
"$npusim" sweep configs/sweeps/small-test.json --out "$w/sweep" --jobs "$jobs" --quiet
"$npusim" compare "$w/default" "$w/default" >/dev/null
echo "== sanitizers: fuzzers, ${FUZZ_SECONDS:-20} s each"
BUILD_DIR=$build SECONDS_EACH=${FUZZ_SECONDS:-20} JOBS=$jobs OUT="$w/fuzz" scripts/fuzz.sh
echo "sanitizers: clean"
