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
# Another apt or dpkg (unattended-upgrades on a fresh machine, say) may hold the lock: wait for it,
# up to IMPROVE_APT_LOCK_TIMEOUT seconds in all (default 600), rather than fail at once.
lock_timeout=${IMPROVE_APT_LOCK_TIMEOUT:-600}
apt_get() {
    local deadline=$((SECONDS + lock_timeout)) errors told=""
    errors=$(mktemp)
    while true; do
        # DPkg::Lock::Timeout makes apt wait for the dpkg lock itself; the loop also covers the
        # lists lock of apt-get update and apt versions that do not know the option.
        if $sudo apt-get -o DPkg::Lock::Timeout=30 "$@" 2> >(tee "$errors" >&2); then
            rm -f "$errors"
            return 0
        fi
        if grep -qiE "could not get lock|unable to acquire|is held by process" "$errors" && [ $SECONDS -lt $deadline ]; then
            [ -n "$told" ] || echo "system packages: another apt or dpkg process holds the lock; waiting for it (at most ${lock_timeout}s; set IMPROVE_APT_LOCK_TIMEOUT to change)" >&2
            told=yes
            sleep 5
            continue
        fi
        if [ $SECONDS -ge $deadline ]; then
            echo "system packages: the apt lock was still held after ${lock_timeout}s; finish the other apt or dpkg process (ps aux | grep -E 'apt|dpkg') and run this again" >&2
        fi
        rm -f "$errors"
        return 1
    done
}
apt_get update -qq
apt_get install -y -qq "${missing[@]}"
