#!/usr/bin/env bash
# Renders the mounted asterisk-config/ (read-only at /config) with this container's environment
# into /etc/asterisk, then runs Asterisk in the foreground.
set -euo pipefail
# The ARI password may come from a file (a Docker secret), as the app reads it.
if [[ -n ${ARI_PASSWORD_FILE:-} ]]; then
  ARI_PASSWORD=$(<"$ARI_PASSWORD_FILE")
  export ARI_PASSWORD
fi
/opt/hotline/render-asterisk-config.sh /config /etc/asterisk
exec asterisk -f -U asterisk -G asterisk -vvv
