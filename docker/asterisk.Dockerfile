# Asterisk 22 from Debian sid's packages, configured from the project's asterisk-config/ at start.
FROM debian:sid-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      asterisk asterisk-modules asterisk-core-sounds-en-wav asterisk-moh-opsound-wav \
      espeak-ng sox ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY scripts/render-asterisk-config.sh scripts/make-prompts.sh /opt/hotline/
COPY docker/asterisk-entrypoint.sh /opt/hotline/entrypoint.sh
# Prompts are generated at build time; mount studio recordings of the same names over them to replace.
RUN /opt/hotline/make-prompts.sh /usr/share/asterisk/sounds/hotline
EXPOSE 5060/udp 8088/tcp
ENTRYPOINT ["/opt/hotline/entrypoint.sh"]
