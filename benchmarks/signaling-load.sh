#!/usr/bin/env bash
# Whole-server benchmark of kezdesu signaling on loopback:
#   1. idle:  SESSIONS WebSocket sessions joined in rooms of 4, then the server's memory per session;
#   2. load:  ROOMS rooms x 4 participants keeping WINDOW offer/answer/candidate messages each in flight:
#             relayed messages/s, p50/p99 relay latency, server CPU per message.
# Each phase runs against a fresh daemon. Results go to stdout; docs/BENCHMARKS.md records a run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SESSIONS=${SESSIONS:-15000}
ROOMS=${ROOMS:-50}
WINDOW=${WINDOW:-4}
SECONDS_LOAD=${SECONDS_LOAD:-20}
HEAP=${HEAP:-1g}

# Package and resolve the classpath in one reactor build, so kezdesu's own modules come from this checkout.
mvn -B -q -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >/dev/null
CP="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
work=benchmarks/target/signaling-load
rm -rf "$work" && mkdir -p "$work"

start_daemon() {
  # A fixed, pre-touched heap: RSS then moves only with native memory, not with the collector's sizing.
  java -Xms"$HEAP" -Xmx"$HEAP" -XX:+AlwaysPreTouch -jar cli/target/kezdesu.jar signaling --data-dir "$work/data-$1" --http-ip 127.0.0.1 \
    --http-port 0 --ws-rate-limit 1000000 --heartbeat-timeout 60s --max-participants-limit 1000 --connections-per-ip 0 \
    2> "$work/daemon-$1.log" &
  pid=$!
  for _ in $(seq 1 300); do
    if grep -q ' ready: ' "$work/daemon-$1.log" 2>/dev/null; then break; fi
    sleep 0.1
  done
  url=$(sed -E 's/.*"url":"([^"]+)".*/\1/' "$work/data-$1/daemon.json")
}

echo "machine: $(nproc) cores, $(free -h | awk '/Mem:/{print $2}') RAM, kernel $(uname -r), $(java -version 2>&1 | head -1)"
echo "== idle: $SESSIONS sessions"
start_daemon idle
mongo=$(grep -oE 'mongodb://127\.0\.0\.1:[0-9]+' "$work/daemon-idle.log" | head -1 || true)
java -cp "$CP" io.kezdesu.benchmarks.SignalingLoad --url "$url" --data-dir "$work/data-idle" --mongo-uri "$mongo" \
  --mode idle --rooms $((SESSIONS / 4)) --participants 4 --sources 8 --seconds 15 --pid "$pid"
kill -TERM "$pid"; wait "$pid" || true

echo "== load: $ROOMS rooms x 4, window $WINDOW, ${SECONDS_LOAD}s"
start_daemon load
mongo=$(grep -oE 'mongodb://127\.0\.0\.1:[0-9]+' "$work/daemon-load.log" | head -1 || true)
java -cp "$CP" io.kezdesu.benchmarks.SignalingLoad --url "$url" --data-dir "$work/data-load" --mongo-uri "$mongo" \
  --mode load --rooms "$ROOMS" --participants 4 --window "$WINDOW" --seconds "$SECONDS_LOAD" --sources 4 --pid "$pid"
kill -TERM "$pid"; wait "$pid" || true
