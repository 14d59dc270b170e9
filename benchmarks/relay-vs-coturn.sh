#!/usr/bin/env bash
# The kezdesu relay against coturn under the same turnutils_uclient load, alternating A/B/A/B on loopback.
#
# Both servers: REST secret (coturn use-auth-secret), loopback peers allowed, the same relay port range; the
# client sends ChannelData (uclient's default), which both servers accept in RFC 5766's 0x4000-0x7FFF
# (kezdesu: legacy-channel-numbers). turnutils_peer echoes. Per run: server CPU (utime+stime from
# /proc/<pid>/stat) over the measured run only (after WARMUP_RUNS warm-up runs of the same load on the same server process),
# relayed messages/s, loss, RTT, and CPU per relayed packet (each echoed message is relayed twice: out and back).
#
# Usage: benchmarks/relay-vs-coturn.sh [rounds]      (environment: M, N, L, WARMUP_N, WARMUP_RUNS; see below;
#        COTURN_OPTS and KEZDESU_OPTS add options, e.g. "--relay-threads 1" to both)
# Needs: coturn 4.6.x (turnserver, turnutils_uclient, turnutils_peer) and cli/target/kezdesu.jar (mvn package).
set -euo pipefail

ROUNDS=${1:-2}
M=${M:-16}              # concurrent clients (uclient -m)
N=${N:-4000}            # messages per client (uclient -n)
L=${L:-120}             # message length (uclient -l)
WARMUP_N=${WARMUP_N:-$N}   # a long-running server is warm: the JIT has compiled the relay path before it is measured
WARMUP_RUNS=${WARMUP_RUNS:-10} # kezdesu's CPU per packet settles only after 8-10 runs (printed per warm-up run)
SECRET=bench-secret-0123456789abcdef
BASE=${BASE_PORT:-34700}
COTURN_PORT=$BASE; KEZDESU_PORT=$((BASE + 10)); PEER_PORT=$((BASE + 20))
MIN_PORT=${MIN_PORT:-50000}; MAX_PORT=${MAX_PORT:-50999}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR=$ROOT/cli/target/kezdesu.jar
WORK=$(mktemp -d /tmp/relay-vs-coturn.XXXXXX)
HZ=$(getconf CLK_TCK)
PIDS=()

cleanup() {
    for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT

[ -f "$JAR" ] || { echo "build first: mvn -B -q package -DskipTests -pl cli -am" >&2; exit 2; }
for b in turnserver turnutils_uclient turnutils_peer; do
    command -v $b >/dev/null || { echo "missing $b (coturn)" >&2; exit 2; }
done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

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
        --db "$WORK/turndb" --pidfile "$WORK/turnserver.pid" --log-file "$WORK/turnserver.log" ${COTURN_OPTS:-} \
        >/dev/null 2>&1 &
    SERVER_PID=$!; PIDS+=("$SERVER_PID"); SERVER_PORT=$COTURN_PORT
    wait_udp $COTURN_PORT
}

start_kezdesu() {
    java ${JAVA_OPTS:-} -jar "$JAR" relay --data-dir "$WORK/kezdesu-data" --static-auth-secret "$SECRET" \
        --realm kezdesu --listening-ip 127.0.0.1 --listening-port $KEZDESU_PORT --tls-listening-port 0 \
        --min-port $MIN_PORT --max-port $MAX_PORT --allow-loopback-peers true --legacy-channel-numbers true \
        --user-quota 0 --room-quota 0 ${KEZDESU_OPTS:-} >"$WORK/kezdesu.log" 2>&1 &
    SERVER_PID=$!; PIDS+=("$SERVER_PID"); SERVER_PORT=$KEZDESU_PORT
    wait_udp $KEZDESU_PORT
}

stop_server() {
    kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
}

load() {   # $1 = messages per client; prints uclient's output
    turnutils_uclient -W "$SECRET" -u bench -e 127.0.0.1 -r $PEER_PORT -p "$SERVER_PORT" \
        -m "$M" -n "$1" -l "$L" -z 0 127.0.0.1 2>&1
}

turnutils_peer -L 127.0.0.1 -p $PEER_PORT >/dev/null 2>&1 &
PIDS+=("$!")

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), kernel $(uname -r)"
echo "java: $(java -version 2>&1 | head -1); coturn: $(turnserver --version 2>/dev/null | head -1)"
echo "load: turnutils_uclient -m $M -n $N -l $L -z 0 (warm-up $WARMUP_RUNS x -n $WARMUP_N), turnutils_peer echo, rounds $ROUNDS"
printf '%-8s %5s %9s %9s %7s %9s %8s %10s\n' server round echoed msgs/s loss% rtt_ms cpu_s us/pkt
RESULTS=$WORK/results
for round in $(seq "$ROUNDS"); do
    for server in coturn kezdesu; do
        "start_$server"
        trail=""
        for w in $(seq "$WARMUP_RUNS"); do   # each warm-up run's CPU per relayed packet: is the server warm yet?
            c0=$(cpu_ticks "$SERVER_PID")
            load "$WARMUP_N" >"$WORK/$server-$round-warmup-$w.txt"
            c1=$(cpu_ticks "$SERVER_PID")
            r=$(grep -o 'tot_recv_msgs=[0-9]*' "$WORK/$server-$round-warmup-$w.txt" | tail -1 | cut -d= -f2)
            trail="$trail $(awk -v c=$((c1 - c0)) -v hz="$HZ" -v r="${r:-0}" \
                'BEGIN { printf "%.2f", r ? c / hz * 1e6 / (2 * r) : 0 }')"
        done
        [ -n "$trail" ] && echo "$server round $round warm-up us/pkt:$trail" >>"$WORK/warmups"
        before=$(cpu_ticks "$SERVER_PID")
        t0=$(date +%s.%N)
        load "$N" >"$WORK/$server-$round.txt"
        t1=$(date +%s.%N)
        after=$(cpu_ticks "$SERVER_PID")
        stop_server
        out=$WORK/$server-$round.txt
        recv=$(grep -o 'tot_recv_msgs=[0-9]*' "$out" | tail -1 | cut -d= -f2)
        sent=$(grep -o 'tot_send_msgs=[0-9]*' "$out" | tail -1 | cut -d= -f2)
        loss=$(grep -o 'Total lost packets [0-9]* ([0-9.]*%)' "$out" | grep -o '([0-9.]*' | tr -d '(')
        rtt=$(grep -o 'Average round trip delay [0-9.]*' "$out" | awk '{print $5}')
        awk -v s="$server" -v r="$round" -v recv="$recv" -v sent="$sent" -v loss="$loss" -v rtt="$rtt" \
            -v t0="$t0" -v t1="$t1" -v c0="$before" -v c1="$after" -v hz="$HZ" 'BEGIN {
                wall = t1 - t0; cpu = (c1 - c0) / hz; pkts = 2 * recv;
                printf "%-8s %5d %9d %9.0f %7s %9.3f %8.2f %10.2f\n", s, r, recv, pkts / wall, loss, rtt, cpu,
                    pkts ? cpu * 1e6 / pkts : 0 }' | tee -a "$RESULTS"
    done
done
awk '{ cpu[$1] += $7; pk[$1] += 2 * $3; rate[$1] += $4; n[$1]++ }
     END {
        if (pk["coturn"] && pk["kezdesu"]) {
            c = cpu["coturn"] * 1e6 / pk["coturn"]; k = cpu["kezdesu"] * 1e6 / pk["kezdesu"];
            printf "CPU per relayed packet: coturn %.2f us, kezdesu %.2f us -> kezdesu/coturn = %.2f\n", c, k, k / c;
            printf "relayed packets/s (mean): coturn %.0f, kezdesu %.0f -> ratio %.2f\n",
                rate["coturn"] / n["coturn"], rate["kezdesu"] / n["kezdesu"],
                (rate["kezdesu"] / n["kezdesu"]) / (rate["coturn"] / n["coturn"]);
        } }' "$RESULTS"
[ -f "$WORK/warmups" ] && cat "$WORK/warmups"
echo "raw outputs: $WORK"
