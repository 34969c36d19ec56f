#!/usr/bin/env bash
# Installs the peers of the pec benchmark (issue 5): hledger (Debian package),
# beancount 3 + beanquery (PyPI; bean-query lives in beanquery since beancount 3)
# and GNU time (Debian package `time`). Never project dependencies: nothing here
# touches pyproject.toml. Idempotent: skips what is already installed.
# Usage: bash benchmarks/setup.sh
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
fi

apt_missing=()
command -v hledger >/dev/null 2>&1 || apt_missing+=(hledger)
[ -x /usr/bin/time ] || apt_missing+=(time)
if [ "${#apt_missing[@]}" -gt 0 ]; then
    if command -v apt-get >/dev/null 2>&1; then
        echo "setup: apt-get install ${apt_missing[*]}"
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${apt_missing[@]}"
    else
        echo "setup: apt-get not found; install ${apt_missing[*]} by hand" >&2
    fi
else
    echo "setup: hledger and /usr/bin/time already installed"
fi

PY="${PYTHON:-python3}"
pip_missing=()
"$PY" -c 'import beancount, sys; sys.exit(0 if int(beancount.__version__.split(".")[0]) >= 3 else 1)' \
    >/dev/null 2>&1 || pip_missing+=("beancount>=3")
command -v bean-query >/dev/null 2>&1 && "$PY" -c 'import beanquery' >/dev/null 2>&1 || pip_missing+=(beanquery)
if [ "${#pip_missing[@]}" -gt 0 ]; then
    echo "setup: pip install ${pip_missing[*]}"
    "$PY" -m pip install --quiet "${pip_missing[@]}"
else
    echo "setup: beancount 3 and beanquery already installed"
fi

echo "setup: hledger: $(hledger --version 2>/dev/null | head -1 || echo 'no instalado')"
echo "setup: beancount: $("$PY" -c 'import beancount; print(beancount.__version__)' 2>/dev/null || echo 'no instalado')"
echo "setup: bean-query: $(command -v bean-query || echo 'no instalado')"
echo "setup: time: $(/usr/bin/time --version 2>&1 | head -1 || echo 'no instalado')"
