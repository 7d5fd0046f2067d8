#!/usr/bin/env bash
# Serve LSTM Explorer to a whole school from this machine: N replicas of `streamlit run` sharing one model
# store, behind Debian's nginx with sticky sessions (deploy/nginx.conf), without root. Ctrl-C stops them all.
#
#   deploy/run-replicas.sh 2            # nginx on 127.0.0.1:8600, replicas on 8601 and 8602
#
# Settings (environment):
#   PORT                   where nginx listens (default 8600)
#   REPLICA_PORT           the first replica's port; the others follow (default 8601)
#   LSTM_EXPLORER_STORE    the one model store they share (default: the app's, ~/.cache/lstm-explorer/models)
#   LSTM_EXPLORER_SCRIPT   what each replica runs (default serve.py: the app with its warm start; or app.py)
#   PYTHON, NGINX          the interpreter (default .venv/bin/python) and nginx (default /usr/sbin/nginx)
#   and every LSTM_EXPLORER_* setting of the README, passed to each replica.
# Pid, logs, nginx's temporary files and the generated configuration go to a new temporary folder (printed).
# If a replica or nginx stops, the script stops the others and exits with status 1.
set -euo pipefail

N="${1:-2}"
if ! [[ "$N" =~ ^[0-9]+$ ]] || (( N < 1 || N > 16 )); then
  echo "run-replicas.sh: N (replicas) must be a whole number from 1 to 16 (got '$N')" >&2
  exit 2
fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PORT="${PORT:-8600}"
FIRST="${REPLICA_PORT:-8601}"
for name in PORT FIRST; do
  value="${!name}"
  if ! [[ "$value" =~ ^[0-9]+$ ]] || (( value < 1024 || value + N > 65535 )); then
    echo "run-replicas.sh: ${name/FIRST/REPLICA_PORT} must be a port from 1024 to $((65535 - N)) (got '$value')" >&2
    exit 2
  fi
done
if (( PORT >= FIRST && PORT < FIRST + N )); then
  echo "run-replicas.sh: PORT $PORT is one of the replicas' ports ($FIRST to $((FIRST + N - 1)))" >&2
  exit 2
fi
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
if [[ ! -x "$PYTHON" ]]; then
  echo "run-replicas.sh: no Python at $PYTHON (make the README's .venv, or set PYTHON)" >&2
  exit 2
fi
NGINX="${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}"
if [[ ! -x "$NGINX" ]]; then
  echo "run-replicas.sh: nginx is not installed at $NGINX (apt-get install nginx, or set NGINX)" >&2
  exit 2
fi
SCRIPT="${LSTM_EXPLORER_SCRIPT:-serve.py}"

LSTM_EXPLORER_STORE="${LSTM_EXPLORER_STORE:-$("$PYTHON" -c 'from lstm_core.engine.store import default_root
print(default_root())')}"
export LSTM_EXPLORER_STORE
mkdir -p "$LSTM_EXPLORER_STORE"
# One cookie secret for every replica: what one signed, another accepts (a browser moved by a failover).
STREAMLIT_SERVER_COOKIE_SECRET="${STREAMLIT_SERVER_COOKIE_SECRET:-$("$PYTHON" -c 'import secrets
print(secrets.token_hex(32))')}"
export STREAMLIT_SERVER_COOKIE_SECRET
RUN="$(mktemp -d "${TMPDIR:-/tmp}/lstm-explorer-replicas.XXXXXX")"

pids=()
stop() {
  trap - INT TERM EXIT
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 150); do  # up to 15 s for them to finish their requests
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    (( alive )) || break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "run-replicas.sh: stopped (logs in $RUN)" >&2
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM
trap 'stop' EXIT

: > "$RUN/upstream.conf"
for (( i = 0; i < N; i++ )); do
  port=$((FIRST + i))
  "$PYTHON" -m streamlit run "$SCRIPT" --server.port "$port" --server.address 127.0.0.1 --server.headless true \
    --server.fileWatcherType none > "$RUN/replica-$port.log" 2>&1 &
  pids+=("$!")
  echo "server 127.0.0.1:$port max_fails=1 fail_timeout=10s;" >> "$RUN/upstream.conf"
done

# Every replica healthy (or one dead: its log) before nginx sends it students.
if ! "$PYTHON" - "$FIRST" "$N" "${pids[@]}" <<'PY'
import sys, time, urllib.request
first, count, pids = int(sys.argv[1]), int(sys.argv[2]), [int(p) for p in sys.argv[3:]]


def dead(pid):  # gone, or a zombie its parent (this script) has not waited for yet
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in "ZX"
    except OSError:
        return True


waiting, deadline = set(range(count)), time.monotonic() + 180
while waiting and time.monotonic() < deadline:
    for i in sorted(waiting):
        try:
            if urllib.request.urlopen(f"http://127.0.0.1:{first + i}/_stcore/health", timeout=2).read() == b"ok":
                waiting.discard(i)
                continue
        except OSError:
            pass
        if dead(pids[i]):
            sys.exit(f"the replica on port {first + i} stopped while starting")
    time.sleep(0.2)
if waiting:
    sys.exit(f"the replicas on ports {[first + i for i in sorted(waiting)]} did not start within 180 s")
PY
then
  for (( i = 0; i < N; i++ )); do tail -n 20 "$RUN/replica-$((FIRST + i)).log" >&2; done
  exit 1
fi

if (( EUID == 0 )); then
  user_line="s|@USER@|$(id -un) $(id -gn)|"  # else nginx's workers would run as nobody, locked out of $RUN
else
  user_line="/^user @USER@;/d"  # nginx warns about a user directive it cannot use
fi
sed -e "s|@RUN@|$RUN|g" -e "s|@PORT@|$PORT|g" -e "$user_line" "$ROOT/deploy/nginx.conf" > "$RUN/nginx.conf"
"$NGINX" -t -q -c "$RUN/nginx.conf" -p "$RUN/" -e "$RUN/error.log"
"$NGINX" -c "$RUN/nginx.conf" -p "$RUN/" -e "$RUN/error.log" &
pids+=("$!")

echo "LSTM Explorer for a school: http://127.0.0.1:$PORT (nginx) -> $N replicas on 127.0.0.1:$FIRST-$((FIRST + N - 1))"
echo "model store: $LSTM_EXPLORER_STORE; pid, logs and configuration: $RUN; Ctrl-C stops them all"
wait -n || true
echo "run-replicas.sh: a replica or nginx stopped (logs in $RUN); stopping the others" >&2
exit 1
