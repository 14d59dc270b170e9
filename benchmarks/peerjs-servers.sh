# Sourced by peerjs-vs-kezdesu.sh and peerjs-connections.sh: installs peerjs-server 1.0.2 and starts it or kezdesu on
# 127.0.0.1. The caller sets $here (benchmarks/), $root (the repository) and $scratch (where `peer` is installed);
# the start functions set $pid and $port.

install_peerjs_server() {
  if [ ! -x "$scratch/node_modules/.bin/peerjs" ]; then
    mkdir -p "$scratch"
    (cd "$scratch" && npm init -y >/dev/null && npm install --no-audit --no-fund --loglevel=error peer@1.0.2)
  fi
}

wait_for() { # file pattern process [tenths of a second] -> the first match, while process lives
  for _ in $(seq 1 "${4:-600}"); do
    if m=$(grep -oE "$2" "$1" 2>/dev/null | head -1) && [ -n "$m" ]; then echo "$m"; return 0; fi
    kill -0 "$3" 2>/dev/null || break
    sleep 0.1
  done
  echo "no '$2' in $1: $(tail -5 "$1")" >&2; return 1
}

start_peerjs() { # log-file [peerjs CLI options...]
  local log="$1" free
  shift
  # Its CLI treats --port 0 as unset, so pick a free loopback port here.
  free=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  : >"$log" # now: a reused log must not show the previous server's port to wait_for
  node "$scratch/node_modules/peer/dist/bin/peerjs.js" --host 127.0.0.1 --port "$free" --path /peerjs "$@" \
    > "$log" 2>&1 &
  pid=$!
  port=$(wait_for "$log" 'port: [0-9]+' "$pid" | grep -oE '[0-9]+')
}

start_kezdesu() { # log-file data-dir [java options...] -- [kezdesu signaling options...]
  local log="$1" data="$2" java=()
  shift 2
  while [ $# -gt 0 ] && [ "$1" != -- ]; do java+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  # peerjs-rate-limit 0: the generator drives each connection at hundreds of messages per second, above the default
  # per-connection ceiling of 100 a browser never nears. connections-per-ip 0: every simulated client comes from
  # 127.0.0.1. Ceilings, not costs: the figures measure the server's work.
  : >"$log" # now: a reused log must not show the previous server's address to wait_for
  java "${java[@]}" -jar "$root/cli/target/kezdesu.jar" signaling --data-dir "$data" --http-ip 127.0.0.1 \
    --http-port 0 --peerjs-rate-limit 0 --connections-per-ip 0 "$@" > /dev/null 2> "$log" &
  pid=$!
  port=$(wait_for "$log" 'http://127\.0\.0\.1:[0-9]+' "$pid" | grep -oE '[0-9]+$')
}
