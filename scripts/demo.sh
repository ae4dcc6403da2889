#!/usr/bin/env bash
# Sets up a fresh machine (system packages, build) and runs a demo with the real binaries on the
# embedded SQLite default: a sync server, a coordinator and two ward devices that record offline,
# sync, meet a conflict that the coordinator resolves, and review the chart and progress.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-packages.sh
# One build for both binaries (and the small benchmark tool): two `swift build --product` runs
# would each plan and link the shared dependencies again.
swift build
bin=$(swift build --show-bin-path)
demo=$(mktemp -d)
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    rm -rf "$demo"
}
trap cleanup EXIT
say() { printf '\n== %s\n' "$*"; }
improve() { local device=$1; shift; "$bin/improve" "$@" --store "$demo/$device.sqlite"; }

say "The sync server starts on loopback; the coordinator hands out tokens"
db="$demo/server.sqlite"
coordinator_token=$("$bin/improve-server" user add lead --role coordinator --sites north --database "$db" | tail -n 1)
tablet_token=$("$bin/improve-server" user add ward7-tablet --role member --sites north --database "$db" | tail -n 1)
laptop_token=$("$bin/improve-server" user add ward7-laptop --role member --sites north --database "$db" | tail -n 1)
"$bin/improve-server" serve --database "$db" --port 0 --log-level warning > "$demo/server.out" &
server_pid=$!
for _ in $(seq 50); do grep -q listening "$demo/server.out" 2>/dev/null && break; sleep 0.1; done
url="http://$(grep -o '127.0.0.1:[0-9]*' "$demo/server.out")"
echo "server at $url"

say "The coordinator defines the programme and syncs"
improve coordinator init --site north --server "$url" --token "$coordinator_token" --user lead >/dev/null
improve coordinator site add north --name "North Hospital" >/dev/null
improve coordinator unit add ward-7 --site north --name "Ward 7" >/dev/null
improve coordinator programme add falls --name "Fewer falls" --aim "Reduce inpatient falls on Ward 7 by 30% by June 2027" >/dev/null
improve coordinator measure add falls-rate --programme falls --name "Falls per 1,000 bed days" --type outcome \
    --chart u --frequency week --direction down --multiplier 1000 --expressed-as "per 1,000 bed days" --target 3 >/dev/null
improve coordinator sync

say "Two ward devices join and receive the definitions"
improve tablet init --site north --server "$url" --token "$tablet_token" --user sister.okafor >/dev/null
improve laptop init --site north --server "$url" --token "$laptop_token" --user nurse.patel >/dev/null
improve tablet sync >/dev/null
improve laptop sync >/dev/null

say "Offline, the tablet records 20 weeks; the laptop records last week differently"
monday=$(date -u -d "last monday" +%F)
for weeks_ago in $(seq 20 -1 1); do
    period=$(date -u -d "$monday - $((weeks_ago * 7)) days" +%F)
    if [ "$weeks_ago" -gt 8 ]; then falls=$((4 + weeks_ago % 3)); else falls=$((1 + weeks_ago % 2)); fi
    improve tablet record falls-rate --unit ward-7 --period "$period" --numerator "$falls" --denominator 900 >/dev/null
done
last_week=$(date -u -d "$monday - 7 days" +%F)
sleep 0.1  # the laptop's entry is made a moment later
improve laptop record falls-rate --unit ward-7 --period "$last_week" --numerator 4 --denominator 900 \
    --note "includes two falls on the night of the storm" >/dev/null
improve laptop status

say "Back online: both sync, in turn"
improve tablet sync
improve laptop sync
improve tablet sync >/dev/null

say "The coordinator sees the conflict (one entry, both versions whole) and keeps the tablet's version"
improve coordinator sync >/dev/null
improve coordinator conflicts
conflict=$(improve coordinator conflicts --json \
    | python3 -c 'import json,sys; print(next(c["id"] for c in json.load(sys.stdin) if "numerator" in c["fields"]))')
improve coordinator conflicts resolve "$conflict" --keep loser
improve coordinator sync >/dev/null
improve tablet sync >/dev/null
improve tablet observations --measure falls-rate | tail -n 3

say "The coordinator marks the change (bay nursing, 8 weeks ago) as a new phase"
improve coordinator annotate falls-rate --date "$(date -u -d "$monday - 56 days" +%F)" --text "Bay nursing started" --phase
improve coordinator sync >/dev/null
improve tablet sync >/dev/null

say "Review: run chart and progress (values per 1,000 bed days; one verdict everywhere)"
improve tablet chart falls-rate --unit ward-7 --kind run
improve tablet progress
improve tablet report --out "$demo/report.html" >/dev/null && echo "HTML report written ($(wc -c < "$demo/report.html") bytes)"
