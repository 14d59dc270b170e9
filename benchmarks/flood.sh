#!/usr/bin/env bash
# Flood runs against one `kezdesu serve` with its defaults (a fresh data directory, free ports, loopback only): does
# the server survive abuse and keep serving a well-behaved client beside it? Four floods, one after another:
#   1. udp-garbage  N_DATAGRAMS datagrams at the TURN UDP port from one sender over 64 source addresses 127.2.0.x:
#                   random bytes, STUN-shaped garbage, ChannelData-shaped garbage, a few real Binding requests
#                   (io.kezdesu.benchmarks.flood.UdpGarbage);
#   2. ws-garbage   N_FRAMES malformed frames and JSON messages on /ws with a real login token, WS_CONCURRENCY
#                   connections at a time from 127.4.0.x: each sends a burst of bad messages (three in ten bursts
#                   over the socket's rate limit, closed by design with 1008) and ends with a protocol violation,
#                   an oversized message or a clean close; closed connections are replaced (WsGarbage);
#   3. idle-crowd   IDLE_CONNECTIONS idle TCP connections, half to the HTTP port and half to the TURN TCP port, from
#                   127.3.x.y (200 per address and port, below connections-per-ip), spread over IDLE_PROCESSES
#                   client processes (each process may hold at most `ulimit -Hn` descriptors), held IDLE_HOLD s
#                   (long enough for the relay's 60 s max-allocate-timeout) (IdleCrowd);
#   4. slowloris    SLOW_CONNECTIONS connections from 127.5.0.x trickling a request one byte every ~2 s for
#                   SLOW_SECONDS, replaced when closed; header-timeout (10 s) should answer each with 408 (Slowloris).
# Beside each flood io.kezdesu.benchmarks.flood.WellBehaved sends, every 100 ms, GET /healthz on a fresh connection
# from 127.9.0.1 and a STUN Binding request from 127.9.0.2; the summary line gives its successes, failures and
# p50/p99 latency. The script samples the server every 0.25 s (~0.45 s with 18,000 descriptors open; peaks between samples are missed): RSS (VmRSS of /proc/<pid>/status) before, peak and
# after each flood (after = SETTLE s later), sockets held (its socket descriptors), CPU seconds (utime+stime of
# /proc/<pid>/stat) over the flood, and its log lines at WARN or ERROR. At the end the server must still be alive and
# answer /healthz, /readyz and STUN; otherwise the script exits 1.
#
# Usage: benchmarks/flood.sh        (environment: N_DATAGRAMS, N_FRAMES, IDLE_CONNECTIONS, IDLE_HOLD, SLOW_CONNECTIONS,
#                                    SLOW_SECONDS, FLOODS="udp ws idle slow", SERVER_JAVA_OPTS; e.g. N_DATAGRAMS=20000
#                                    N_FRAMES=20000 IDLE_CONNECTIONS=2000 IDLE_HOLD=5 SLOW_CONNECTIONS=200 SLOW_SECONDS=12
#                                    for a trial)
#        SERVER_JAVA_OPTS (default empty: the JVM's own defaults) are options for the `java` that runs the server,
#        split on spaces, e.g. SERVER_JAVA_OPTS="-Xms256m -Xmx256m" to tell heap growth from a leak by fixing the heap.
# Needs: java 17, curl, cli/target/kezdesu.jar and the benchmarks classes and classpath:
#   mvn -B -q install -DskipTests && mvn -B -q -pl benchmarks dependency:build-classpath \
#       -Dmdep.outputFile=target/classpath.txt
# Takes about 6 minutes at full size on 2 cores. Raw outputs and the server's log stay in the printed directory.
set -eEuo pipefail

N_DATAGRAMS=${N_DATAGRAMS:-1000000}
N_FRAMES=${N_FRAMES:-1000000}
WS_CONCURRENCY=${WS_CONCURRENCY:-64}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-50000}
IDLE_PROCESSES=${IDLE_PROCESSES:-3}
IDLE_HOLD=${IDLE_HOLD:-65}
SLOW_CONNECTIONS=${SLOW_CONNECTIONS:-5000}
SLOW_SECONDS=${SLOW_SECONDS:-30}
SETTLE=${SETTLE:-5}                 # seconds after a flood before the "after" sample
FLOODS=${FLOODS:-udp ws idle slow}
SERVER_JAVA_OPTS=${SERVER_JAVA_OPTS:-}   # options for the server's JVM (default none)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
HERE=$ROOT/benchmarks
JAR=$ROOT/cli/target/kezdesu.jar
WORK=$(mktemp -d /tmp/flood.XXXXXX)

[ -f "$JAR" ] || { echo "build first: mvn -B -q install -DskipTests" >&2; exit 2; }
[ -f "$HERE/target/classpath.txt" ] && [ -f "$HERE/target/classes/io/kezdesu/benchmarks/flood/WsGarbage.class" ] \
    || { echo "build first: mvn -B -q install -DskipTests && mvn -B -q -pl benchmarks dependency:build-classpath" \
              "-Dmdep.outputFile=target/classpath.txt" >&2; exit 2; }
CP="$HERE/target/classes:$(cat "$HERE/target/classpath.txt")"
command -v curl >/dev/null || { echo "missing curl" >&2; exit 2; }
# The client tools hold many sockets each; the server inherits this limit too (the JVM raises soft to hard anyway).
ulimit -n "$(ulimit -Hn)"

PID=""; PROBE=""; SAMPLER=""
cleanup() {
    { exec 3>&-; } 2>/dev/null || true
    for p in $SAMPLER $PROBE $PID; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'echo "$0: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

client() { java -Xmx512m -XX:+UseSerialGC -cp "$CP" "io.kezdesu.benchmarks.flood.$@"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$PID/status"; }
cpu_ticks() { sed 's/.*) //' "/proc/$PID/stat" | awk '{ print $12 + $13 }'; }
sockets() { { find "/proc/$PID/fd" -lname 'socket:*' 2>/dev/null || true; } | wc -l; }
log_problems() { grep -cE ' (WARN|ERROR) ' "$WORK/server.log" || true; }
field() { { echo "$1" | grep -oE "(^| )$2=[^ ]+" || true; } | head -1 | cut -d= -f2-; }
alive() { kill -0 "$PID" 2>/dev/null; }
# " (longest outage 12.3 s: first cause)" when a probe kind failed, else nothing.
outage() { local o; o=$(field "$1" "$2_longest_outage_s"); [ -z "$o" ] || echo " (longest outage $o s: $(field "$1" "$2_first_failure"))"; }

# The server's kernel counters for dropped datagrams (all UDP sockets of this machine: the flood dominates).
udp_rcvbuf_errors() { awk '/^Udp:/ { n++; if (n == 1) for (i = 1; i <= NF; i++) h[i] = $i;
                                     else for (i = 1; i <= NF; i++) if (h[i] == "RcvbufErrors") print $i }' /proc/net/snmp; }

start_server() {
    # shellcheck disable=SC2086 # SERVER_JAVA_OPTS is a list of options, split on spaces on purpose
    java $SERVER_JAVA_OPTS -jar "$JAR" serve --data-dir "$WORK/data" --http-ip 127.0.0.1 --http-port 0 \
        --listening-ip 127.0.0.1 --listening-port 0 >"$WORK/server.log" 2>&1 &
    PID=$!
    for _ in $(seq 300); do
        grep -q ' ready: ' "$WORK/server.log" 2>/dev/null && break
        alive || { echo "server exited at start:" >&2; cat "$WORK/server.log" >&2; exit 1; }
        sleep 0.1
    done
    local ready; ready=$(grep -m1 ' ready: ' "$WORK/server.log")
    HTTP=$(echo "$ready" | grep -oE 'http http://[0-9.:]+' | sed 's|http http://||')
    TURN=$(echo "$ready" | grep -oE 'turn udp [0-9.:]+' | sed 's|turn udp ||')
    TURN_TCP=$(echo "$ready" | grep -oE 'tcp [0-9.]+:[0-9]+' | head -1 | sed 's|tcp ||')
    [ -n "$HTTP" ] && [ -n "$TURN" ] && [ -n "$TURN_TCP" ] || { echo "no ready line: $ready" >&2; exit 1; }
}

# A login token for /ws, through the public API like any user (register, then log in).
login_token() {
    local login='{"email":"flood@example.org","password":"correct horse battery"}'
    curl -sS -H 'Content-Type: application/json' -d "${login%\}},\"name\":\"Flood\"}" "http://$HTTP/api/register" \
        >"$WORK/register.out"
    curl -sS -H 'Content-Type: application/json' -d "$login" "http://$HTTP/api/login" \
        | sed -n 's/.*"token":"\([^"]*\)".*/\1/p'
}

# Runs "$@" (the flood) with the well-behaved client and the sampler beside it, then prints its summary line.
flood() {
    local name=$1; shift
    local rss0 cpu0 log0 drops0 sockets0 t0 t1 out probe peak_rss peak_sockets rss1 cpu1 what status=ok
    sleep 1
    rss0=$(rss_kb); cpu0=$(cpu_ticks); log0=$(log_problems); drops0=$(udp_rcvbuf_errors); sockets0=$(sockets)
    (while alive; do echo "$(rss_kb) $(sockets)"; sleep 0.25; done) > "$WORK/$name.samples" 2>/dev/null &
    SAMPLER=$!
    rm -f "$WORK/$name.stop" && mkfifo "$WORK/$name.stop"
    client WellBehaved --http "$HTTP" --stun "$TURN" < "$WORK/$name.stop" > "$WORK/$name.probe" &
    PROBE=$!
    exec 3> "$WORK/$name.stop"
    t0=$(date +%s.%N)
    "$@" > "$WORK/$name.out" 2> "$WORK/$name.err" || status="exit-$?"
    t1=$(date +%s.%N)
    exec 3>&-
    wait "$PROBE" || true; PROBE=""
    cpu1=$(cpu_ticks 2>/dev/null || echo "$cpu0")
    sleep "$SETTLE"
    kill "$SAMPLER" 2>/dev/null || true; wait "$SAMPLER" 2>/dev/null || true; SAMPLER=""
    alive || status="SERVER-GONE"
    rss1=$(rss_kb 2>/dev/null || echo 0)
    peak_rss=$(awk 'BEGIN { m = 0 } $1 > m { m = $1 } END { print m }' "$WORK/$name.samples")
    peak_sockets=$(awk 'BEGIN { m = 0 } $2 > m { m = $2 } END { print m }' "$WORK/$name.samples")
    out=$(cat "$WORK/$name.out"); probe=$(cat "$WORK/$name.probe")
    echo "$name: $out" >> "$WORK/details"
    echo "$name well-behaved: $probe" >> "$WORK/details"
    case $name in
        udp-garbage) what="$(field "$out" sent) sent in $(field "$out" seconds) s ($(field "$out" per_second)/s,"
                     what="$what $(field "$out" answers) answered, kernel dropped $(( $(udp_rcvbuf_errors) - drops0 )))";;
        ws-garbage)  what="$(field "$out" frames) frames over $(field "$out" connections) connections in"
                     what="$what $(field "$out" seconds) s (stuck $(field "$out" stuck), stack traces $(field "$out" stack_traces))";;
        idle-crowd)  what="$IDLE_CONNECTIONS attempted; server held at most $((peak_sockets - sockets0)) sockets;"
                     what="$what $(awk '{ h += $1; t += $2; f += $3; c += $4 } END { printf "clients connected %d http + %d turn" \
                         " (past max-connections the server closes the newcomer or its oldest idle connection), %d connects timed out," \
                         " %d closed by the server", h, t, f, c }' "$WORK/idle-held")";;
        slowloris)   what="$(field "$out" connections) connections in $(field "$out" seconds) s: $(field "$out" endings),"
                     what="$what closed after p50 $(field "$out" time_to_close_p50_ms) ms max $(field "$out" time_to_close_max_ms) ms,"
                     what="$what $(field "$out" open_past_deadline) open past deadline";;
    esac
    printf '%s: %s; took %.1f s; well-behaved http %s ok %s failed%s p50 %s ms p99 %s ms, stun %s ok %s failed%s p50 %s ms p99 %s ms;' \
        "$name" "$what" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
        "$(field "$probe" http_ok)" "$(field "$probe" http_failed)" "$(outage "$probe" http)" "$(field "$probe" http_p50_ms)" \
        "$(field "$probe" http_p99_ms)" "$(field "$probe" stun_ok)" "$(field "$probe" stun_failed)" "$(outage "$probe" stun)" \
        "$(field "$probe" stun_p50_ms)" "$(field "$probe" stun_p99_ms)"
    printf ' RSS %d -> %d -> %d MiB; server CPU %.1f s; +%d WARN/ERROR log lines; %s\n' \
        $((rss0 / 1024)) $((peak_rss / 1024)) $((rss1 / 1024)) "$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { print (b - a) / 100 }')" \
        $(( $(log_problems) - log0 )) "$status"
    [ "$status" != SERVER-GONE ] || { echo "server died during $name; log: $WORK/server.log" >&2; exit 1; }
}

# The sum of the counts of a tally {key:count,...} (0 when empty).
tally_sum() { echo "$1" | tr -d '{}' | tr ',' '\n' | awk -F: 'NF > 1 { s += $NF } END { print s + 0 }'; }

idle_crowd() {
    local per=$((IDLE_CONNECTIONS / IDLE_PROCESSES)) pids=() i out
    : > "$WORK/idle-held"
    for i in $(seq 0 $((IDLE_PROCESSES - 1))); do
        client IdleCrowd --http "$HTTP" --turn "$TURN_TCP" --count "$per" --source-offset $((i * 100)) \
            --hold "$IDLE_HOLD" > "$WORK/idle-$i.out" 2> "$WORK/idle-$i.err" &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p"; done
    for i in $(seq 0 $((IDLE_PROCESSES - 1))); do
        out=$(cat "$WORK/idle-$i.out")
        # connected http, connected turn, failed connects, closed by the server (sums of the tallies' counts: the
        # number after the last colon of each entry, as keys such as http:1-10s hold digits and colons themselves)
        echo "$(field "$out" connected_http) $(field "$out" connected_turn)" \
             "$(tally_sum "$(field "$out" failed)") $(tally_sum "$(field "$out" closed_by_server)")" >> "$WORK/idle-held"
        echo "process $i: $out"
    done
}

echo "# $(date -u +%FT%TZ) machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
     "$(free -g | awk '/Mem:/ { print $2 }') GiB, kernel $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# java: $(java -version 2>&1 | head -1); fd limit $(ulimit -Hn) per process; kezdesu serve with" \
     "defaults${SERVER_JAVA_OPTS:+ (server JVM options: $SERVER_JAVA_OPTS)}, data in $WORK/data"
start_server
echo "# server pid $PID: http $HTTP, turn udp $TURN, tcp $TURN_TCP; floods: $FLOODS"
TOKEN=$(login_token)
[ -n "$TOKEN" ] || { echo "could not register and log in" >&2; exit 1; }

for f in $FLOODS; do
    case $f in
        udp)  flood udp-garbage client UdpGarbage --target "$TURN" --count "$N_DATAGRAMS" --sources 64 ;;
        ws)   flood ws-garbage client WsGarbage --server "$HTTP" --token "$TOKEN" --frames "$N_FRAMES" \
                  --concurrency "$WS_CONCURRENCY" --sources 16 ;;
        idle) flood idle-crowd idle_crowd ;;
        slow) flood slowloris client Slowloris --http "$HTTP" --count "$SLOW_CONNECTIONS" --sources 50 \
                  --seconds "$SLOW_SECONDS" ;;
        *) echo "unknown flood $f (expected: udp ws idle slow)" >&2; exit 2 ;;
    esac
done

# Still alive and answering: the process, /healthz, /readyz (the store), STUN, and a new login.
verdict=0
alive || { echo "FAIL: server process gone" >&2; verdict=1; }
code=$(curl -s -o /dev/null -w '%{http_code}' -m 5 "http://$HTTP/healthz" || true)
ready=$(curl -s -o /dev/null -w '%{http_code}' -m 5 "http://$HTTP/readyz" || true)
login=$(curl -s -o /dev/null -w '%{http_code}' -m 10 -H 'Content-Type: application/json' \
    -d '{"email":"flood@example.org","password":"correct horse battery"}' "http://$HTTP/api/login" || true)
rm -f "$WORK/final.stop" && mkfifo "$WORK/final.stop"
client WellBehaved --http "$HTTP" --stun "$TURN" < "$WORK/final.stop" > "$WORK/final.probe" &
PROBE=$!; exec 3> "$WORK/final.stop"; sleep 2; exec 3>&-; wait "$PROBE" || true; PROBE=""
final=$(cat "$WORK/final.probe")
echo "after all floods: healthz $code, readyz $ready, login $login, 2 s of probes: http $(field "$final" http_ok) ok" \
     "$(field "$final" http_failed) failed, stun $(field "$final" stun_ok) ok $(field "$final" stun_failed) failed;" \
     "RSS $(( $(rss_kb 2>/dev/null || echo 0) / 1024 )) MiB, $(sockets) sockets, $(grep -c 'Exception' "$WORK/server.log" || true)" \
     "log lines naming an Exception"
[ "$code" = 200 ] && [ "$ready" = 200 ] && [ "$login" = 200 ] && [ "$(field "$final" http_failed)" = 0 ] \
    && [ "$(field "$final" stun_failed)" = 0 ] && [ "$(field "$final" stun_ok)" != 0 ] || verdict=1
[ $verdict = 0 ] && echo "server survived" || echo "FAIL: server not answering as it should (log: $WORK/server.log)"
echo "details: $WORK/details"
exit $verdict
