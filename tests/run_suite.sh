#!/usr/bin/env bash
# `make test`: lint and every test, on both cores, with a summary at the end.
#
# Usage: tests/run_suite.sh PYTHON TEST_WORKERS [pytest args...]
#
# From the start, in the background on a PostgreSQL and Redis of their own:
# the worker tests (integration), one at a time — they spend most of their
# time waiting for real worker, web and beat processes, and some stop and
# restart Redis — then the audit trail's tamper checks on the default SQLite
# database. In the foreground meanwhile, on services of their own: ruff and
# mypy, then the unit tests, then the browser tests (pytest-xdist, each
# worker with its own test database, data folder and Redis database; each
# unit test file on one worker, so that a module's expensive fixture — the
# seeded demo, the regenerated catalogues — is built once, not once per
# worker; the browser tests reuse the unit tests' databases). Every part writes a log; the
# worker tests' log is printed after the others, and a summary last of all
# gives each part's outcome and every failed test, so that the end of the
# output says what went wrong.
set -uo pipefail

if [ "${1:-}" = "--foreground" ]; then  # inside tests/with_services.sh, see below
  shift
  py=$1 workers=$2
  shift 2
  # shellcheck disable=SC2086  # LINT is a command line (tests/portal/test_run_suite.py sets a stand-in)
  run_part lint ${LINT:-make --no-print-directory lint} &&
    run_part unit "$py" -m pytest -n "$workers" --dist loadfile --reuse-db -m "not e2e and not integration" "$@" &&
    run_part e2e "$py" -m pytest -n "$workers" --reuse-db -m "e2e and not integration" "$@"
  exit
fi

py=$1 workers=$2
shift 2

bash tests/with_services.sh --install-only || exit 1

PORTAL_TEST_LOGS=$(mktemp -d /tmp/portal-make-test.XXXXXX)
PORTAL_TEST_STARTED=$(date +%s)
export PORTAL_TEST_LOGS PORTAL_TEST_STARTED
logs=$PORTAL_TEST_LOGS

elapsed() {
  local s=$(($(date +%s) - PORTAL_TEST_STARTED))
  printf '%d:%02d' $((s / 60)) $((s % 60))
}

run_part() {  # NAME COMMAND...: runs it, shows its output, keeps a log and the outcome
  local name=$1
  shift
  "$@" 2>&1 | tee "$PORTAL_TEST_LOGS/$name.log"
  local rc=${PIPESTATUS[0]}
  echo "$name: exit $rc at $(elapsed)" >"$PORTAL_TEST_LOGS/$name.rc"
  return "$rc"
}
export -f elapsed run_part

{
  run_part integration bash tests/with_services.sh "$py" -m pytest -m "integration" "$@"
  run_part audit env -u DATABASE_URL "$py" -m pytest -q tests/privacy/test_audit_trail.py -m "not postgresql"
} >/dev/null 2>&1 &
background=$!

bash tests/with_services.sh bash "$0" --foreground "$py" "$workers" "$@"

echo "--- The worker tests (integration), then the audit trail on SQLite, ran beside the above ---"
wait "$background"
cat "$logs/integration.log" "$logs/audit.log" 2>/dev/null

echo
echo "=== make test: summary (times from the start) ==="
status=0
for part in lint unit e2e integration audit; do
  if [ -s "$logs/$part.rc" ]; then
    echo "  $(cat "$logs/$part.rc")"
    grep -q ": exit 0 at" "$logs/$part.rc" || status=1
  else
    echo "  $part: not run (an earlier part failed)"
    status=1
  fi
done
failed=$(cat "$logs"/*.log 2>/dev/null | grep -E '^(FAILED|ERROR) ' | sort -u)
if [ -n "$failed" ]; then
  echo "  Failed:"
  echo "$failed" | sed 's/^/    /'
fi
echo "  Total: $(elapsed)"
rm -rf "$logs"
exit "$status"
