#!/usr/bin/env bash
# Makes release-1-device.sqlite: a device store written by the previous release's `improve`
# (commit 8d38a1c, store schema v1 + v2), for the upgrade test. It holds synced and pending
# observations, a conflict, and changes of fields that release did not know (a measure's
# multiplier and unit words, an annotation excluding a point) that it pulled from a newer device.
#
#   OLD=/path/to/8d38a1c/.build/debug NEW=.build/debug bash Tests/Fixtures/make-release-1-store.sh
set -euo pipefail
: "${OLD:?the folder with the previous release's improve}" "${NEW:?the folder with this release's binaries}"
out="$(cd "$(dirname "$0")" && pwd)/release-1-device.sqlite"
work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
"$NEW/improve-server" user add lead --role coordinator --sites north --database "$work/server.sqlite" > "$work/lead"
"$NEW/improve-server" user add old --role member --sites north --database "$work/server.sqlite" > "$work/old"
"$NEW/improve-server" user add laptop --role member --sites north --database "$work/server.sqlite" > "$work/laptop"
"$NEW/improve-server" serve --database "$work/server.sqlite" --port 0 > "$work/serve.out" 2>"$work/serve.err" &
server=$!
for _ in $(seq 100); do grep -q "listening on" "$work/serve.out" && break; sleep 0.1; done
url="http://127.0.0.1:$(sed -n 's/.*listening on.*:\([0-9]*\)$/\1/p' "$work/serve.out" | head -1)"
token() { awk '{print $NF}' "$1" | tail -1; }
new() { IMPROVE_USER=lead "$NEW/improve" "$@" --store "$work/lead.sqlite"; }
laptop() { IMPROVE_USER=nurse.b "$NEW/improve" "$@" --store "$work/laptop.sqlite"; }
old() { IMPROVE_USER=nurse.a "$OLD/improve" "$@" --store "$work/old.sqlite"; }
monday=$(date -u -d "last monday" +%F)
week() { date -u -d "$monday - $(( $1 * 7 )) days" +%F; }

new init --site north --server "$url" --token "$(token "$work/lead")" --replica lead-device >/dev/null
new site add north --name "North Hospital" >/dev/null
new unit add ward-7 --site north --name "Ward 7" >/dev/null
new programme add falls --name "Fewer falls" --aim "Reduce falls on Ward 7 by 30% by June 2027" >/dev/null
new measure add falls-rate --programme falls --name "Falls per 1,000 bed days" --type outcome --chart u \
    --frequency week --direction down --multiplier 1000 --expressed-as "per 1,000 bed days" >/dev/null
new annotate falls-rate --date "$(week 3)" --text "Norovirus closed a bay" --exclude >/dev/null
new sync >/dev/null

old init --site north --server "$url" --token "$(token "$work/old")" --replica old-device >/dev/null
old sync >/dev/null
for n in 6 5; do old record falls-rate --unit ward-7 --period "$(week "$n")" --numerator "$n" --denominator 900 >/dev/null; done
old sync >/dev/null
laptop init --site north --server "$url" --token "$(token "$work/laptop")" --replica laptop-device >/dev/null
laptop sync >/dev/null
laptop record falls-rate --unit ward-7 --period "$(week 4)" --numerator 7 --denominator 900 >/dev/null
laptop sync >/dev/null
# The old device records the same week without having seen the laptop's: a conflict.
old record falls-rate --unit ward-7 --period "$(week 4)" --numerator 3 --denominator 900 --note "recounted" >/dev/null
old sync >/dev/null
# Recorded after the last sync: pending when the store is upgraded.
old record falls-rate --unit ward-7 --period "$(week 2)" --numerator 2 --denominator 900 >/dev/null
old record falls-rate --unit ward-7 --period "$(week 1)" --numerator 1 --denominator 900 >/dev/null
python3 - "$work/old.sqlite" "$out" <<'PY'
import sqlite3, sys
source = sqlite3.connect(sys.argv[1])
source.execute("PRAGMA wal_checkpoint(TRUNCATE)")
target = sqlite3.connect(sys.argv[2] + ".tmp")
source.backup(target)
target.execute("PRAGMA journal_mode=DELETE")
target.close()
PY
mv "$out.tmp" "$out"
echo "wrote $out"
