#!/usr/bin/env bash
# Runs every test on a fresh machine: installs what the tests need (system packages; Chromium
# from Debian for the HTML report test; tmux for the guided-entry test; schemathesis from PyPI
# for the OpenAPI conformance test; PostgreSQL from Debian for the second storage backend),
# then `swift test` beside a throwaway PostgreSQL cluster that is stopped afterwards, whether
# the tests pass or fail. Before the tests it checks the code's format (swift format lint); after
# them, that the DocC documentation builds without warnings (scripts/check-docs.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-packages.sh
command -v chromium >/dev/null 2>&1 || bash scripts/install-system-packages.sh chromium
# The guided-entry test (improve enter) types into a real pseudo-terminal through tmux.
command -v tmux >/dev/null 2>&1 || bash scripts/install-system-packages.sh tmux
if ! command -v st >/dev/null 2>&1 && [ ! -x "$HOME/.local/bin/st" ]; then
    echo "test tools: installing schemathesis from PyPI"
    python3 -m pip install --quiet --disable-pip-version-check schemathesis
fi
# Style first (seconds): the checked-in .swift-format (4 spaces, 120 columns), warnings as errors.
echo "style: swift format lint --strict (Sources, Tests, Package.swift)"
swift format lint --strict --recursive --parallel Sources Tests Package.swift
bash scripts/with-test-postgres.sh swift test "$@"
# The client documentation (DocC) builds with warnings as errors.
bash scripts/check-docs.sh
