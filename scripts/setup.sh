#!/usr/bin/env bash
# Installs everything the product and its tests need on a fresh Debian machine (run as root):
# Debian packages, npm packages (from the lockfile), the Asterisk 22 chroot (Debian sid), FerretDB,
# and the Chinese IVR prompts. Idempotent: every step is skipped when already done.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export HOTLINE_CACHE="${HOTLINE_CACHE:-/var/cache/hotline12345}"

if [[ "$(id -u)" != "0" ]]; then
  echo "setup: run as root (debootstrap, apt-get and the Asterisk chroot need it)" >&2
  exit 1
fi

need_apt=()
for pair in debootstrap:debootstrap sipp:sip-tester baresip:baresip-core espeak-ng:espeak-ng sox:sox redis-server:redis-server \
  docker-compose:docker-compose go:golang-go node:nodejs chromium:chromium fc-list:fontconfig; do
  cmd="${pair%%:*}"; pkg="${pair##*:}"
  command -v "$cmd" >/dev/null 2>&1 || need_apt+=("$pkg")
done
# Chinese fonts for the browser tests' screenshots (else CJK renders as boxes).
[[ -d /usr/share/fonts/opentype/noto ]] && ls /usr/share/fonts/opentype/noto/NotoSansCJK* >/dev/null 2>&1 || need_apt+=(fonts-noto-cjk)
if ((${#need_apt[@]})); then
  echo "setup: installing Debian packages: ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# Install from the lockfile, only when it changed since the last install. `npm install` rather than
# `npm ci`: npm 11 leaves other platforms' optional native bindings out of a lockfile written without
# registry URLs, which `npm ci` then rejects as out of sync; `npm install` keeps the locked versions.
stamp="node_modules/.lock-stamp"
lock_hash="$(sha256sum package-lock.json package.json | sha256sum | cut -c1-16)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$lock_hash" ]]; then
  npm install --no-audit --no-fund
  echo "$lock_hash" > "$stamp"
fi

scripts/node-lts.sh >/dev/null
# The web consoles (web/dist), served by the app; rebuilt when their sources changed.
web_hash="$(find web -path web/dist -prune -o -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)"
if [[ ! -f web/dist/.build-stamp || "$(cat web/dist/.build-stamp)" != "$web_hash-$lock_hash" ]]; then
  npm run build:web
  echo "$web_hash-$lock_hash" > web/dist/.build-stamp
fi

scripts/asterisk-lab.sh build
scripts/ferretdb.sh build
scripts/make-prompts.sh
echo "setup: done"
