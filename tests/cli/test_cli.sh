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
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
