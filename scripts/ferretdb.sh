#!/usr/bin/env bash
# FerretDB v1 (SQLite backend) for local runs and tests: MongoDB itself is not installable here.
# Usage: scripts/ferretdb.sh build|start|stop|status
#   start: fresh data dir unless FERRETDB_KEEP_DATA=1; listens on loopback only;
#          FERRETDB_PORT (27017), FERRETDB_SYNCHRONOUS (normal | full: SQLite's fsync per commit),
#          FERRETDB_GOGC (800), FERRETDB_GOMEMLIMIT (2GiB): the Go garbage collector's settings.
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
  local stamp; stamp="$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" "$src/id-index.patch.sed" | sha256sum | cut -c1-16)"
  if [[ -x "$BIN" && -f "$BIN.stamp" && "$(cat "$BIN.stamp")" == "$stamp" ]]; then
    return 0
  fi
  command -v go >/dev/null || { echo "ferretdb: Go toolchain not found" >&2; exit 1; }
  mkdir -p "$(dirname "$BIN")"
  echo "ferretdb: building (first time takes a few minutes)…" >&2
  # FerretDB v1.24.2's SQLite backend indexes `_id` as  sjson->"_id"  but looks it up with
  # sjson->'$._id'; SQLite matches index expressions by their text, so every lookup by _id was a
  # full table scan (0.7 s at 200,000 documents instead of 0.1 ms). The same value, spelled as the
  # index spells it, lets SQLite use the index. The module comes unchanged from the Go proxy; the
  # build compiles a patched copy of it (a `replace` in a generated go.mod, ours untouched) and
  # fails if the patched line is no longer there.
  (cd "$src" && go mod download github.com/FerretDB/FerretDB)
  local mod; mod="$(cd "$src" && go list -m -f '{{.Dir}}' github.com/FerretDB/FerretDB)"
  local work="$CACHE/build/ferretdb-src"
  rm -rf "$work" && mkdir -p "$work"
  cp -r "$mod" "$work/FerretDB" && chmod -R u+w "$work/FerretDB"
  local meta="$work/FerretDB/internal/backends/sqlite/metadata/metadata.go"
  sed -i -f "$src/id-index.patch.sed" "$meta"
  if cmp -s "$mod/internal/backends/sqlite/metadata/metadata.go" "$meta"; then
    echo "ferretdb: the _id index patch no longer applies to $mod" >&2; exit 1
  fi
  cp "$src/go.mod" "$src/go.sum" "$work/"
  echo "replace github.com/FerretDB/FerretDB => $work/FerretDB" >> "$work/go.mod"
  (cd "$src" && CGO_ENABLED=0 go build -trimpath -modfile "$work/go.mod" -o "$BIN.tmp" .)
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
  # synchronous=normal: with SQLite's WAL a commit survives the process dying (what the outage tests
  # do) and is flushed to disk at checkpoints, like MongoDB's default journal commit interval, rather
  # than an fsync per write. FERRETDB_SYNCHRONOUS=full restores SQLite's default.
  # FerretDB decodes every stored document from JSON into short-lived values, so Go's collector
  # runs often under its default GOGC=100; GOGC=800 cut the time of reading or replacing a 7 KB
  # order (40 history entries) by about 40 % (569 of each, 16 in flight: findOne 1.87 s → 1.16 s, replaceOne 3.1 s →
  # 1.8 s). GOMEMLIMIT makes the collector work harder before the heap passes that size.
  GOGC="${FERRETDB_GOGC:-800}" GOMEMLIMIT="${FERRETDB_GOMEMLIMIT:-2GiB}" \
  nohup "$BIN" -listen "127.0.0.1:$PORT" -data "$RUN_DIR/data" -synchronous "${FERRETDB_SYNCHRONOUS:-normal}" \
    >"$RUN_DIR/ferretdb.log" 2>&1 &
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
