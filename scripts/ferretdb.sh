#!/usr/bin/env bash
# FerretDB v1 (SQLite backend) for local runs and tests: MongoDB itself is not installable here.
# Usage: scripts/ferretdb.sh build|start|stop|status
#   start: fresh data dir unless FERRETDB_KEEP_DATA=1; listens on loopback only.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${HOTLINE_CACHE:-/var/cache/hotline12345}"
BIN="$CACHE/bin/ferretdb-lab"
PORT="${FERRETDB_PORT:-27017}"
# One run dir per port, so the product's and the tests' servers never share a pid file.
RUN_DIR="$ROOT/.lab/ferretdb-$PORT"
PID_FILE="$RUN_DIR/ferretdb.pid"

build() {
  local src="$ROOT/tools/ferretdb"
  # Rebuild when our module changed (its go.sum pins the FerretDB version).
  local stamp; stamp="$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" | sha256sum | cut -c1-16)"
  if [[ -x "$BIN" && -f "$BIN.stamp" && "$(cat "$BIN.stamp")" == "$stamp" ]]; then
    return 0
  fi
  command -v go >/dev/null || { echo "ferretdb: Go toolchain not found" >&2; exit 1; }
  mkdir -p "$(dirname "$BIN")"
  echo "ferretdb: building (first time takes a few minutes)…" >&2
  (cd "$src" && CGO_ENABLED=0 go build -trimpath -o "$BIN.tmp" .)
  mv "$BIN.tmp" "$BIN"
  echo "$stamp" > "$BIN.stamp"
}

running() { [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; }

wait_port() {
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "ferretdb: not listening on 127.0.0.1:$PORT; log:" >&2
  tail -n 20 "$RUN_DIR/ferretdb.log" >&2 || true
  return 1
}

start() {
  build
  if running; then wait_port; echo "ferretdb: already running (pid $(cat "$PID_FILE")) on 127.0.0.1:$PORT"; return 0; fi
  mkdir -p "$RUN_DIR"
  if [[ "${FERRETDB_KEEP_DATA:-0}" != "1" ]]; then rm -rf "$RUN_DIR/data"; fi
  nohup "$BIN" -listen "127.0.0.1:$PORT" -data "$RUN_DIR/data" >"$RUN_DIR/ferretdb.log" 2>&1 &
  echo $! > "$PID_FILE"
  wait_port
  echo "ferretdb: running (pid $(cat "$PID_FILE")) on mongodb://127.0.0.1:$PORT"
}

stop() {
  if running; then
    local pid; pid="$(cat "$PID_FILE")"
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE"
}

case "${1:-}" in
  build) build ;;
  start) start ;;
  stop) stop ;;
  status) if running; then echo "running (pid $(cat "$PID_FILE"))"; else echo "stopped"; exit 3; fi ;;
  *) echo "usage: $0 build|start|stop|status" >&2; exit 2 ;;
esac
