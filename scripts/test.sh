#!/usr/bin/env bash
# Runs every test on a fresh machine: installs what the tests need (system packages, and
# schemathesis from PyPI for the OpenAPI conformance test), then `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-packages.sh
if ! command -v st >/dev/null 2>&1 && [ ! -x "$HOME/.local/bin/st" ]; then
    echo "test tools: installing schemathesis from PyPI"
    python3 -m pip install --quiet --disable-pip-version-check schemathesis
fi
swift test "$@"
