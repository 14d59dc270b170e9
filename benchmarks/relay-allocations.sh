#!/usr/bin/env bash
# TURN allocation churn: the kezdesu relay against coturn, alternating coturn/kezdesu per round on loopback, then
# the kezdesu relay's heap per allocation (issue #4: >= 10x coturn's allocations/s, <= 2 KiB heap per allocation).
#
# Both servers: REST secret (coturn use-auth-secret), loopback only, relay ports $MIN_PORT-$MAX_PORT, no quotas.
# The load is io.kezdesu.benchmarks.relay.AllocationLoad: C client UDP sockets (one 5-tuple, one allocation at a
# time each) cycling Allocate -> 401 -> authenticated Allocate -> Refresh LIFETIME=0 for D seconds after a
# W-second warm-up on the same server process; each cycle on a fresh socket, the sockets spread over SOURCE_IPS
# loopback addresses (kezdesu rate-limits 401 challenges per source IP: one address would measure that limit). Per run: completed allocate+delete cycles/s, allocation latency
# (two round trips), errors, and server CPU (utime+stime from /proc/<pid>/stat) over the measured window only.
# Then io.kezdesu.benchmarks.relay.AllocationHeap: an in-process relay, HEAP_N allocations held by a child JVM,
# used heap after full GCs before and during, divided by the allocation count.
#
# Usage: benchmarks/relay-allocations.sh [rounds]      (environment: C, D, W, HEAP_N; see below)
# Needs: coturn 4.6.x (turnserver, turnutils_stunclient), cli/target/kezdesu.jar and the benchmarks classes:
#   mvn -B -q install -DskipTests && mvn -B -q -pl benchmarks dependency:build-classpath \
#       -Dmdep.outputFile=target/classpath.txt
set -euo pipefail

ROUNDS=${1:-3}
C=${C:-64}                 # concurrent client sockets (allocations in flight)
D=${D:-20}                 # measured seconds per run
W=${W:-5}                  # warm-up seconds per run (same server process, not measured)
HEAP_N=${HEAP_N:-5000}     # allocations held for the heap measurement (0 = skip it)
SOURCE_IPS=${SOURCE_IPS:-16384}   # client source addresses 127.1.0.0+ (kezdesu answers <= 100 401s/s per source IP)
SECRET=bench-secret-0123456789abcdef
BASE=${BASE_PORT:-34800}
COTURN_PORT=$BASE; KEZDESU_PORT=$((BASE + 10))
MIN_PORT=${MIN_PORT:-40000}; MAX_PORT=${MAX_PORT:-60000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
HERE=$ROOT/benchmarks
JAR=$ROOT/cli/target/kezdesu.jar
WORK=$(mktemp -d /tmp/relay-allocations.XXXXXX)
PIDS=()

cleanup() {
    for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT

[ -f "$JAR" ] || { echo "build first: mvn -B -q install -DskipTests" >&2; exit 2; }
[ -f "$HERE/target/classpath.txt" ] && [ -f "$HERE/target/classes/io/kezdesu/benchmarks/relay/AllocationLoad.class" ] \
    || { echo "build first: mvn -B -q install -DskipTests && mvn -B -q -pl benchmarks dependency:build-classpath" \
              "-Dmdep.outputFile=target/classpath.txt" >&2; exit 2; }
CP="$HERE/target/classes:$(cat "$HERE/target/classpath.txt")"
for b in turnserver turnutils_stunclient; do
    command -v $b >/dev/null || { echo "missing $b (coturn)" >&2; exit 2; }
done
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((2 * HEAP_N + 1000)) ]; then
    echo "ulimit -n is $(ulimit -n): HEAP_N=$HEAP_N needs ~$((2 * HEAP_N + 1000)) descriptors" >&2; exit 2
fi

wait_udp() {   # until something answers STUN on 127.0.0.1:$1
    for _ in $(seq 100); do
        timeout 1 turnutils_stunclient -p "$1" 127.0.0.1 >/dev/null 2>&1 && return 0
        sleep 0.2
    done
    echo "server on port $1 did not start" >&2; exit 1
}

start_coturn() {
    turnserver -n --use-auth-secret --static-auth-secret "$SECRET" --realm kezdesu \
        --listening-ip 127.0.0.1 --relay-ip 127.0.0.1 --listening-port $COTURN_PORT \
        --min-port $MIN_PORT --max-port $MAX_PORT --no-tls --no-dtls --allow-loopback-peers --no-cli \
        --total-quota 0 --user-quota 0 \
        --db "$WORK/turndb" --pidfile "$WORK/turnserver.pid" --log-file "$WORK/turnserver.log" \
        >/dev/null 2>&1 &
    SERVER_PID=$!; PIDS+=("$SERVER_PID"); SERVER_PORT=$COTURN_PORT
    wait_udp $COTURN_PORT
}

start_kezdesu() {
    java ${JAVA_OPTS:-} -jar "$JAR" relay --data-dir "$WORK/kezdesu-data" --static-auth-secret "$SECRET" \
        --realm kezdesu --listening-ip 127.0.0.1 --listening-port $KEZDESU_PORT --tls-listening-port 0 \
        --min-port $MIN_PORT --max-port $MAX_PORT --allow-loopback-peers true \
        --user-quota 0 --room-quota 0 --total-quota 0 >"$WORK/kezdesu.log" 2>&1 &
    SERVER_PID=$!; PIDS+=("$SERVER_PID"); SERVER_PORT=$KEZDESU_PORT
    wait_udp $KEZDESU_PORT
}

stop_server() {
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
}

field() { echo "$1" | grep -oE "(^| )$2=[0-9.]+" | cut -d= -f2; }

echo "# $(date -u +%FT%TZ) machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
     "kernel $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# java: $(java -version 2>&1 | head -1); coturn: $(turnserver --version 2>/dev/null | head -1)"
echo "# load: AllocationLoad -C $C, $SOURCE_IPS source IPs, ${W}s warm-up + ${D}s measured, relay ports $MIN_PORT-$MAX_PORT, rounds $ROUNDS"
RESULTS=$WORK/results
for round in $(seq "$ROUNDS"); do
    for server in coturn kezdesu; do
        "start_$server"
        line=$(java -Xmx256m -cp "$CP" io.kezdesu.benchmarks.relay.AllocationLoad --server "127.0.0.1:$SERVER_PORT" \
            --secret "$SECRET" --concurrency "$C" --seconds "$D" --warmup "$W" --pid "$SERVER_PID" \
            --source-ips "$SOURCE_IPS")
        stop_server
        printf '%-8s round=%d %s\n' "$server" "$round" "$line" | tee -a "$RESULTS"
    done
    c=$(awk -v r="round=$round" '$1 == "coturn" && $2 == r' "$RESULTS")
    k=$(awk -v r="round=$round" '$1 == "kezdesu" && $2 == r' "$RESULTS")
    awk -v r="$round" -v cr="$(field "$c" alloc_per_s)" -v kr="$(field "$k" alloc_per_s)" \
        -v cc="$(field "$c" server_cpu_us_per_alloc)" -v kc="$(field "$k" server_cpu_us_per_alloc)" \
        'BEGIN { printf "round %d: allocations/s kezdesu/coturn x%.2f (%s vs %s); server CPU per allocation %s us vs %s us" \
                 " (coturn/kezdesu x%.2f)\n", r, cr ? kr / cr : 0, kr, cr, kc, cc, kc ? cc / kc : 0 }'
done
awk '{ s = $1; for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
       rate[s] += v["alloc_per_s"]; cpu[s] += v["server_cpu_s"]; n[s] += v["allocations"]; runs[s]++ }
     END {
        if (runs["coturn"] && runs["kezdesu"] && rate["coturn"] && n["coturn"] && n["kezdesu"]) {
            cr = rate["coturn"] / runs["coturn"]; kr = rate["kezdesu"] / runs["kezdesu"];
            cc = cpu["coturn"] * 1e6 / n["coturn"]; kc = cpu["kezdesu"] * 1e6 / n["kezdesu"];
            printf "allocations/s (mean): coturn %.0f, kezdesu %.0f -> kezdesu/coturn = %.2f\n", cr, kr, kr / cr;
            printf "server CPU per allocation: coturn %.1f us, kezdesu %.1f us -> kezdesu/coturn = %.2f\n",
                cc, kc, kc / cc;
        } }' "$RESULTS"

if [ "$HEAP_N" -gt 0 ]; then
    heap=$(java -Xmx1g -XX:+UseSerialGC -cp "$CP" io.kezdesu.benchmarks.relay.AllocationHeap "$HEAP_N" 2>"$WORK/heap.err")
    echo "heap     $heap"
    echo "heap per allocation (kezdesu, in-process, after full GC): $(field "$heap" heap_bytes_per_alloc) bytes"
fi
echo "raw outputs: $WORK"
