# The assertion of the CLI test scripts (sourced): run a command, compare its exit code and
# match its output (stdout and stderr) against an extended regular expression.
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
