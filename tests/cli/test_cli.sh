#!/usr/bin/env bash
# End-to-end checks of the npusim command line: outputs and exit codes of the real binary.
set -u
: "${NPUSIM:?path of the npusim binary}" "${NPUSIM_TEST_DATA_DIR:?}"
passed=0 failed=0
check() {  # check NAME EXPECTED_EXIT PATTERN -- command...
  local name=$1 want=$2 pattern=$3; shift 4
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [[ $rc -eq $want ]] && grep -qE -- "$pattern" <<<"$out"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $name (exit $rc, want $want; pattern '$pattern')"; echo "$out" | head -5
  fi
}
check list 0 'hardnet68 .*224x224' -- "$NPUSIM" list
check info-hardnet 0 'hardnet68: .* 17565348 parameters, 4246114304 MACs' -- "$NPUSIM" info --net hardnet68
check info-json 0 '"cio": 11468940' -- "$NPUSIM" info --net hardnet68 --json
check info-file 0 'tiny_residual: 11 layers' -- "$NPUSIM" info --net "$NPUSIM_TEST_DATA_DIR/tiny_residual.json"
check unknown-net 2 "unknown network 'nosuchnet'" -- "$NPUSIM" info --net nosuchnet
check small-input 2 "at input 16x16: layer" -- "$NPUSIM" info --net hardnet68 --input 16
check bad-input-flag 2 "--input expects an integer" -- "$NPUSIM" info --net resnet50 --input abc
check missing-file 2 "cannot open" -- "$NPUSIM" info --net /no/such/file.json
check unknown-flag 2 "unknown option --frobnicate" -- "$NPUSIM" info --frobnicate
check unknown-command 2 "unknown command" -- "$NPUSIM" fly
# info --json can be fed back as a network file
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$NPUSIM" info --net csppeleenet --json >"$tmp/net.json"
check json-roundtrip 0 'csppeleenet: .* 2454056 parameters, 446743552 MACs' -- "$NPUSIM" info --net "$tmp/net.json"
# npusim dram: the DRAM model alone
check dram-pattern 0 'bandwidth .*GB/s of 19.20 GB/s peak' -- "$NPUSIM" dram --pattern seq-read --requests 20000
check dram-json 0 '"row_hit_rate"' -- "$NPUSIM" dram --standard HBM2 --pattern rand-read --requests 5000 --json
check dram-check-timing 0 'timing check: [0-9]+ commands, 0 violations' -- "$NPUSIM" dram --standard LPDDR4-3200 --pattern mix --requests 20000 --check-timing
check dram-dramsim3 0 'DRAM DDR4-2400: 3 requests \(2 reads, 1 writes\)' -- "$NPUSIM" dram --trace "$NPUSIM_TEST_DATA_DIR/dramsim3_small.trace"
check dram-ramulator 0 '4 requests \(3 reads, 1 writes\)' -- "$NPUSIM" dram --trace "$NPUSIM_TEST_DATA_DIR/ramulator_small.trace" --format ramulator
check dram-bad-line 2 "bad_address.trace:2: field 'address': expected a hex" -- "$NPUSIM" dram --trace "$NPUSIM_TEST_DATA_DIR/bad_address.trace"
check dram-missing-trace 2 "no_such.trace: cannot open" -- "$NPUSIM" dram --trace /tmp/no_such.trace
check dram-unknown-standard 2 "unknown DRAM standard 'DDR9'" -- "$NPUSIM" dram --standard DDR9
check dram-bad-pattern 2 "unknown pattern 'zigzag'" -- "$NPUSIM" dram --pattern zigzag
check dram-beyond-capacity 2 "beyond the 1024 MiB" -- "$NPUSIM" dram --standard LPDDR4-3200 --trace "$NPUSIM_TEST_DATA_DIR/far_address.trace"
tmpd=$(mktemp -d)
sed 's/"nRC": 55/"nRC": 40/' "$(dirname "$0")/../../configs/dram/DDR4-2400.json" >"$tmpd/bad.json"
check dram-bad-preset 2 "bad.json: field 'timing.nRC': expected >= nRAS \+ nRP = 55 \(got 40\)" -- "$NPUSIM" dram --spec "$tmpd/bad.json"
rm -rf "$tmpd"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
