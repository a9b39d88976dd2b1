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

scripts/test-services.sh start >/tmp/teamassist-test-env.sh
source /tmp/teamassist-test-env.sh
trap 'scripts/test-services.sh stop' EXIT
export TEAMASSIST_TEST_ALL_BACKENDS=1
# Bytecode is written (and read) here even where the shell turns it off: without it every
# process compiles its imports again, the two workers' collection and each product process a
# test starts (serve, worker, CLI). Collecting the suite took 54 s CPU uncached, 18 s with the
# .pyc files written (session 21, load ~9; `pytest --collect-only` run twice).
unset PYTHONDONTWRITEBYTECODE

echo "== ruff"; $BIN/ruff check src tests benchmarks && $BIN/ruff format --check -q src tests benchmarks
echo "== mypy"; $BIN/mypy
echo "== import contracts"; $BIN/lint-imports --no-cache
echo "== pytest"
$BIN/pytest -q -n 2 --dist loadfile "$@"
