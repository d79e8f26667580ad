#!/usr/bin/env bash
# The lab's and the tests' database: FerretDB v2 (MongoDB wire protocol) on PostgreSQL 18 with the
# DocumentDB extension. MongoDB itself is not installable here; this pair has MongoDB's semantics
# where the product relies on them (atomic conditional updates and $inc, TTL and partial indexes,
# $lookup; see docs/database.md).
#
# Usage: scripts/ferretdb.sh build|start|stop|status|psql [SQL]
#   build   PostgreSQL 18 + postgresql-18-documentdb from Debian sid, installed into the lab's sid
#           chroot (the one scripts/asterisk-lab.sh builds), and FerretDB v2 built from the Go
#           module proxy (tools/ferretdb pins the version).
#   start   PostgreSQL (in the chroot, as its postgres user, loopback only) then FerretDB (on the
#           host, loopback only). Data is kept across stop/start; FERRETDB_FRESH=1 starts from an
#           empty cluster (what the test suite does once per run).
#   stop    FerretDB, then PostgreSQL (fast shutdown: committed data is kept).
# Environment: FERRETDB_PORT (27017), FERRETDB_PG_PORT (FERRETDB_PORT + 10000), FERRETDB_FRESH (0),
#   FERRETDB_LOG_LEVEL (warn),
#   FERRETDB_PG_FSYNC (off: the lab's data survive the processes stopping or being killed, not the
#   machine crashing), HOTLINE_CACHE (/var/cache/hotline12345).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${HOTLINE_CACHE:-/var/cache/hotline12345}"
BIN="$CACHE/bin/ferretdb-v2"
CHROOT="$CACHE/asterisk-sid"
DB_MARKER="$CHROOT/.hotline-documentdb-complete"
PORT="${FERRETDB_PORT:-27017}"
# One run dir per port and work tree, so the product's and the tests' servers never share anything.
RUN_DIR="$ROOT/.lab/ferretdb-$PORT"
PID_FILE="$RUN_DIR/ferretdb.pid"
# PostgreSQL lives inside the chroot; its directory is named after the run dir.
DB_ID="$(printf '%s' "$RUN_DIR" | sha1sum | cut -c1-12)"
IN_CHROOT_DB="/srv/hotline-db/$DB_ID"
PG_DIR="$CHROOT$IN_CHROOT_DB"
PG_BIN=/usr/lib/postgresql/18/bin
# DocumentDB opens connections back to its own server over TCP loopback, so PostgreSQL listens there too.
PG_PORT="${FERRETDB_PG_PORT:-$((PORT + 10000))}"
DB_PACKAGES=(postgresql-18 postgresql-18-documentdb)

# shellcheck source=scripts/lib/chroot.sh
source "$ROOT/scripts/lib/chroot.sh"

log() { printf '[ferretdb] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

in_chroot_as_postgres() { chroot --userspec=postgres:postgres "$CHROOT" "$@"; }

build_postgres() {
  [[ -f $DB_MARKER ]] && return 0
  "$ROOT/scripts/asterisk-lab.sh" build
  exec 8>"$CACHE/documentdb.lock"
  flock -w 900 8 || die "timed out waiting for another install into $CHROOT"
  [[ -f $DB_MARKER ]] && return 0
  log "installing ${DB_PACKAGES[*]} into $CHROOT (a few minutes the first time)"
  # No service starts inside the chroot, and no default cluster: each run dir makes its own.
  printf '#!/bin/sh\nexit 101\n' >"$CHROOT/usr/sbin/policy-rc.d"
  chmod +x "$CHROOT/usr/sbin/policy-rc.d"
  mkdir -p "$CHROOT/etc/postgresql-common"
  echo "create_main_cluster = false" >"$CHROOT/etc/postgresql-common/createcluster.conf"
  mount_chroot_system # postgresql-common's postinst needs /proc
  # The chroot's package lists come from its debootstrap; a mirror snapshot's Release file may be
  # past its Valid-Until date, which only matters for refreshing the lists.
  chroot "$CHROOT" env DEBIAN_FRONTEND=noninteractive apt-get -o Acquire::Check-Valid-Until=false \
    install -y -qq --no-install-recommends "${DB_PACKAGES[@]}" >"$CACHE/documentdb-install.log" 2>&1 || {
    tail -n 30 "$CACHE/documentdb-install.log" >&2
    die "installing ${DB_PACKAGES[*]} failed (log: $CACHE/documentdb-install.log)"
  }
  [[ -x $CHROOT$PG_BIN/postgres ]] || die "PostgreSQL 18 is missing after the install"
  unmount_chroot
  # shellcheck disable=SC2016 # ${Version} is dpkg-query's field syntax
  printf 'documentdb %s built %s\n' "$(chroot "$CHROOT" dpkg-query -W -f='${Version}' postgresql-18-documentdb)" \
    "$(date -u +%FT%TZ)" >"$DB_MARKER"
}

build_ferretdb() {
  local src="$ROOT/tools/ferretdb"
  # Rebuild when our module changed (its go.sum pins the FerretDB version).
  local stamp; stamp="$(cat "$src/go.mod" "$src/go.sum" | sha256sum | cut -c1-16)"
  if [[ -x "$BIN" && -f "$BIN.stamp" && "$(cat "$BIN.stamp")" == "$stamp" ]]; then
    return 0
  fi
  command -v go >/dev/null || die "Go toolchain not found"
  mkdir -p "$(dirname "$BIN")"
  log "building FerretDB v2 (first time takes a minute or two)…"
  (cd "$src" && CGO_ENABLED=0 go build -trimpath -o "$BIN.tmp" github.com/FerretDB/FerretDB/v2/cmd/ferretdb)
  mv "$BIN.tmp" "$BIN"
  echo "$stamp" >"$BIN.stamp"
}

build() {
  build_postgres
  build_ferretdb
}

pg_running() { in_chroot_as_postgres "$PG_BIN/pg_ctl" -D "$IN_CHROOT_DB/data" status >/dev/null 2>&1; }
running() { [[ -f "$PID_FILE" ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; }

wait_port() {
  for _ in $(seq 1 200); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "ferretdb: not listening on 127.0.0.1:$PORT; log:" >&2
  tail -n 20 "$RUN_DIR/ferretdb.log" >&2 || true
  return 1
}

init_cluster() {
  rm -rf "$PG_DIR"
  mkdir -p "$PG_DIR"
  chroot "$CHROOT" chown postgres:postgres "$IN_CHROOT_DB"
  in_chroot_as_postgres "$PG_BIN/initdb" -D "$IN_CHROOT_DB/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
    >"$RUN_DIR/initdb.log" 2>&1 || { tail -n 20 "$RUN_DIR/initdb.log" >&2; die "initdb failed"; }
  # pg_cron and DocumentDB must be preloaded. Loopback only (DocumentDB connects back to itself).
  cat >>"$PG_DIR/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$IN_CHROOT_DB'
port = $PG_PORT
shared_preload_libraries = 'pg_cron,pg_documentdb_core,pg_documentdb'
cron.database_name = 'postgres'
fsync = ${FERRETDB_PG_FSYNC:-off}
full_page_writes = ${FERRETDB_PG_FSYNC:-off}
shared_buffers = 256MB
max_connections = 300
log_min_messages = warning
EOF
}

start_postgres() {
  mount_chroot_system
  local fresh=0
  if [[ "${FERRETDB_FRESH:-0}" == "1" || ! -f "$PG_DIR/data/PG_VERSION" ]]; then
    pg_running && in_chroot_as_postgres "$PG_BIN/pg_ctl" -D "$IN_CHROOT_DB/data" -m immediate stop >/dev/null
    init_cluster
    fresh=1
  fi
  if ! pg_running; then
    in_chroot_as_postgres "$PG_BIN/pg_ctl" -D "$IN_CHROOT_DB/data" -l "$IN_CHROOT_DB/postgres.log" -w -t 60 start \
      >/dev/null || { tail -n 20 "$PG_DIR/postgres.log" >&2; die "PostgreSQL did not start"; }
  fi
  if ((fresh)); then
    in_chroot_as_postgres "$PG_BIN/psql" -q -h "$IN_CHROOT_DB" -p "$PG_PORT" -U postgres -d postgres \
      -v ON_ERROR_STOP=1 -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION IF NOT EXISTS documentdb CASCADE' >/dev/null
  fi
}

start() {
  build
  mkdir -p "$RUN_DIR"
  if [[ "${FERRETDB_FRESH:-0}" == "1" ]]; then stop; fi
  if running && pg_running; then wait_port; echo "ferretdb: already running (pid $(cat "$PID_FILE")) on 127.0.0.1:$PORT"; return 0; fi
  start_postgres
  if ! running; then
    # --debug-addr: its default (127.0.0.1:8088) is Asterisk's ARI port in the lab; '-' turns it off.
    # No auth: the server listens on loopback only, like the lab's other servers.
    # In a session of its own: a server started from a test process outlives that process.
    nohup setsid "$BIN" --listen-addr="127.0.0.1:$PORT" \
      --postgresql-url="postgres://postgres@/postgres?host=$PG_DIR&port=$PG_PORT&pool_max_conns=50" \
      --debug-addr=- --no-auth --telemetry=disable --state-dir="$RUN_DIR" \
      --log-level="${FERRETDB_LOG_LEVEL:-warn}" --log-format=text \
      >"$RUN_DIR/ferretdb.log" 2>&1 &
    echo $! >"$PID_FILE"
  fi
  wait_port
  echo "ferretdb: running (pid $(cat "$PID_FILE")) on mongodb://127.0.0.1:$PORT (PostgreSQL in $PG_DIR)"
}

stop() {
  if running; then
    local pid; pid="$(cat "$PID_FILE")"
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE"
  if [[ -f "$PG_DIR/data/PG_VERSION" ]] && pg_running; then
    in_chroot_as_postgres "$PG_BIN/pg_ctl" -D "$IN_CHROOT_DB/data" -m fast -w -t 60 stop >/dev/null
  fi
  unmount_chroot
}

case "${1:-}" in
  build) build ;;
  start) start ;;
  stop) stop ;;
  status)
    if running && pg_running; then echo "running (pid $(cat "$PID_FILE"))"; else echo "stopped"; exit 3; fi ;;
  psql) shift; in_chroot_as_postgres "$PG_BIN/psql" -h "$IN_CHROOT_DB" -p "$PG_PORT" -U postgres -d postgres "$@" ;;
  *) echo "usage: $0 build|start|stop|status|psql [args]" >&2; exit 2 ;;
esac
