#!/usr/bin/env bash
# Soak test: does churn leave anything behind in one `kezdesu serve` run with its defaults? Two soaks, one daemon:
#   1. join/leave: io.kezdesu.benchmarks.soak.JoinLeaveSoak, CYCLES join/leave cycles over /ws (PAIRS pairs of
#      accounts, ROOMS shared rooms; per cycle a fresh socket joins, one offer/answer is relayed, it leaves and
#      closes; every 10th round one side drops its TCP connection instead, so its place waits out the resume grace);
#   2. TURN: io.kezdesu.benchmarks.soak.AllocationSoak, CYCLES allocation cycles over UDP with the REST credential
#      of GET /api/ice-servers (401 then Allocate, CreatePermission, ChannelBind, ChannelData and a Send indication
#      between two allocations, Refresh LIFETIME 0), TURN_PAIRS pairs spread over SOURCE_IPS addresses 127.3.x.y.
# How: a fresh data directory, loopback (--http-ip/--listening-ip 127.0.0.1), free ports (0); every other key at its
# default (quotas, rate limits, peer policy, heap). The accounts are made with `kezdesu user add` (registration
# allows 20 per address per hour). Before each soak, after WARMUP cycles of the same load and once the server has
# settled, and again after it, the script samples the server: live heap after a full GC (the total of
# `jcmd GC.class_histogram`, which collects first), open fds (the embedded store's connection pool apart, see
# store_fds), UDP sockets (`ss -uanp`: listeners + relay ports),
# threads, RSS, and from /metrics the live rooms, participants, WebSocket sessions and relay allocations. "Settled"
# is polled, not slept: sessions, participants and allocations at 0, UDP sockets back to the listeners (idle relay
# sockets close after 10 s), fds and live rooms unchanged for 3 s — or, after a soak, back to the baseline.
# Prints a machine line, then one before/after line per soak and the size of the embedded store's file
# (data/store.mv.db) before and after it: informational, it fails nothing. Exits 1 when fds, UDP sockets, live rooms,
# participants, sessions or allocations do not return to the baseline within SETTLE_SECONDS, when the live heap ends
# above 2 x baseline + 16 MiB, or when fewer than 99% of the cycles completed; the class histogram diff is printed
# then. Histograms, the daemon log and the tools' output stay in the work directory printed at the end.
#
# Usage: benchmarks/soak.sh      (environment: CYCLES, WARMUP, PAIRS, ROOMS, TURN_PAIRS, SOURCE_IPS, SETTLE_SECONDS)
# Needs: cli/target/kezdesu.jar and the benchmarks classes with their classpath, built from this checkout:
#   mvn -B -q install -DskipTests && mvn -B -q -pl benchmarks dependency:build-classpath \
#       -Dmdep.outputFile=target/classpath.txt
#   plus jcmd (the JDK), ss (iproute2) and curl.
set -euo pipefail

CYCLES=${CYCLES:-10000}          # cycles per soak
WARMUP=${WARMUP:-200}            # cycles of the same load before the baseline
PAIRS=${PAIRS:-4}                # join/leave: concurrent pairs (2 accounts each)
ROOMS=${ROOMS:-4}                # join/leave: rooms the pairs rotate through
TURN_PAIRS=${TURN_PAIRS:-8}      # TURN: concurrent pairs of allocations
SOURCE_IPS=${SOURCE_IPS:-256}    # TURN: client source addresses 127.3.0.0+
SETTLE_SECONDS=${SETTLE_SECONDS:-120}
USERS=$((2 * PAIRS))
ROOT=$(cd "$(dirname "$0")/.." && pwd)
HERE=$ROOT/benchmarks
JAR=$ROOT/cli/target/kezdesu.jar
WORK=$(mktemp -d /tmp/soak.XXXXXX)
SERVER_PID=

cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
}
trap cleanup EXIT

[ -f "$JAR" ] || { echo "build first: mvn -B -q install -DskipTests" >&2; exit 2; }
[ -f "$HERE/target/classpath.txt" ] && [ -f "$HERE/target/classes/io/kezdesu/benchmarks/soak/JoinLeaveSoak.class" ] \
    || { echo "build first: mvn -B -q install -DskipTests && mvn -B -q -pl benchmarks dependency:build-classpath" \
              "-Dmdep.outputFile=target/classpath.txt" >&2; exit 2; }
for b in jcmd ss curl; do command -v $b >/dev/null || { echo "missing $b" >&2; exit 2; }; done
# The classpath names the kezdesu modules in ~/.m2, which another checkout's install may have replaced: use this one's.
CP="$HERE/target/classes:$(sed -E "s#[^:]*/io/kezdesu/kezdesu-([a-z0-9]+)/[^:]*\.jar#$ROOT/\1/target/classes#g" \
    "$HERE/target/classpath.txt")"

echo "# $(date -u +%FT%TZ) machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
     "kernel $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg); $(java -version 2>&1 | head -1)"
echo "# soak: $CYCLES cycles each after $WARMUP warm-up; join/leave $PAIRS pairs in $ROOMS rooms;" \
     "TURN $TURN_PAIRS pairs over $SOURCE_IPS source IPs; settle timeout ${SETTLE_SECONDS}s; work dir $WORK"

# --- the daemon, with its defaults -------------------------------------------------------------------------------
java -jar "$JAR" serve --data-dir "$WORK/data" --http-ip 127.0.0.1 --http-port 0 \
    --listening-ip 127.0.0.1 --listening-port 0 >"$WORK/daemon.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 600); do
    grep -q ' ready: ' "$WORK/daemon.log" && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/daemon.log" >&2; exit 1; }
    sleep 0.1
done
grep -q ' ready: ' "$WORK/daemon.log" || { echo "daemon did not start" >&2; exit 1; }
URL=$(sed -E 's/.*"url":"([^"]+)".*/\1/' "$WORK/data/daemon.json")
STORE_PORT=$(grep -m1 -oE 'mongodb://127\.0\.0\.1:[0-9]+' "$WORK/daemon.log" | cut -d: -f3)
SOAK_PASSWORD="soak-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
export SOAK_PASSWORD
for i in $(seq 0 $((USERS - 1))); do
    printf '%s\n' "$SOAK_PASSWORD" | java -jar "$JAR" user add --data-dir "$WORK/data" --email "soak$i@soak.invalid" \
        --name "soak $i" --password-stdin >/dev/null
done

# --- sampling ------------------------------------------------------------------------------------------------------
gauge() {   # gauge <metrics text> <name>: its value as an integer
    awk -v n="$2" '$1 == n { printf "%d", $2; found = 1 } END { if (!found) printf "-1" }' <<<"$1"
}

# The embedded store runs in the daemon and its MongoDB driver talks to it over loopback TCP, so each pooled
# connection is two of the daemon's fds. The driver's pool (default settings: at most 100, idle ones never closed)
# grows to the peak of concurrent store operations and stays: bounded, not a leak. Those fds are counted apart
# (store=) and the fd check applies to the others (fds= is all of them).
store_fds() {
    ss -tanp | awk -v p="pid=$SERVER_PID," -v s=":$STORE_PORT\$" \
        '$1 == "ESTAB" && index($0, p) && ($4 ~ s || $5 ~ s) { n++ } END { print n + 0 }'
}

total() {   # total <metrics text> <name>: the sum over its labels
    awk -v n="$2" '$1 == n || index($1, n "{") == 1 { s += $2 } END { printf "%d", s }' <<<"$1"
}

quick() {   # the cheap counters: fds-other-than-store udp rooms participants sessions allocations store-fds
    local m fds udp store
    m=$(curl -sf --max-time 10 "$URL/metrics")
    fds=$(ls "/proc/$SERVER_PID/fd" | wc -l)
    store=$(store_fds)
    udp=$(ss -uanp | grep -c "pid=$SERVER_PID," || true)
    echo "$((fds - store)) $udp $(gauge "$m" kezdesu_live_rooms) $(gauge "$m" kezdesu_participants)" \
         "$(gauge "$m" kezdesu_websocket_sessions) $(gauge "$m" kezdesu_relay_allocations) $store"
}

sample() {  # sample <label>: "heap=… fds=… …"; the histogram is kept as $WORK/histo-<label>.txt
    jcmd "$SERVER_PID" GC.class_histogram >"$WORK/histo-$1.txt"
    local heap q threads rss m
    heap=$(awk '$1 == "Total" { print $3 }' "$WORK/histo-$1.txt")
    read -r -a q <<<"$(quick)"
    threads=$(awk '/^Threads:/ { print $2 }' "/proc/$SERVER_PID/status")
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$SERVER_PID/status")
    m=$(curl -sf --max-time 10 "$URL/metrics")
    echo "heap=$heap other_fds=${q[0]} store=${q[6]} udp=${q[1]} rooms=${q[2]} participants=${q[3]}" \
         "sessions=${q[4]} allocations=${q[5]} threads=$threads rss_kb=$rss" \
         "created=$(gauge "$m" kezdesu_relay_allocations_created_total)" \
         "turn_packets=$(total "$m" kezdesu_relay_packets_relayed_total)" \
         "signals=$(total "$m" kezdesu_messages_relayed_total)" "joins=$(total "$m" kezdesu_joins_total)"
}

field() { grep -oE "(^| )$2=-?[0-9]+" <<<"$1" | cut -d= -f2; }

store_mib() {   # the size of the embedded store's file in MiB, "?" when there is none
    local f="$WORK/data/store.mv.db"
    [ -f "$f" ] && awk -v b="$(stat -c %s "$f")" 'BEGIN { printf "%.1f", b / 1048576 }' || echo "?"
}

human() {   # the line a person reads
    awk -v h="$(field "$1" heap)" -v r="$(field "$1" rss_kb)" \
        'BEGIN { printf "heap %.1f MiB, rss %.0f MiB, ", h / 1048576, r / 1024 }'
    echo "fds $(( $(field "$1" other_fds) + $(field "$1" store) )) ($(field "$1" store) of them the store pool)," \
         "udp sockets $(field "$1" udp), threads $(field "$1" threads)," \
         "live rooms $(field "$1" rooms), participants $(field "$1" participants), sessions $(field "$1" sessions)," \
         "allocations $(field "$1" allocations)"
}

UDP_LISTENERS=$(ss -uanp | grep -c "pid=$SERVER_PID," || true)

# settle baseline|<baseline sample>: polls until the server is idle; prints the seconds it took, or returns 1.
settle() {
    local start=$SECONDS prev="" stable=0 q
    while [ $((SECONDS - start)) -le "$SETTLE_SECONDS" ]; do
        read -r -a q <<<"$(quick)"
        if [ "$1" = baseline ]; then
            if [ "${q[3]}" = 0 ] && [ "${q[4]}" = 0 ] && [ "${q[5]}" = 0 ] && [ "${q[1]}" -le "$UDP_LISTENERS" ] \
               && [ "${q[0]} ${q[2]}" = "$prev" ]; then
                stable=$((stable + 1))
                [ "$stable" -ge 3 ] && { echo $((SECONDS - start)); return 0; }
            else
                stable=0
            fi
            prev="${q[0]} ${q[2]}"
        elif [ "${q[0]}" -le "$(field "$1" other_fds)" ] && [ "${q[1]}" -le "$(field "$1" udp)" ] \
             && [ "${q[2]}" -le "$(field "$1" rooms)" ] && [ "${q[3]}" = 0 ] && [ "${q[4]}" = 0 ] \
             && [ "${q[5]}" -le "$(field "$1" allocations)" ]; then
            echo $((SECONDS - start)); return 0
        fi
        sleep 1
    done
    echo "$SETTLE_SECONDS+"
    return 1
}

histo_diff() {  # the classes whose live bytes grew most between two histograms
    awk 'FNR == NR { if ($1 ~ /^[0-9]+:$/) { b[$4] = $3; bi[$4] = $2 } next }
         $1 ~ /^[0-9]+:$/ { d = $3 - b[$4]; if (d > 0) printf "%12d bytes %+9d instances  %s\n", d, $2 - bi[$4], $4 }' \
        "$1" "$2" | sort -rn | awk 'NR <= 15'
}

FAILED=0
soak() {  # soak <name> <tool class> <tool args…>
    local name=$1 tool=$2; shift 2
    local base after took verdict="" out store0
    java -Xmx256m -cp "$CP" "$tool" --url "$URL" --cycles "$WARMUP" "$@" >"$WORK/$name-warmup.out" 2>&1 \
        || { cat "$WORK/$name-warmup.out" >&2; exit 1; }
    took=$(settle baseline) || { echo "$name: the server did not settle after the warm-up ($(quick))" >&2; exit 1; }
    base=$(sample "$name-before")
    store0=$(store_mib)
    java -Xmx256m -cp "$CP" "$tool" --url "$URL" --cycles "$CYCLES" "$@" >"$WORK/$name.out" 2>&1 \
        || { cat "$WORK/$name.out" >&2; exit 1; }
    out=$(tail -1 "$WORK/$name.out")
    took=$(settle "$base") || verdict="not settled after ${SETTLE_SECONDS}s"
    after=$(sample "$name-after")
    delta() { echo $(( $(field "$after" "$1") - $(field "$base" "$1") )); }
    for k in other_fds udp rooms participants sessions allocations; do
        [ "$(field "$after" $k)" -le "$(field "$base" $k)" ] \
            || verdict="$verdict $k $(field "$base" $k) -> $(field "$after" $k);"
    done
    [ "$(field "$after" heap)" -le $((2 * $(field "$base" heap) + 16777216)) ] \
        || verdict="$verdict heap more than 2x + 16 MiB;"
    [ "$(field "$out" cycles)" -ge $((CYCLES * 99 / 100)) ] \
        || verdict="$verdict only $(field "$out" cycles) cycles completed;"
    echo "# $name load: $out; server counted: $(delta joins) joins, $(delta signals) signals relayed," \
         "$(delta created) allocations created, $(delta turn_packets) TURN packets relayed"
    echo "$name before: $(human "$base") | after (settled in ${took}s): $(human "$after") | ${verdict:-OK}"
    echo "$name store file: $store0 -> $(store_mib) MiB (data/store.mv.db, before -> after the soak)"
    if [ -n "$verdict" ]; then
        FAILED=1
        echo "# live-heap growth by class, $name-before -> $name-after:"
        histo_diff "$WORK/histo-$name-before.txt" "$WORK/histo-$name-after.txt" | sed 's/^/#   /'
    fi
}

soak join-leave io.kezdesu.benchmarks.soak.JoinLeaveSoak --pairs "$PAIRS" --rooms "$ROOMS"
soak turn io.kezdesu.benchmarks.soak.AllocationSoak --users "$USERS" --pairs "$TURN_PAIRS" --source-ips "$SOURCE_IPS"
echo "# raw outputs: $WORK"
exit $FAILED
