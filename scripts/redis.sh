#!/usr/bin/env bash
# Redis on loopback for the Socket.IO adapter in local runs and tests (Debian's redis-server).
# Usage: scripts/redis.sh start|stop|status
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT="${REDIS_PORT:-6379}"
# One run dir per port, so the product's and the tests' servers never share a pid file.
RUN_DIR="$ROOT/.lab/redis-$PORT"
PID_FILE="$RUN_DIR/redis.pid"

running() { [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; }

case "${1:-}" in
  start)
    command -v redis-server >/dev/null || { echo "redis: redis-server not installed (apt-get install redis-server)" >&2; exit 1; }
    if running; then echo "redis: already running"; exit 0; fi
    mkdir -p "$RUN_DIR"
    redis-server --bind 127.0.0.1 --port "$PORT" --save '' --appendonly no --daemonize yes \
      --pidfile "$PID_FILE" --logfile "$RUN_DIR/redis.log" --dir "$RUN_DIR"
    for _ in $(seq 1 50); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
    echo "redis: running on redis://127.0.0.1:$PORT"
    ;;
  stop)
    if running; then kill "$(cat "$PID_FILE")"; fi
    rm -f "$PID_FILE"
    ;;
  status) if running; then echo running; else echo stopped; exit 3; fi ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
