#!/usr/bin/env bash
# Renders asterisk-config/*.conf into a directory Asterisk reads (astetcdir), filling the
# {{NAME}} placeholders from the environment (defaults below are for the local lab) and
# generating pjsip_agents.conf. Used by scripts/asterisk-lab.sh and by a container entrypoint.
#
#   scripts/render-asterisk-config.sh IN_DIR OUT_DIR
#
# {{...}} is used instead of ${...} because ${...} is Asterisk's own dialplan syntax.
# Every variable is documented in asterisk-config/README.md.
set -euo pipefail

die() { printf 'render-asterisk-config: ERROR: %s\n' "$*" >&2; exit 1; }

[[ $# -eq 2 ]] || die "usage: $0 IN_DIR OUT_DIR"
IN_DIR=$1
OUT_DIR=$2
[[ -d $IN_DIR ]] || die "input directory $IN_DIR does not exist"

: "${ARI_USERNAME:=hotline}"
: "${ARI_PASSWORD:=hotline-lab-secret}"
: "${ARI_BIND:=127.0.0.1}"
: "${ARI_PORT:=8088}"
: "${ARI_APP:=hotline}"
: "${HTTP_SESSION_LIMIT:=1000}"
: "${SIP_BIND:=127.0.0.1}"
: "${SIP_PORT:=5060}"
: "${RTP_START:=10000}"
: "${RTP_END:=20000}"
: "${TRUNK_MATCH:=127.0.0.1}"
# The lab's phones (sipp) and test peers on loopback; 127.0.1.0 and up stay outside (tests of the door).
: "${AGENT_NETWORKS:=127.0.0.0/24}"
: "${AGENT_FIRST:=1001}"
: "${AGENT_COUNT:=10}"
: "${AGENT_STATIC_CONTACTS:=yes}"
: "${AGENT_CONTACT_HOST:=127.0.0.1}"
: "${AGENT_PORT_OFFSET:=6000}"
: "${AGENT_RTP_TIMEOUT:=60}"
# Where calls out through the trunk go (automated callback surveys): the carrier's SIP address; in
# the lab a sipp "citizen" on loopback, inside the lab's own port block (AGENT_PORT_OFFSET + 999).
if [[ -z ${TRUNK_CONTACT:-} ]]; then
  if [[ $AGENT_PORT_OFFSET =~ ^[0-9]+$ ]]; then TRUNK_CONTACT="sip:127.0.0.1:$((AGENT_PORT_OFFSET + 999))"; else TRUNK_CONTACT=""; fi
fi
# OPTIONS to each agent phone every this many seconds: a phone that stops answering is offered no call (0 = off).
: "${AGENT_QUALIFY_SEC:=5}"
: "${TRUNK_RTP_TIMEOUT:=60}"
: "${TRUNK_SESSION_EXPIRES:=1800}"
: "${AST_ETC_DIR:=/etc/asterisk}"
: "${AST_RUN_DIR:=/var/run/asterisk}"
: "${AST_LOG_DIR:=/var/log/asterisk}"
: "${AST_SPOOL_DIR:=/var/spool/asterisk}"
: "${AST_VARLIB_DIR:=/var/lib/asterisk}"
: "${AST_DB_DIR:=/var/lib/asterisk}"

VARS=(ARI_USERNAME ARI_PASSWORD ARI_BIND ARI_PORT ARI_APP HTTP_SESSION_LIMIT SIP_BIND SIP_PORT
  RTP_START RTP_END TRUNK_MATCH TRUNK_CONTACT AGENT_NETWORKS AGENT_RTP_TIMEOUT AGENT_QUALIFY_SEC TRUNK_RTP_TIMEOUT TRUNK_SESSION_EXPIRES
  AST_ETC_DIR AST_RUN_DIR AST_LOG_DIR AST_SPOOL_DIR AST_VARLIB_DIR AST_DB_DIR)

# Collect every problem, then report them all at once.
problems=()
is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }
check_port() { is_uint "${!1}" && ((${!1} >= 1 && ${!1} <= 65535)) || problems+=("$1='${!1}' is not a port number"); }
for v in ARI_PORT SIP_PORT RTP_START RTP_END; do check_port "$v"; done
for v in HTTP_SESSION_LIMIT AGENT_FIRST AGENT_COUNT AGENT_PORT_OFFSET AGENT_RTP_TIMEOUT AGENT_QUALIFY_SEC TRUNK_RTP_TIMEOUT TRUNK_SESSION_EXPIRES; do
  is_uint "${!v}" || problems+=("$v='${!v}' is not a non-negative integer")
done
if is_uint "$TRUNK_SESSION_EXPIRES" && ((TRUNK_SESSION_EXPIRES < 90)); then
  problems+=("TRUNK_SESSION_EXPIRES ($TRUNK_SESSION_EXPIRES) must be at least 90 (RFC 4028's Min-SE)")
fi
if is_uint "$RTP_START" && is_uint "$RTP_END" && ((RTP_END <= RTP_START)); then
  problems+=("RTP_END ($RTP_END) must be above RTP_START ($RTP_START)")
fi
[[ $AGENT_STATIC_CONTACTS == yes || $AGENT_STATIC_CONTACTS == no ]] ||
  problems+=("AGENT_STATIC_CONTACTS='$AGENT_STATIC_CONTACTS' must be yes or no")
[[ $ARI_USERNAME =~ ^[A-Za-z0-9_.-]+$ ]] || problems+=("ARI_USERNAME may only contain letters, digits, _ . -")
[[ $ARI_APP =~ ^[A-Za-z0-9_.-]+$ ]] || problems+=("ARI_APP may only contain letters, digits, _ . -")
for v in "${VARS[@]}"; do
  [[ -n ${!v} ]] || problems+=("$v is empty")
  # A newline or ';' would end the value early or start a comment in Asterisk's config syntax.
  [[ ${!v} != *$'\n'* && ${!v} != *';'* ]] || problems+=("$v must not contain a newline or ';'")
done
# TRUNK_MATCH and AGENT_NETWORKS: comma lists of IPv4/IPv6 addresses or networks (a.b.c.d/len,
# a.b.c.d/mask, v6/len). They feed both the trunk's identify and the ACL, which takes no host names.
is_ipv4() {
  local IFS=. o
  local -a parts
  [[ $1 =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ ]] || return 1
  read -ra parts <<<"$1"
  for o in "${parts[@]}"; do ((10#$o <= 255)) || return 1; done
}
is_ipv6() { [[ $1 == *:* && $1 =~ ^[0-9A-Fa-f:]+(:[0-9]{1,3}(\.[0-9]{1,3}){3})?$ && $1 != *:::* ]]; }
check_networks() {
  local name=$1 item addr len
  local -a items
  IFS=, read -ra items <<<"${!name}"
  [[ ${!name} != *, && ${!name} != ,* && ${!name} != *,,* ]] || { problems+=("$name='${!name}' has an empty item"); return; }
  for item in "${items[@]}"; do
    item=${item// /}
    addr=${item%%/*}
    len=
    [[ $item == */* ]] && len=${item#*/}
    if is_ipv4 "$addr"; then
      if [[ -n $len ]] && ! { [[ $len =~ ^[0-9]{1,2}$ ]] && ((10#$len <= 32)); } && ! is_ipv4 "$len"; then
        problems+=("$name: '$item' has a bad prefix length or mask"); continue
      fi
    elif is_ipv6 "$addr"; then
      if [[ -n $len ]] && ! { [[ $len =~ ^[0-9]{1,3}$ ]] && ((10#$len <= 128)); }; then
        problems+=("$name: '$item' has a bad prefix length"); continue
      fi
    else
      problems+=("$name: '$item' is not an IP address or network (host names are not accepted)"); continue
    fi
    # A zero-length prefix would admit every address on the internet.
    if [[ $len == 0 || $len == 0.0.0.0 ]]; then problems+=("$name: '$item' admits every address"); fi
  done
}
check_networks TRUNK_MATCH
# A SIP URI of host (name, IPv4 or [IPv6]) and optional port, nothing else: no user, no parameters.
[[ $TRUNK_CONTACT =~ ^sip:([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$ ]] ||
  problems+=("TRUNK_CONTACT='$TRUNK_CONTACT' must be sip:host or sip:host:port")
check_networks AGENT_NETWORKS
if is_uint "$AGENT_FIRST" && is_uint "$AGENT_COUNT" && is_uint "$AGENT_PORT_OFFSET" &&
  ((AGENT_PORT_OFFSET + AGENT_FIRST + AGENT_COUNT - 1 > 65535)); then
  problems+=("AGENT_PORT_OFFSET + last agent number exceeds 65535")
fi
if ((${#problems[@]})); then
  printf 'render-asterisk-config: invalid configuration:\n' >&2
  printf '  - %s\n' "${problems[@]}" >&2
  exit 1
fi
if [[ $ARI_PASSWORD == hotline-lab-secret && $ARI_BIND != 127.0.0.1 ]]; then
  printf 'render-asterisk-config: WARNING: the lab ARI password on a non-loopback address; set ARI_PASSWORD\n' >&2
fi

# Bash 5.2 would expand '&' in a replacement string to the match.
shopt -u patsub_replacement 2>/dev/null || true

mkdir -p "$OUT_DIR"
shopt -s nullglob
files=("$IN_DIR"/*.conf)
((${#files[@]})) || die "no .conf files in $IN_DIR"
for f in "${files[@]}"; do
  content=$(<"$f")
  for v in "${VARS[@]}"; do
    content=${content//"{{$v}}"/"${!v}"}
  done
  if [[ $content =~ \{\{[A-Za-z0-9_]*\}\} ]]; then
    die "${f##*/}: unknown placeholder ${BASH_REMATCH[0]}"
  fi
  printf '%s\n' "$content" >"$OUT_DIR/${f##*/}.tmp"
  mv -f "$OUT_DIR/${f##*/}.tmp" "$OUT_DIR/${f##*/}"
done

# Agents' phones: endpoint and AOR named agent<N>. In the lab each AOR has a static contact on
# AGENT_CONTACT_HOST at port AGENT_PORT_OFFSET+N (agent1001 -> 7001), where a sipp UAS stands in
# for the softphone; with AGENT_STATIC_CONTACTS=no the phones register. The endpoint's auth,
# agent<N>-auth, is each agent's own credential, put into Asterisk by the application over ARI
# (sorcery.conf); until it is there, the agent's requests are refused.
{
  printf '; Generated by render-asterisk-config.sh: agents %s..%s\n' "$AGENT_FIRST" "$((AGENT_FIRST + AGENT_COUNT - 1))"
  for ((n = AGENT_FIRST; n < AGENT_FIRST + AGENT_COUNT; n++)); do
    printf '\n[agent%s](agent-endpoint)\naors = agent%s\nauth = agent%s-auth\ncallerid = "%s" <%s>\n' "$n" "$n" "$n" "$n" "$n"
    printf '\n[agent%s](agent-aor)\n' "$n"
    if [[ $AGENT_STATIC_CONTACTS == yes ]]; then
      printf 'contact = sip:agent@%s:%s\n' "$AGENT_CONTACT_HOST" "$((AGENT_PORT_OFFSET + n))"
    fi
  done
} >"$OUT_DIR/pjsip_agents.conf.tmp"
mv -f "$OUT_DIR/pjsip_agents.conf.tmp" "$OUT_DIR/pjsip_agents.conf"

printf '%s\n' "$OUT_DIR"
