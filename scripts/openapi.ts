/**
 * Prints the REST API's OpenAPI document as the production wiring builds it (src/main.ts
 * buildSystem; nothing is started or connected), for Spectral (scripts/test.sh) and client generators.
 *
 *   npx tsx scripts/openapi.ts > openapi.json
 */
import { loadConfig } from '../src/config/config';
import { buildSystem } from '../src/main';
import { silentLogger } from '../src/shared/logger';

async function main(): Promise<void> {
  const system = buildSystem(loadConfig({ NODE_ENV: 'test', HTTP_PORT: '0' }), silentLogger);
  const { port } = await system.http.start();
  try {
    const res = await fetch(`http://127.0.0.1:${port}/openapi.json`);
    process.stdout.write(`${JSON.stringify(await res.json(), null, 2)}\n`);
  } finally {
    await system.http.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`openapi: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
