#!/usr/bin/env bash
# Brings the whole product up locally: real Asterisk 22 (Debian sid chroot), FerretDB (MongoDB wire
# protocol), Redis and the backend, then prints where to point a browser and a softphone.
#   scripts/lab.sh up     install what is missing, start everything, run the app in the foreground
#   scripts/lab.sh down   stop the lab servers
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

case "${1:-up}" in
  up)
    scripts/setup.sh
    scripts/ferretdb.sh start
    scripts/redis.sh start
    # The lab notices a phone or caller gone without a BYE after 10 s of silence (production: 60 s);
    # Asterisk and the app must agree on the trunk's value.
    export AGENT_RTP_TIMEOUT="${AGENT_RTP_TIMEOUT:-10}" TRUNK_RTP_TIMEOUT="${TRUNK_RTP_TIMEOUT:-10}"
    scripts/asterisk-lab.sh start
    # Lab mode is explicit: only NODE_ENV=development or test lets the app fall back to the lab's secrets.
    export NODE_ENV="${NODE_ENV:-development}"
    export MONGODB_URI="${MONGODB_URI:-mongodb://127.0.0.1:27017/hotline12345}"
    export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
    export HTTP_PORT="${HTTP_PORT:-3000}"
    npx tsx scripts/seed-lab.ts
    cat <<INFO

  12345 hotline lab is up.
    consoles (browser)   http://127.0.0.1:${HTTP_PORT}/   (坐席工作台 for agents, 班长监控 for supervisors)
    REST API + OpenAPI   http://127.0.0.1:${HTTP_PORT}/openapi.json
    health / readiness   http://127.0.0.1:${HTTP_PORT}/healthz  /readyz
    place a call         first an agent phone: npx tsx scripts/place-call.ts --agent 1001   (agent 1001 logged in and Ready, see docs/calling.md)
                         then a caller:        npx tsx scripts/place-call.ts              (sip:12345@127.0.0.1:5060; a complete call, rated 1)
    agent softphones     PJSIP endpoints agent1001..agent1010 (see asterisk-config/README.md)
    lab users            printed above by the seed step
  Stop with Ctrl-C, then: scripts/lab.sh down

INFO
    exec npx tsx src/main.ts
    ;;
  down)
    scripts/asterisk-lab.sh stop || true
    scripts/redis.sh stop || true
    scripts/ferretdb.sh stop || true
    ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
