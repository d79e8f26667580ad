#!/usr/bin/env bash
# Runs every check and test on this machine, installing what is missing first:
# type-check, lint, dependency direction, OpenAPI lint (Spectral), docker-compose validation, unit tests, then integration tests
# against real Asterisk 22 (chroot), real SIP peers (sipp) and a real database server (FerretDB).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
scripts/setup.sh
# The tests run on the production image's Node.js major version (docker/app.Dockerfile).
PATH="$(scripts/node-lts.sh):$PATH"
export PATH
echo "== node $(node --version)"

mkdir -p .lab/results
echo "== type-check";          npx tsc -p tsconfig.json --noEmit
echo "== type-check (web)";    npx tsc -p web/tsconfig.json
echo "== lint";                npx eslint . --max-warnings 0
echo "== dependency direction"; npx depcruise src --config .dependency-cruiser.cjs
echo "== OpenAPI lint (Spectral spectral:oas, no errors or warnings)"
npx tsx scripts/openapi.ts > .lab/results/openapi.json
npx spectral lint .lab/results/openapi.json --ruleset .spectral.yaml --fail-severity=warn
echo "== AsyncAPI lint (Spectral spectral:asyncapi, no errors)"
npx tsx scripts/asyncapi.ts > .lab/results/asyncapi.json
npx spectral lint .lab/results/asyncapi.json --ruleset .spectral-asyncapi.yaml --fail-severity=error
echo "== docker-compose config"
docker-compose --env-file .env.example -f docker-compose.yml config -q
# Without the secrets compose must refuse to start (no default passwords in production).
if docker-compose -f docker-compose.yml config -q 2>/dev/null; then echo "docker-compose.yml accepted missing secrets" >&2; exit 1; fi

status=0
echo "== unit tests"
npx jest --config test/jest.unit.config.js --json --outputFile=.lab/results/unit.json || status=1
echo "== integration tests (Asterisk + sipp + FerretDB)"
npx jest --config test/jest.integration.config.js --json --outputFile=.lab/results/integration.json || status=1

node -e '
  let passed = 0, failed = 0;
  for (const f of [".lab/results/unit.json", ".lab/results/integration.json"]) {
    try { const r = require(require("path").resolve(f)); passed += r.numPassedTests; failed += r.numFailedTests + r.numRuntimeErrorTestSuites; }
    catch { failed += 1; console.error("no results in " + f); }
  }
  console.log(`${passed} passed, ${failed} failed`);
'
exit "$status"
