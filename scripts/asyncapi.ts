/**
 * Prints the Socket.IO contract as an AsyncAPI document (src/adapters/realtime/asyncapi.ts), for
 * Spectral (scripts/test.sh) and client generators.
 *
 *   npx tsx scripts/asyncapi.ts > asyncapi.json
 */
import { buildAsyncApiDocument } from '../src/adapters/realtime/asyncapi';

process.stdout.write(`${JSON.stringify(buildAsyncApiDocument(), null, 2)}\n`);
