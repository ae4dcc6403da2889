#!/usr/bin/env bash
# Sets up a fresh machine (system packages, build) and runs the demo on the embedded SQLite store.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-packages.sh
swift build --product improve-demo
demo_dir=$(mktemp -d)
trap 'rm -rf "$demo_dir"' EXIT
.build/debug/improve-demo "$demo_dir"
