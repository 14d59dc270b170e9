#!/usr/bin/env bash
# What forwarding between signaling nodes costs (docs/CLUSTER.md): two `kezdesu signaling` nodes, default JVM settings,
# on one `kezdesu store`, and ROOMS rooms x 4 participants passing WINDOW offer/answer/candidate messages each around
# (SignalingLoad's load mode), each receiver waiting PAUSE_US before it sends the next: the offered load is set by the
# pause (about ROOMS x 4 x WINDOW / PAUSE messages per second), the same for both runs, far below saturation.
# Run 1, "one node": everyone connects to node A. Run 2, "forwarded": participants at odd places connect to node B,
# which forwards to the room's owner (A or B, whichever took the room's lease first), so about half of all relayed
# messages cross the hop. The two runs alternate RUNS
# times; each prints messages/s, p50/p99 latency and the CPU of both nodes per relayed message.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOMS=${ROOMS:-50}
WINDOW=${WINDOW:-1}
SECONDS_LOAD=${SECONDS_LOAD:-15}
RUNS=${RUNS:-2}
PAUSE_US=${PAUSE_US:-10000}
SECRET="cluster-hop benchmark jwt secret, the same on both nodes"

mvn -B -q -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >/dev/null
CP="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"
work=benchmarks/target/cluster-hop
rm -rf "$work" && mkdir -p "$work"
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

java -jar cli/target/kezdesu.jar store --data-dir "$work/store" --port 0 > "$work/store.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do grep -q '^mongodb://' "$work/store.log" 2>/dev/null && break; sleep 0.1; done
mongo=$(grep -m1 '^mongodb://' "$work/store.log")

start_node() {
  java -jar cli/target/kezdesu.jar signaling --data-dir "$work/node-$1" --http-ip 127.0.0.1 --http-port 0 \
    --mongo-uri "$mongo" --jwt-secret "$SECRET" --ws-rate-limit 1000000 --connections-per-ip 0 \
    --max-participants-limit 1000 > "$work/node-$1.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 1 300); do grep -q ' ready: ' "$work/node-$1.log" 2>/dev/null && break; sleep 0.1; done
  local url
  url=$(grep -m1 -oE 'ready: http http://127\.0\.0\.1:[0-9]+' "$work/node-$1.log" | awk '{print $3}')
  echo "$pid $url"
}
read -r pidA urlA < <(start_node a)
read -r pidB urlB < <(start_node b)

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(java -version 2>&1 | head -1)"
echo "load: $ROOMS rooms x 4, window $WINDOW, pause ${PAUSE_US} us, ${SECONDS_LOAD} s per run; nodes A $urlA, B $urlB"
for run in $(seq 1 "$RUNS"); do
  echo "== run $run: one node (everyone on A)"
  java -cp "$CP" io.kezdesu.benchmarks.SignalingLoad --url "$urlA" --jwt-secret "$SECRET" --mongo-uri "$mongo" \
    --mode load --rooms "$ROOMS" --participants 4 --window "$WINDOW" --seconds "$SECONDS_LOAD" --pid "$pidA" \
    --pid2 "$pidB" --pause-us "$PAUSE_US" | grep -E 'relayed|server CPU:'
  echo "== run $run: forwarded (odd places on B)"
  java -cp "$CP" io.kezdesu.benchmarks.SignalingLoad --url "$urlA" --url2 "$urlB" --jwt-secret "$SECRET" \
    --mongo-uri "$mongo" --mode load --rooms "$ROOMS" --participants 4 --window "$WINDOW" --seconds "$SECONDS_LOAD" \
    --pid "$pidA" --pid2 "$pidB" --pause-us "$PAUSE_US" | grep -E 'relayed|server CPU:'
done
