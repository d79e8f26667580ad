#!/usr/bin/env bash
# Regenerates the console screenshots the README shows (docs/screenshots/): runs the browser tests,
# which drive the consoles through real calls and save every page at 1920×1080 and 1366×768.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/setup.sh
SCREENSHOT_DIR="$ROOT/docs/screenshots" npx jest --config test/jest.integration.config.js test/integration/consoles test/integration/desk
ls -1 docs/screenshots
