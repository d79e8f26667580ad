#!/usr/bin/env bash
# Real Asterisk 22 for local runs and tests: a cached Debian sid chroot started with the
# project's asterisk-config/ (rendered into .lab/asterisk/ with credentials from the environment).
#
#   scripts/asterisk-lab.sh build|start|stop|restart|status|cli "<command>"|env
#
# Environment (defaults in parentheses):
#   HOTLINE_CACHE (/var/cache/hotline12345)   the chroot lives in $HOTLINE_CACHE/asterisk-sid
#   ASTERISK_LAB_DIR (<repo>/.lab/asterisk)   run dir: rendered config, socket, pid, logs
#   ASTERISK_DEBIAN_MIRROR (http://deb.debian.org/debian)
#   ASTERISK_START_TIMEOUT (60)               seconds to wait for ARI
#   ARI_USERNAME, ARI_PASSWORD, ARI_PORT, SIP_PORT, RTP_START, RTP_END, ... see
#   asterisk-config/README.md (all passed to scripts/render-asterisk-config.sh)
#   PROMPTS_DIR (<repo>/.lab/prompts/hotline) made by scripts/make-prompts.sh, played as sound:hotline/<name>
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${HOTLINE_CACHE:-/var/cache/hotline12345}
CHROOT=$CACHE/asterisk-sid
MARKER=$CHROOT/.hotline-chroot-complete
MIRROR=${ASTERISK_DEBIAN_MIRROR:-http://deb.debian.org/debian}
LAB=${ASTERISK_LAB_DIR:-$ROOT/.lab/asterisk}
PROMPTS_DIR=${PROMPTS_DIR:-$ROOT/.lab/prompts/hotline}
START_TIMEOUT=${ASTERISK_START_TIMEOUT:-60}

export ARI_USERNAME=${ARI_USERNAME:-hotline}
export ARI_PASSWORD=${ARI_PASSWORD:-hotline-lab-secret}
export ARI_PORT=${ARI_PORT:-8088}
export ARI_BIND=${ARI_BIND:-127.0.0.1}
export SIP_PORT=${SIP_PORT:-5060}
export SIP_BIND=${SIP_BIND:-127.0.0.1}

# Packages of the chroot. The Asterisk sounds are needed for the stock prompts (digits, beeps);
# the MOH package gives res_musiconhold its default class.
PACKAGES=(asterisk asterisk-modules asterisk-core-sounds-en-wav asterisk-moh-opsound-wav)

# One chroot can serve several run dirs (work trees): each run dir is bind-mounted at its own path.
LAB_ID=$(printf '%s' "$LAB" | sha1sum | cut -c1-12)
IN_CHROOT_LAB=/srv/hotline/$LAB_ID
LAB_MNT=$CHROOT$IN_CHROOT_LAB
PID_FILE=$LAB/asterisk.pid
# Asterisk writes its own pid file and control socket into astrundir (inside the run dir).
AST_PID_FILE=$LAB/run/asterisk.pid

# shellcheck source=scripts/lib/chroot.sh
source "$ROOT/scripts/lib/chroot.sh"

log() { printf '[asterisk-lab] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

need_root() { [[ $(id -u) -eq 0 ]] || die "must run as root (chroot, mounts)"; }

# Host side of the lab: the chroot builder, the ARI probe, the SIP test peers (sipp, baresip) and the
# prompt synthesis (espeak-ng, sox).
ensure_host_tools() {
  local missing=()
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  command -v curl >/dev/null || missing+=(curl)
  command -v sipp >/dev/null || missing+=(sip-tester)
  # A real softphone for the agent-phone test (docs/calling.md's baresip configuration).
  command -v baresip >/dev/null || missing+=(baresip-core)
  command -v espeak-ng >/dev/null || missing+=(espeak-ng)
  command -v sox >/dev/null || missing+=(sox)
  if ((${#missing[@]})); then
    log "installing host packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  fi
}

cmd_build() {
  need_root
  ensure_host_tools
  mkdir -p "$CACHE"
  # Two builds at once (e.g. test runs of two work trees) would debootstrap into the same dir.
  exec 9>"$CACHE/asterisk-sid.lock"
  flock -w 900 9 || die "timed out waiting for another build of $CHROOT"
  if [[ -f $MARKER ]]; then
    log "chroot ready at $CHROOT ($(cat "$MARKER"))"
    return 0
  fi
  # A half-built chroot (interrupted run) is rebuilt from scratch; never while something runs in it.
  if [[ -d $CHROOT ]]; then
    chroot_in_use && die "$CHROOT is incomplete but in use; stop it first"
    unmount_chroot
    # Bind-mounted run dirs are on the same file system: rm would descend into them.
    if grep -qF " $CHROOT/" /proc/mounts; then die "mounts left under $CHROOT; unmount them first"; fi
    log "removing incomplete chroot $CHROOT"
    rm -rf --one-file-system "$CHROOT"
  fi
  log "debootstrap sid into $CHROOT (about a minute)"
  debootstrap --variant=minbase --include="$(IFS=,; echo "${PACKAGES[*]}")" \
    sid "$CHROOT" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 || {
    tail -n 30 "$CACHE/debootstrap.log" >&2
    die "debootstrap failed (log: $CACHE/debootstrap.log)"
  }
  # Run dirs are bind-mounted under /srv/hotline; Debian's sample config in /etc/asterisk is
  # never read (asterisk runs with -C pointing at a run dir).
  mkdir -p "$CHROOT/srv/hotline"
  local version
  # shellcheck disable=SC2016 # ${Version} is dpkg-query's field syntax
  version=$(chroot "$CHROOT" dpkg-query -W -f='${Version}' asterisk)
  printf 'asterisk %s built %s\n' "$version" "$(date -u +%FT%TZ)" >"$MARKER"
  log "chroot complete: asterisk $version"
}

mount_chroot() {
  mount_chroot_system
  # Without the host's hosts file Asterisk tries DNS for its own name at start (no DNS here).
  cp -f /etc/hosts "$CHROOT/etc/hosts"
  mkdir -p "$LAB_MNT"
  is_mounted "$LAB_MNT" || mount --bind "$LAB" "$LAB_MNT"
}

unmount_lab() {
  if is_mounted "$LAB_MNT"; then umount "$LAB_MNT" || umount -l "$LAB_MNT"; fi
  rmdir "$LAB_MNT" 2>/dev/null || true
}


# Prints the pid of our Asterisk when it runs (pid file, process name, chroot and config path match).
running_pid() {
  local f pid
  for f in "$PID_FILE" "$AST_PID_FILE"; do
    [[ -f $f ]] || continue
    pid=$(tr -dc '0-9' <"$f")
    [[ -n $pid && -d /proc/$pid ]] || continue
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) == asterisk ]] || continue
    [[ $(readlink "/proc/$pid/root" 2>/dev/null) == "$CHROOT" ]] || continue
    # Other run dirs may run their own Asterisk in the same chroot: it must be ours.
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "-C $IN_CHROOT_LAB/etc/asterisk.conf" || continue
    printf '%s\n' "$pid"
    return 0
  done
  return 1
}

# Prints the chroot of an Asterisk of this run dir started from another chroot (another
# HOTLINE_CACHE, such as a benchmark's private copy): it holds the ports this start needs.
running_elsewhere() {
  local f pid root
  for f in "$PID_FILE" "$AST_PID_FILE"; do
    [[ -f $f ]] || continue
    pid=$(tr -dc '0-9' <"$f")
    [[ -n $pid && -d /proc/$pid ]] || continue
    [[ $(cat "/proc/$pid/comm" 2>/dev/null) == asterisk ]] || continue
    root=$(readlink "/proc/$pid/root" 2>/dev/null) || continue
    [[ $root != "$CHROOT" && $root == */asterisk-sid ]] || continue
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "-C $IN_CHROOT_LAB/etc/asterisk.conf" || continue
    printf '%s\n' "$root"
    return 0
  done
  return 1
}

ari_url() { printf 'http://%s:%s/ari' "${ARI_HOST:-127.0.0.1}" "$ARI_PORT"; }

ari_ok() {
  curl -fsS -m 3 -u "$ARI_USERNAME:$ARI_PASSWORD" "$(ari_url)/asterisk/info" >/dev/null 2>&1
}

install_prompts() {
  # Makes only the prompts missing from the directory (a new one after an update too).
  "$ROOT/scripts/make-prompts.sh" "$PROMPTS_DIR"
  # sid's sounds dirs may be absolute symlinks: resolve them inside the chroot, not on the host.
  local sounds
  sounds=$(chroot "$CHROOT" readlink -f /usr/share/asterisk/sounds)
  mkdir -p "$CHROOT$sounds/hotline"
  local f
  for f in "$PROMPTS_DIR"/*; do
    [[ -f $f ]] || continue
    cmp -s "$f" "$CHROOT$sounds/hotline/${f##*/}" || cp -f "$f" "$CHROOT$sounds/hotline/"
  done
}

render_config() {
  # spool/recording: where ARI (bridge/channel) recordings are written.
  mkdir -p "$LAB"/{etc,run,log,lib,db} "$LAB"/spool/{recording,tmp}
  AST_ETC_DIR=$IN_CHROOT_LAB/etc AST_RUN_DIR=$IN_CHROOT_LAB/run AST_LOG_DIR=$IN_CHROOT_LAB/log \
    AST_SPOOL_DIR=$IN_CHROOT_LAB/spool AST_VARLIB_DIR=/var/lib/asterisk AST_DB_DIR=$IN_CHROOT_LAB/db \
    "$ROOT/scripts/render-asterisk-config.sh" "$ROOT/asterisk-config" "$LAB/etc.new" >/dev/null
  # A running Asterisk is reused only when its config is unchanged.
  if [[ -d $LAB/etc ]] && diff -r -q "$LAB/etc" "$LAB/etc.new" >/dev/null 2>&1; then
    rm -rf "$LAB/etc.new"
    return 1
  fi
  rm -rf "${LAB:?}/etc"
  mv "$LAB/etc.new" "$LAB/etc"
  return 0
}

print_env() {
  printf 'ARI_URL=http://%s:%s\nARI_USERNAME=%s\nARI_PASSWORD=%s\nARI_APP=%s\nSIP_ADDRESS=%s:%s\nASTERISK_PID=%s\n' \
    "${ARI_HOST:-127.0.0.1}" "$ARI_PORT" "$ARI_USERNAME" "$ARI_PASSWORD" "${ARI_APP:-hotline}" \
    "$SIP_BIND" "$SIP_PORT" "$(running_pid || echo)"
}

fail_start() {
  log "ERROR: $1"
  log "last lines of $LAB/log/messages.log and $LAB/asterisk.out:"
  tail -n 40 "$LAB/log/messages.log" >&2 2>/dev/null || true
  tail -n 20 "$LAB/asterisk.out" >&2 2>/dev/null || true
  # Leave nothing half-started behind.
  if running_pid >/dev/null; then cmd_stop >/dev/null 2>&1 || true; fi
  exit 1
}

cmd_start() {
  need_root
  [[ -f $MARKER ]] || cmd_build
  mkdir -p "$LAB"
  local changed=0 pid other
  if other=$(running_elsewhere); then
    log "this run dir's Asterisk runs from $other, not $CHROOT: stopping it first"
    ASTERISK_LAB_LOCKED=1 HOTLINE_CACHE=${other%/asterisk-sid} "$0" stop
  fi
  render_config && changed=1
  if pid=$(running_pid); then
    if ((changed == 0)) && wait_ari 10; then
      install_prompts
      log "already running (pid $pid), ARI at $(ari_url)"
      print_env
      return 0
    fi
    log "running Asterisk (pid $pid) has other config or no ARI: restarting it"
    cmd_stop
    render_config || true
  fi
  # Stale pid file or socket from a killed run: Asterisk refuses to start on a live-looking socket.
  rm -f "$PID_FILE" "$AST_PID_FILE" "$LAB/run/asterisk.ctl"
  mount_chroot
  install_prompts
  : >"$LAB/log/messages.log"
  log "starting Asterisk (ARI $(ari_url), SIP udp $SIP_BIND:$SIP_PORT)"
  # -f: stay in the foreground of this background job so $! is Asterisk itself (chroot execs);
  # setsid so it outlives the calling shell and its terminal signals; the lock fds stay here.
  setsid chroot "$CHROOT" /usr/sbin/asterisk -f -n -C "$IN_CHROOT_LAB/etc/asterisk.conf" \
    >"$LAB/asterisk.out" 2>&1 </dev/null 8>&- 9>&- &
  pid=$!
  printf '%s\n' "$pid" >"$PID_FILE"
  local deadline=$((SECONDS + START_TIMEOUT))
  # Fully booted first (ARI can answer before chan_pjsip has loaded), then the ports, then ARI.
  until cli_rx "core waitfullybooted" >/dev/null 2>&1; do
    [[ -d /proc/$pid ]] || fail_start "Asterisk exited during start"
    ((SECONDS < deadline)) || fail_start "Asterisk did not finish booting within ${START_TIMEOUT}s"
    sleep 0.2
  done
  # A port taken by another process: Asterisk logs it and runs on (and ARI would be answered
  # by whoever holds the port).
  if grep -qE 'Unable to bind|Address already in use|could not be started' "$LAB/log/messages.log"; then
    fail_start "a port is in use (ARI $ARI_PORT or SIP $SIP_PORT): set ARI_PORT / SIP_PORT"
  fi
  until ari_ok; do
    [[ -d /proc/$pid ]] || fail_start "Asterisk exited during start"
    ((SECONDS < deadline)) || fail_start "ARI did not answer at $(ari_url)/asterisk/info within ${START_TIMEOUT}s"
    sleep 0.2
  done
  log "Asterisk up (pid $pid), ARI at $(ari_url)"
  print_env
}

wait_ari() {
  local deadline=$((SECONDS + $1))
  until ari_ok; do
    ((SECONDS < deadline)) || return 1
    sleep 0.3
  done
}

cmd_stop() {
  need_root
  local pid
  if pid=$(running_pid); then
    log "stopping Asterisk (pid $pid)"
    # A graceful stop first (hangs up channels), then signals if it hangs.
    cli_rx "core stop now" >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 100); do
      [[ -d /proc/$pid ]] || break
      if ((i == 50)); then kill -TERM "$pid" 2>/dev/null || true; fi
      sleep 0.1
    done
    if [[ -d /proc/$pid ]]; then
      kill -KILL "$pid" 2>/dev/null || true
      while [[ -d /proc/$pid ]]; do sleep 0.1; done
    fi
  else
    log "not running"
  fi
  rm -f "$PID_FILE" "$AST_PID_FILE" "$LAB/run/asterisk.ctl"
  unmount_lab
  unmount_chroot
}

cmd_status() {
  local pid
  if pid=$(running_pid); then
    if ari_ok; then
      log "running (pid $pid), ARI at $(ari_url) answers"
      print_env
      return 0
    fi
    log "running (pid $pid) but ARI at $(ari_url) does not answer"
    return 2
  fi
  log "not running"
  return 3
}

cli_rx() {
  chroot "$CHROOT" /usr/sbin/asterisk -C "$IN_CHROOT_LAB/etc/asterisk.conf" -rx "$1"
}

cmd_cli() {
  need_root
  [[ $# -ge 1 ]] || die "usage: $0 cli \"<command>\""
  running_pid >/dev/null || die "Asterisk is not running"
  cli_rx "$*"
}

# One start/stop at a time per run dir (a test setup and a test may both ensure Asterisk).
lock_lab() {
  mkdir -p "$LAB"
  # Called from a start of this run dir that holds the lock already.
  [[ ${ASTERISK_LAB_LOCKED:-} == 1 ]] && return 0
  exec 8>"$LAB/.lock"
  flock -w 180 8 || die "timed out waiting for another start/stop of $LAB"
}

main() {
  local sub=${1:-}
  shift || true
  case $sub in
    build) cmd_build ;;
    start) need_root; lock_lab; cmd_start ;;
    stop) need_root; lock_lab; cmd_stop ;;
    restart) need_root; lock_lab; cmd_stop; cmd_start ;;
    status) cmd_status ;;
    cli) cmd_cli "$@" ;;
    env) print_env ;;
    *) die "usage: $0 build|start|stop|restart|status|cli \"<command>\"|env" ;;
  esac
}

main "$@"
