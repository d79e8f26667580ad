#!/usr/bin/env bash
# Renders the mounted asterisk-config/ (read-only at /config) with this container's environment
# into /etc/asterisk, then runs Asterisk in the foreground.
set -euo pipefail
/opt/hotline/render-asterisk-config.sh /config /etc/asterisk
exec asterisk -f -U asterisk -G asterisk -vvv
