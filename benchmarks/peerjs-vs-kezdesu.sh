#!/usr/bin/env bash
# PeerJS protocol load against peerjs-server 1.0.2 and kezdesu, alternating, same clients, window and payloads;
# both on 127.0.0.1 only. Prints each run's result line (rate, latency, server CPU from /proc, RSS, sockets) and
# the kezdesu/peerjs-server ratios per round. Usage: benchmarks/peerjs-vs-kezdesu.sh [pairs] [window] [rounds]
# [measure-s]. Needs: node + npm, java, and `mvn -B package` (or verify) run first for cli/target/kezdesu.jar.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
pairs="${1:-50}"
window="${2:-4}"
rounds="${3:-2}"
measure="${4:-20}"
warmup=8
scratch="$here/target/peerjs-server"

# shellcheck source=peerjs-servers.sh
. "$here/peerjs-servers.sh"
install_peerjs_server
if [ ! -f "$here/target/classpath.txt" ] || [ ! -d "$here/target/classes/io/kezdesu/benchmarks/peerjs" ]; then
  (cd "$root" && mvn -B -q -pl benchmarks -am install -DskipTests \
    && mvn -B -q -pl benchmarks dependency:build-classpath -Dmdep.outputFile=target/classpath.txt)
fi
cp="$here/target/classes:$(cat "$here/target/classpath.txt")"

pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; }
trap cleanup EXIT


load() { # name
  local line
  line=$(java -cp "$cp" io.kezdesu.benchmarks.peerjs.PeerJsLoad "ws://127.0.0.1:$port/peerjs/peerjs" \
    "$pairs" "$window" "$warmup" "$measure" "$pid")
  echo "$1 $line"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  LAST="$line"
}

field() { echo "$1" | grep -oE "(^| )$2=[0-9.]+" | cut -d= -f2; }

echo "# $(date -u +%FT%TZ) pairs=$pairs window=$window measure=${measure}s warmup=${warmup}s"
echo "# load average: $(cut -d" " -f1-3 /proc/loadavg)"
echo "# $(nproc) cores, $(uname -r), $(free -h | awk '/Mem:/{print $2}') RAM, node $(node --version), $(java -version 2>&1 | head -1)"
for r in $(seq 1 "$rounds"); do
  start_peerjs "$here/target/peerjs-server.log";              load "peerjs-server"; p="$LAST"
  start_kezdesu "$here/target/kezdesu.log" "$(mktemp -d)";     load "kezdesu      "; k="$LAST"
  awk -v r="$r" -v pr="$(field "$p" msg_per_s)" -v kr="$(field "$k" msg_per_s)" \
      -v pc="$(field "$p" server_cpu_us_per_msg)" -v kc="$(field "$k" server_cpu_us_per_msg)" \
      -v pp="$(field "$p" p99_ms)" -v kp="$(field "$k" p99_ms)" \
      'BEGIN { printf "round %d: kezdesu/peerjs-server rate x%.2f, server CPU per message x%.2f (peerjs/kezdesu), p99 %s ms vs %s ms\n", r, kr/pr, pc/kc, kp, pp }'
done
