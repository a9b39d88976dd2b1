#!/usr/bin/env bash
# The whole test suite, as `make test` and CI run it: system packages the tests need (Debian
# chromium + CJK fonts; pango and harfbuzz-subset for WeasyPrint's PDFs: without the latter
# it warns, which the suite treats as an error), throwaway PostgreSQL and MariaDB
# servers, lint, types, pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

need=()
for pkg in chromium fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} (Debian)"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq >/tmp/teamassist-apt.log 2>&1
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" \
    >>/tmp/teamassist-apt.log 2>&1 || { tail -n 30 /tmp/teamassist-apt.log; exit 1; }
fi

# Types are checked beside everything else: a cold mypy (a fresh clone, no .mypy_cache) took
# 172–194 s wall at load 8–13 for ~45 s CPU (sessions 22, 23), most of it time the servers'
# start, lint and pytest's collection and database waits leave a core idle. Its output is held
# and printed after pytest's; either failing fails the run.
mypy_log=$(mktemp /tmp/teamassist-mypy.XXXXXX)
$BIN/mypy >"$mypy_log" 2>&1 &
mypy_pid=$!
trap 'kill "$mypy_pid" 2>/dev/null || true; rm -f "$mypy_log"' EXIT

scripts/test-services.sh start >/tmp/teamassist-test-env.sh
source /tmp/teamassist-test-env.sh
trap 'kill "$mypy_pid" 2>/dev/null || true; rm -f "$mypy_log"; scripts/test-services.sh stop' EXIT
export TEAMASSIST_TEST_ALL_BACKENDS=1
# Bytecode is written (and read) here even where the shell turns it off: without it every
# process compiles its imports again, the two workers' collection and each product process a
# test starts (serve, worker, CLI). Collecting the suite took 54 s CPU uncached, 18 s with the
# .pyc files written (session 21, load ~9; `pytest --collect-only` run twice).
unset PYTHONDONTWRITEBYTECODE

# Two commands, not `a && b`: `set -e` ignores a failure left of `&&`, and a failing `ruff
# check` used to end this line without ending the run.
echo "== ruff"; $BIN/ruff check src tests benchmarks; $BIN/ruff format --check -q src tests benchmarks
echo "== import contracts"; $BIN/lint-imports --no-cache
echo "== pytest"
pytest_status=0
# The 25 slowest phases (set-up, call or teardown over a second) are listed before the summary,
# so the tail of a CI log shows where the time went.
# Files go to the workers longest first (tests/support/schedule.py), not by test count.
$BIN/pytest -q -n 2 --dist loadfile --no-loadscope-reorder --durations=25 --durations-min=1 "$@" \
  || pytest_status=$?
echo "== mypy (ran beside the steps above)"
mypy_status=0
wait "$mypy_pid" || mypy_status=$?
cat "$mypy_log"
if [ "$pytest_status" -ne 0 ]; then exit "$pytest_status"; fi
exit "$mypy_status"
