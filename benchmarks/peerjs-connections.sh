#!/usr/bin/env bash
# PeerJS connections held: CONNECTIONS idle PeerJS clients (a HEARTBEAT every 20 s) held by peerjs-server 1.0.2 and
# by kezdesu, alternating, both on 127.0.0.1 only; then what each connection costs each server and how many fit in
# a GiB. peerjs-server's RSS is all its memory (V8 heap included). kezdesu runs with a fixed, pre-touched heap, so
# its RSS grows only with native memory; its heap share is the live heap after a full GC (jcmd GC.class_histogram).
# Memory per connection = ΔRSS/held (+ Δlive heap/held for kezdesu); connections per GiB = 2^30 / that.
# Both servers first hold a few hundred connections and drop them, so class loading and JIT are in the baseline.
# Usage: benchmarks/peerjs-connections.sh [connections=10000] [rounds=2]. The generator and the server each need one
# file descriptor per connection: connections are capped at `ulimit -Hn` minus a margin (20,000 hard here). Below a
# few thousand connections node's RSS moves with V8's heap sizing more than with the connections: use 10,000+.
# Needs: node + npm, java + jcmd, and `mvn -B package` (or verify) run first for cli/target/kezdesu.jar.
set -eEuo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
connections="${1:-10000}"
rounds="${2:-2}"
settle=5
warm=300
scratch="$here/target/peerjs-server"
work="$here/target/peerjs-connections"

# shellcheck source=peerjs-servers.sh
. "$here/peerjs-servers.sh"
install_peerjs_server
if [ ! -f "$here/target/classpath.txt" ] || [ ! -f "$here/target/classes/io/kezdesu/benchmarks/peerjs/PeerJsHold.class" ]; then
  (cd "$root" && mvn -B -q -pl benchmarks -am install -DskipTests \
    && mvn -B -q -pl benchmarks dependency:build-classpath -Dmdep.outputFile=target/classpath.txt)
fi
cp="$here/target/classes:$(cat "$here/target/classpath.txt")"
rm -rf "$work" && mkdir -p "$work"

# One descriptor per connection in the generator and in the server (and inherited by both from here).
hard=$(ulimit -Hn)
if [ "$hard" = unlimited ]; then hard=1048576; fi
ulimit -n "$hard"
most=$((hard - 500))
capped=""
if [ "$connections" -gt "$most" ]; then
  capped=" (capped from $connections: ulimit -Hn is $hard)"
  connections=$most
fi
limit=$((connections + 1000))

pid=""
gen=""
cleanup() {
  { exec 3>&-; } 2>/dev/null || true
  [ -n "$gen" ] && kill "$gen" 2>/dev/null && wait "$gen" 2>/dev/null || true
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
}
trap cleanup EXIT
# -E: also from inside functions and command substitutions, where a failure would otherwise end the run silently.
trap 'echo "$0: failed at line $LINENO: $BASH_COMMAND" >&2' ERR


rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; }
# An fd may close while find lists them (jcmd's attach socket does, just after jcmd returns): not an error here.
sockets() { { find "/proc/$pid/fd" -lname 'socket:*' 2>/dev/null || true; } | wc -l; }
live_heap() { # bytes of live objects after the full GC that a class histogram forces; 0 for node
  if [ "$1" != kezdesu ]; then echo 0; return; fi
  local out total
  # Seen once on this shared machine: an attach that failed; a retry is cheaper than a lost run.
  for attempt in 1 2 3 4 5; do
    out=$(jcmd "$pid" GC.class_histogram 2>&1) || true
    total=$(echo "$out" | awk '/^Total/ { print $3 }')
    if [ -n "$total" ]; then echo "$total"; return 0; fi
    echo "$out" > "$work/jcmd-$pid-$attempt.err"
    echo "jcmd $pid GC.class_histogram, attempt $attempt: $(echo "$out" | grep -m1 -E 'Exception|Error|error')" >&2
    sleep 2
  done
  return 1
}

url() { echo "ws://127.0.0.1:$port/peerjs/peerjs"; }

hold() { # name -> LAST: the result line
  local name="$1" out="$work/$1.out" heap0 rss0 sock0 heap1 rss1 sock1 held line
  # Class loading and JIT for the PeerJS path happen here, not between the two samples.
  java -cp "$cp" io.kezdesu.benchmarks.peerjs.PeerJsHold "$(url)" "$warm" 8 1 > /dev/null 2>> "$work/$name.err"
  sleep "$settle"
  heap0=$(live_heap "$name"); rss0=$(rss_kb); sock0=$(sockets)
  # The generator holds its clients until its stdin (this FIFO) closes.
  rm -f "$work/stop" && mkfifo "$work/stop"
  java -cp "$cp" io.kezdesu.benchmarks.peerjs.PeerJsHold "$(url)" "$connections" 8 \
    < "$work/stop" > "$out" 2>> "$work/$name.err" &
  gen=$!
  exec 3> "$work/stop"
  line=$(wait_for "$out" 'held=[0-9]+ refused=[0-9]+ seconds_to_connect=[0-9]+\.[0-9]' "$gen" 9000)
  sleep "$settle"
  heap1=$(live_heap "$name"); rss1=$(rss_kb); sock1=$(sockets)
  exec 3>&-
  wait "$gen" || true; gen=""
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  held=$(echo "$line" | grep -oE 'held=[0-9]+' | cut -d= -f2)
  LAST=$(awk -v held="$held" -v r0="$rss0" -v r1="$rss1" -v h0="$heap0" -v h1="$heap1" -v s0="$sock0" -v s1="$sock1" \
      -v k="$([ "$name" = kezdesu ] && echo 1 || echo 0)" -v line="$line" -v kept="$(tail -1 "$out")" 'BEGIN {
    n = held > 0 ? held : 1
    rss = (r1 - r0) * 1024 / n; heap = (h1 - h0) / n; per = rss + heap
    printf "%s %s baseline_rss_mb=%.1f rss_mb=%.1f rss_per_conn_b=%.0f", line, kept, r0 / 1024, r1 / 1024, rss
    if (k) printf " live_heap_mb=%.1f->%.1f heap_per_conn_b=%.0f", h0 / 1048576, h1 / 1048576, heap
    # Growth within the noise (V8 may shrink its heap meanwhile, at a few hundred connections) has no per-GiB figure.
    printf " bytes_per_conn=%.0f conns_per_gib=%s sockets=%d->%d", per, (per > 0 ? sprintf("%.0f", 1073741824 / per) : "n/a"), s0, s1
  }')
  echo "$(printf '%-13s' "$name") $LAST"
}

field() { { echo "$1" | grep -oE "(^| )$2=-?[0-9.]+" || true; } | cut -d= -f2; }

echo "# $(date -u +%FT%TZ) connections=$connections$capped rounds=$rounds settle=${settle}s heartbeat=20s"
echo "# load average: $(cut -d" " -f1-3 /proc/loadavg)"
echo "# $(nproc) cores, $(uname -r), $(free -h | awk '/Mem:/{print $2}') RAM, node $(node --version), $(java -version 2>&1 | head -1)"
echo "# kezdesu: -Xms512m -Xmx512m -XX:+AlwaysPreTouch, peerjs-concurrent-limit $limit; peerjs-server: --concurrent_limit $limit"
for r in $(seq 1 "$rounds"); do
  start_peerjs "$work/peerjs-server.log" --concurrent_limit "$limit"; hold peerjs-server; p="$LAST"
  # A fixed, pre-touched heap: RSS then moves only with native memory, not with the collector's sizing.
  start_kezdesu "$work/kezdesu.log" "$(mktemp -d -p "$work")" -Xms512m -Xmx512m -XX:+AlwaysPreTouch -- \
    --peerjs-concurrent-limit "$limit"
  hold kezdesu; k="$LAST"
  awk -v r="$r" -v pg="$(field "$p" conns_per_gib)" -v kg="$(field "$k" conns_per_gib)" \
      -v pb="$(field "$p" bytes_per_conn)" -v kb="$(field "$k" bytes_per_conn)" \
      'BEGIN { printf "round %d: kezdesu/peerjs-server connections per GiB %s (%s vs %s; %.0f B vs %.0f B per connection)\n", r, (pg > 0 && kg > 0 ? sprintf("x%.2f", kg / pg) : "n/a"), kg == "" ? "n/a" : kg, pg == "" ? "n/a" : pg, kb, pb }'
done
