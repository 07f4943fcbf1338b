#!/usr/bin/env bash
# Installs everything the tests need and runs them: the README's test command, and what CI runs.
#  - as root with apt-get (CI, a fresh Debian machine): installs chromium, postgresql, openssh-server;
#    otherwise the browser, PostgreSQL and SSH tests skip and say why (under CI=true they must run).
#  - a virtualenv in .venv with requirements-dev.txt.
#  - ruff and mypy --strict (the settings are in pyproject.toml): a finding fails the run.
#  - pytest; "no tests collected" (exit 5) counts as a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  need=()
  [ -x /usr/bin/chromium ] || need+=(chromium)
  fc-list 2>/dev/null | grep -qi "Noto Color Emoji" || need+=(fonts-noto-color-emoji)
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
  [ -x /usr/sbin/sshd ] || need+=(openssh-server)
  if [ ${#need[@]} -gt 0 ]; then
    echo "Installing system packages: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
else
  echo "Not root or no apt-get: tests needing chromium, postgresql or sshd skip if those are missing."
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -r requirements-dev.txt

echo "Lint: ruff check"
.venv/bin/ruff check --quiet .
echo "Types: mypy --strict relookx"
.venv/bin/mypy --no-error-summary
echo "Tests: pytest"

set +e
.venv/bin/python -m pytest "$@"
code=$?
set -e
if [ "$code" = 5 ]; then
  echo "pytest collected no tests: failing." >&2
  exit 1
fi
exit "$code"
