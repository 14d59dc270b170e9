#!/usr/bin/env bash
# kezdesu as users run it, beside its peers at the same offered load: `./kezdesu serve` with its defaults (the
# launcher's own JVM settings, nothing tuned, a fresh process per measurement) against coturn 4.6 and
# peerjs-server 1.0.2, alternating, on this machine's loopback. Prints each measurement and the ratios the
# performance issue (#16) sets as targets, each marked "ok" or "MISSED". docs/BENCHMARKS.md ("As users run it")
# records a run.
#
# Sections (SECTIONS="start relay allocations binding signaling memory", the default, runs them all):
#   start        `./kezdesu serve` with a fresh data directory (embedded store), exec to its ready line; target 1.5 s
#   relay        turnutils_uclient -m 16 -n 2500 -l 120 -z 0 to turnutils_peer, run back to back from the server's
#                start for RELAY_SECONDS (30): server CPU per relayed packet over that whole window, JIT included;
#                target kezdesu <= 2/3 of coturn's
#   allocations  AllocationLoad (Allocate, 401, Allocate, Refresh 0) from 16,384 loopback addresses: cycles per
#                server-CPU-second; target >= 10x coturn's
#   binding      BindingLoad: Binding requests at BINDING_RATE/s (open loop) from 1,024 addresses: answers per
#                server-CPU-second; target >= 1.5x coturn's
#   signaling    OpenLoad at fixed offered rates (SIGNALING_RATES, msg/s), generator pinned to the last core: the
#                PeerJS protocol (peerjs-server and kezdesu) and kezdesu's /ws; server CPU per message, target
#                <= 1/3 of peerjs-server's, p99 <= 5 ms
#   memory       idle sessions (IDLE_SESSIONS: 10000 18000): RSS growth per PeerJS session (both servers) and per
#                /ws session joined in a room (kezdesu), 5 s after the last one connected and (the target, <= 4 KiB)
#                after IDLE_SECONDS (65) idle, time for the daemon's heap to give back what the connecting took
#                (it asks G1 to after 15 s without a collection); and the idle daemon's RSS
#
# What kezdesu is given beyond its defaults, each a ceiling the load would otherwise hit, not a cost:
# --static-auth-secret (the peer's REST secret), --allow-loopback-peers (the peers are on loopback),
# --legacy-channel-numbers (uclient binds RFC 5766 channel numbers), --user-quota 0 (uclient's 32 allocations are
# one user's), --peerjs-rate-limit 0 and --connections-per-ip 0 (every simulated client is on 127.0.0.1 and sends
# far faster than a browser), --ws-rate-limit 1000000 likewise, --peerjs-concurrent-limit for the idle sessions.
#
# Usage: benchmarks/as-users-run-it.sh [rounds]    Needs: coturn (turnserver, turnutils_*), node + npm, java 17+, maven.
set -euo pipefail
ROUNDS=${1:-1}
SECTIONS=${SECTIONS:-start relay allocations binding signaling memory}
RELAY_SECONDS=${RELAY_SECONDS:-30}
BINDING_RATE=${BINDING_RATE:-20000}
SIGNALING_RATES=${SIGNALING_RATES:-10000 30000 50000}
SIGNALING_SECONDS=${SIGNALING_SECONDS:-15}
IDLE_SESSIONS=${IDLE_SESSIONS:-10000 18000}
IDLE_SECONDS=${IDLE_SECONDS:-65}
SECRET=bench-secret-0123456789abcdef
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
scratch="$here/target/peerjs-server"
WORK=$(mktemp -d /tmp/as-users.XXXXXX)
HZ=$(getconf CLK_TCK)
GEN_CPU=$(( $(nproc) - 1 ))
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

# shellcheck source=peerjs-servers.sh
. "$here/peerjs-servers.sh"
(cd "$root" && mvn -B -q -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt \
  >/dev/null)
CP="$here/target/classes:$(cat "$here/target/classpath.txt")"
"$root/kezdesu" --version >/dev/null   # installs the run copy and trains its class-data-sharing archive

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
field() { { echo "$1" | grep -oE "(^| )$2=-?[0-9.]+" || true; } | head -1 | cut -d= -f2; }
verdict() { # value op target -> ok | MISSED
  awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN { ok = (op == "<=") ? v <= t : v >= t; print (v != "" && ok) ? "ok" : "MISSED" }'
}
wait_udp() {
  for _ in $(seq 150); do
    timeout 1 turnutils_stunclient -p "$1" 127.0.0.1 >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "nothing answers STUN on port $1" >&2; exit 1
}

# kezdesu serve, fresh data directory, relay on 127.0.0.1:$KPORT; extra flags after the log name. Sets $pid.
KPORT=34710; CPORT=34700; PEER_PORT=34720
start_kezdesu_serve() { # log [flags...]
  local log="$1"; shift
  # Emptied here, not by the background job's redirection: that may come after the first look below, which then
  # found the previous daemon's ready line in a reused log and went on with a daemon not yet started.
  : >"$log"
  "$root/kezdesu" serve --data-dir "$(mktemp -d -p "$WORK")" --http-ip 127.0.0.1 --http-port 0 \
    --listening-ip 127.0.0.1 --listening-port $KPORT --tls-listening-port 0 --min-port 50000 --max-port 59999 \
    --static-auth-secret "$SECRET" --realm kezdesu "$@" >"$log" 2>&1 &
  pid=$!; PIDS+=("$pid")
  for _ in $(seq 600); do grep -q 'all ready' "$log" 2>/dev/null && return 0; kill -0 "$pid" || break; sleep 0.05; done
  echo "kezdesu did not start: $(tail -5 "$log")" >&2; exit 1
}
start_coturn() {
  turnserver -n --use-auth-secret --static-auth-secret "$SECRET" --realm kezdesu \
    --listening-ip 127.0.0.1 --relay-ip 127.0.0.1 --listening-port $CPORT --min-port 50000 --max-port 59999 \
    --no-tls --no-dtls --allow-loopback-peers --no-cli --total-quota 0 --user-quota 0 \
    --db "$WORK/turndb" --pidfile "$WORK/turnserver.pid" --log-file "$WORK/turnserver.log" >/dev/null 2>&1 &
  pid=$!; PIDS+=("$pid")
  wait_udp $CPORT
}
stop() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }

echo "# $(date -u +%FT%TZ) $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))," \
  "$(free -h | awk '/Mem:/{print $2}') RAM, kernel $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $(java -version 2>&1 | head -1); $(turnserver --version 2>/dev/null | head -1 | sed 's/^/coturn /'); node $(node --version)"

section_start() {
  local times=() t0 t1 log
  for i in 1 2 3; do
    log="$WORK/start-$i.log"
    t0=$(date +%s%N)
    "$root/kezdesu" serve --data-dir "$(mktemp -d -p "$WORK")" --http-ip 127.0.0.1 --http-port 0 \
      --listening-ip 127.0.0.1 --listening-port 0 --tls-listening-port 0 >"$log" 2>&1 &
    pid=$!; PIDS+=("$pid")
    until grep -q 'all ready' "$log" 2>/dev/null; do kill -0 "$pid" || { cat "$log" >&2; exit 1; }; sleep 0.01; done
    t1=$(date +%s%N)
    stop
    times+=("$(( (t1 - t0) / 1000000 ))")
  done
  local worst; worst=$(printf '%s\n' "${times[@]}" | sort -n | tail -1)
  echo "start: ./kezdesu serve ready after ${times[*]} ms (fresh data directory, embedded store)" \
    "-> worst $(awk -v w="$worst" 'BEGIN{printf "%.2f", w/1000}') s, target <= 1.5 s: $(verdict "$worst" '<=' 1500)"
}

relay_window() { # server -> "packets cpu_s runs"
  local c0 c1 t_end recv=0 runs=0 r out="$WORK/uclient.txt" port=$KPORT
  [ "$1" = coturn ] && port=$CPORT
  c0=$(cpu_ticks "$pid")
  t_end=$(( $(date +%s) + RELAY_SECONDS ))
  while [ "$(date +%s)" -lt "$t_end" ]; do
    turnutils_uclient -W "$SECRET" -u bench -e 127.0.0.1 -r $PEER_PORT -p "$port" -m 16 -n 2500 -l 120 -z 0 \
      127.0.0.1 >"$out" 2>&1 || true
    r=$(grep -o 'tot_recv_msgs=[0-9]*' "$out" | tail -1 | cut -d= -f2)
    recv=$((recv + ${r:-0})); runs=$((runs + 1))
  done
  c1=$(cpu_ticks "$pid")
  echo "$((2 * recv)) $(awk -v c=$((c1 - c0)) -v hz="$HZ" 'BEGIN{printf "%.2f", c/hz}') $runs"
}

section_relay() {
  command -v turnutils_peer >/dev/null || { echo "relay: coturn is not installed" >&2; return; }
  turnutils_peer -L 127.0.0.1 -p $PEER_PORT >/dev/null 2>&1 &
  local peer=$! c k
  PIDS+=("$peer")
  for round in $(seq "$ROUNDS"); do
    start_coturn; c=$(relay_window coturn); stop
    start_kezdesu_serve "$WORK/relay-k.log" --allow-loopback-peers true --legacy-channel-numbers true --user-quota 0
    k=$(relay_window kezdesu); stop
    # shellcheck disable=SC2086
    set -- $c $k
    awk -v cp="$1" -v cc="$2" -v cr="$3" -v kp="$4" -v kc="$5" -v kr="$6" -v s="$RELAY_SECONDS" -v r="$round" 'BEGIN {
      cu = cp ? cc * 1e6 / cp : 0; ku = kp ? kc * 1e6 / kp : 0; ratio = cu ? ku / cu : 0
      printf "relay round %d, first %d s of load from a fresh process: coturn %d packets, %.2f s CPU = %.2f us/pkt;" \
        " kezdesu %d packets, %.2f s CPU = %.2f us/pkt -> kezdesu/coturn %.2f, target <= 0.67: %s\n",
        r, s, cp, cc, cu, kp, kc, ku, ratio, (ratio > 0 && ratio <= 0.67) ? "ok" : "MISSED" }'
  done
  kill "$peer" 2>/dev/null || true
}

section_allocations() {
  local c k line
  for round in $(seq "$ROUNDS"); do
    for server in coturn kezdesu; do
      if [ $server = coturn ]; then start_coturn; port=$CPORT; else
        start_kezdesu_serve "$WORK/alloc-k.log" --user-quota 0; port=$KPORT; fi
      line=$(java -Xmx256m -cp "$CP" io.kezdesu.benchmarks.relay.AllocationLoad --server "127.0.0.1:$port" \
        --secret "$SECRET" --concurrency 64 --seconds 20 --warmup 5 --pid "$pid" --source-ips 16384 2>>"$WORK/tools.err")
      stop
      echo "allocations $server: $line" >>"$WORK/results"
      if [ $server = coturn ]; then c=$line; else k=$line; fi
    done
    awk -v cc="$(field "$c" server_cpu_us_per_alloc)" -v kc="$(field "$k" server_cpu_us_per_alloc)" \
        -v ca="$(field "$c" alloc_per_s)" -v ka="$(field "$k" alloc_per_s)" -v r="$round" 'BEGIN {
      ratio = kc ? cc / kc : 0
      printf "allocations round %d: cycles/s coturn %.0f, kezdesu %.0f; server CPU per cycle coturn %.1f us, kezdesu %.1f us" \
        " -> cycles per CPU-second kezdesu/coturn %.2f, target >= 10: %s\n", r, ca, ka, cc, kc, ratio,
        (ratio >= 10 ? "ok" : "MISSED") }'
  done
}

section_binding() {
  local c k line
  for round in $(seq "$ROUNDS"); do
    for server in coturn kezdesu; do
      if [ $server = coturn ]; then start_coturn; port=$CPORT; else
        start_kezdesu_serve "$WORK/binding-k.log"; port=$KPORT; fi
      line=$(java -Xmx256m -cp "$CP" io.kezdesu.benchmarks.relay.BindingLoad --server "127.0.0.1:$port" \
        --rate "$BINDING_RATE" --sockets 1024 --seconds 15 --warmup 3 --pid "$pid" 2>>"$WORK/tools.err")
      stop
      echo "binding $server: $line" >>"$WORK/results"
      if [ $server = coturn ]; then c=$line; else k=$line; fi
    done
    awk -v ca="$(field "$c" answers_per_cpu_s)" -v ka="$(field "$k" answers_per_cpu_s)" -v r="$round" \
        -v cu="$(field "$c" unanswered_pct)" -v ku="$(field "$k" unanswered_pct)" -v rate="$BINDING_RATE" 'BEGIN {
      ratio = ca ? ka / ca : 0
      printf "binding round %d, %d/s offered: answers per CPU-second coturn %.0f (%.1f%% unanswered), kezdesu %.0f" \
        " (%.1f%% unanswered) -> kezdesu/coturn %.2f, target >= 1.5: %s\n", r, rate, ca, cu, ka, ku, ratio,
        (ratio >= 1.5 ? "ok" : "MISSED") }'
  done
}

open_load() { # protocol url [extra...] -> result line
  taskset -c "$GEN_CPU" java -cp "$CP" io.kezdesu.benchmarks.openloop.OpenLoad --protocol "$1" --url "$2" \
    --rate "$rate" --pairs 50 --warmup 5 --seconds "$SIGNALING_SECONDS" --pid "$pid" "${@:3}" 2>>"$WORK/openload.err"
}

section_signaling() {
  install_peerjs_server >/dev/null
  local p k w mongo data url
  for round in $(seq "$ROUNDS"); do
    for rate in $SIGNALING_RATES; do
      start_peerjs "$WORK/peerjs-server.log"; PIDS+=("$pid")
      p=$(open_load peerjs "ws://127.0.0.1:$port/peerjs/peerjs" || echo "failed")
      stop
      start_kezdesu_serve "$WORK/sig-k.log" --peerjs-rate-limit 0 --connections-per-ip 0 --ws-rate-limit 1000000
      url=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$WORK/sig-k.log" | head -1)
      port=${url##*:}
      k=$(open_load peerjs "ws://127.0.0.1:$port/peerjs/peerjs" || echo "failed")
      stop
      start_kezdesu_serve "$WORK/sig-w.log" --peerjs-rate-limit 0 --connections-per-ip 0 --ws-rate-limit 1000000
      url=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$WORK/sig-w.log" | head -1)
      mongo=$(grep -oE 'mongodb://127\.0\.0\.1:[0-9]+' "$WORK/sig-w.log" | head -1)
      data=$(grep -oE 'data-dir [^ ]+' "$WORK/sig-w.log" | head -1 | cut -d' ' -f2)
      w=$(open_load ws "$url" --mongo-uri "$mongo" --data-dir "$data" || echo "failed")
      stop
      { echo "signaling $rate peerjs-server: $p"; echo "signaling $rate kezdesu-peerjs: $k"
        echo "signaling $rate kezdesu-ws: $w"; } >>"$WORK/results"
      awk -v rate="$rate" -v r="$round" -v pc="$(field "$p" server_cpu_us_per_msg)" -v pp="$(field "$p" p99_ms)" \
          -v pa="$(field "$p" achieved_per_s)" -v kc="$(field "$k" server_cpu_us_per_msg)" \
          -v kp="$(field "$k" p99_ms)" -v ka="$(field "$k" achieved_per_s)" -v wc="$(field "$w" server_cpu_us_per_msg)" \
          -v wp="$(field "$w" p99_ms)" -v wa="$(field "$w" achieved_per_s)" 'BEGIN {
        printf "signaling round %d, %d msg/s offered: peerjs-server %.1f us/msg p99 %s ms (%.0f/s);" \
          " kezdesu PeerJS %.1f us/msg p99 %s ms (%.0f/s) -> CPU x%.2f of peerjs-server: %s;" \
          " kezdesu /ws %.1f us/msg p99 %s ms (%.0f/s) -> CPU x%.2f: %s\n", r, rate, pc, pp, pa,
          kc, kp, ka, pc ? kc / pc : 0, (pc && kc && kc / pc <= 1/3 && kp <= 5) ? "ok" : "MISSED",
          wc, wp, wa, pc ? wc / pc : 0, (pc && wc && wc / pc <= 1/3 && wp <= 5) ? "ok" : "MISSED" }'
    done
  done
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

section_memory() {
  install_peerjs_server >/dev/null
  local n line r0 r1 held url mongo data idle
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  for n in $IDLE_SESSIONS; do
    for server in peerjs-server kezdesu; do
      if [ $server = peerjs-server ]; then
        start_peerjs "$WORK/mem-p.log" --concurrent_limit $((n + 1000)); PIDS+=("$pid")
      else
        start_kezdesu_serve "$WORK/mem-k.log" --connections-per-ip 0 --peerjs-concurrent-limit $((n + 1000))
        port=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$WORK/mem-k.log" | head -1); port=${port##*:}
        idle=$(rss_kb "$pid")
      fi
      sleep 2
      r0=$(rss_kb "$pid")
      rm -f "$WORK/stop" && mkfifo "$WORK/stop"
      java -cp "$CP" io.kezdesu.benchmarks.peerjs.PeerJsHold "ws://127.0.0.1:$port/peerjs/peerjs" "$n" 8 \
        <"$WORK/stop" >"$WORK/hold.out" 2>>"$WORK/tools.err" &
      local gen=$!
      exec 3>"$WORK/stop"
      line=$(wait_for "$WORK/hold.out" 'held=[0-9]+' "$gen" 9000)
      sleep 5
      r1=$(rss_kb "$pid")
      sleep $((IDLE_SECONDS - 5))
      r2=$(rss_kb "$pid")
      exec 3>&-
      wait "$gen" || true
      stop
      held=${line#held=}; held=$((held > 0 ? held : 1))
      echo "memory $server PeerJS: $n sessions, held $held, RSS $((r0 / 1024)) -> $((r1 / 1024)) MiB 5 s after" \
        "the last connected = $(( (r1 - r0) * 1024 / held )) B each; $((r2 / 1024)) MiB after ${IDLE_SECONDS} s" \
        "idle = $(( (r2 - r0) * 1024 / held )) B each" \
        "$([ $server = kezdesu ] && echo "(idle daemon $((idle / 1024)) MiB);") target <= 4096 B idle:" \
        "$(verdict $(( (r2 - r0) * 1024 / held )) '<=' 4096)"
    done
    start_kezdesu_serve "$WORK/mem-w.log" --connections-per-ip 0 --heartbeat-timeout 60s
    url=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$WORK/mem-w.log" | head -1)
    mongo=$(grep -oE 'mongodb://127\.0\.0\.1:[0-9]+' "$WORK/mem-w.log" | head -1)
    data=$(grep -oE 'data-dir [^ ]+' "$WORK/mem-w.log" | head -1 | cut -d' ' -f2)
    # Joins go through the embedded store; at 18,000 it has been seen to fall behind for minutes: give up after
    # JOIN_LIMIT seconds and say so rather than hang.
    line=$(timeout "${JOIN_LIMIT:-240}" java -cp "$CP" io.kezdesu.benchmarks.SignalingLoad --url "$url" \
      --data-dir "$data" --mongo-uri "$mongo" --mode idle --rooms $((n / 4)) --participants 4 --sources 8 \
      --seconds "$IDLE_SECONDS" --pid "$pid" 2>>"$WORK/signaling-load.err" | grep 'server RSS' \
      || echo "did not finish joining within ${JOIN_LIMIT:-240} s ($(grep -c 'heartbeat failed' "$WORK/mem-w.log") store timeouts in the daemon's log)")
    stop
    local b; b=$(echo "$line" | grep -oE '[0-9]+ bytes per session' | cut -d' ' -f1 || true)
    echo "memory kezdesu /ws: $n sessions joined in rooms of 4: $line; target <= 4096 B: $(verdict "${b:-}" '<=' 4096)"
  done
}

for s in $SECTIONS; do "section_$s"; done
echo "raw outputs: $WORK"
