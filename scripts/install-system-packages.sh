#!/usr/bin/env bash
# Installs the Debian packages Improve builds and tests against, if any are missing; given
# package names, installs those instead (the test scripts use it for Chromium and PostgreSQL).
set -euo pipefail
if [ $# -gt 0 ]; then
    packages=("$@")
else
    packages=(libsqlite3-dev libcurl4-openssl-dev)
    # The operations kit tests (Tests/ImprovementServerTests/OperationsKitTests.swift): systemd-analyze,
    # the sqlite3 shell for the documented backup, PyYAML to read compose.yaml, readelf for linked libraries.
    packages+=(systemd sqlite3 python3-yaml binutils)
    # The HTTPS test makes a throwaway certificate with the openssl command.
    packages+=(openssl)
fi
missing=()
for package in "${packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "system packages: all present (${packages[*]})"
    exit 0
fi
echo "system packages: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${missing[@]}"
