/**
 * Index creation at start. Every collection's indexes are created here, one model after the other,
 * never in mongoose's background `autoIndex` (turned off on the connection): several instances
 * starting at once then create each index at most once each, in the same order. A creation that
 * lost a race with another instance's (PostgreSQL under FerretDB v2 reports a deadlock or a
 * conflict, MongoDB a write conflict or an aborted build) is tried again; the index then exists.
 */
import type { Model } from 'mongoose';

const ATTEMPTS = 8;

/** Server errors a concurrent creation of the same indexes can cause: worth another try. */
export function isIndexRace(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  // 112 WriteConflict, 276 IndexBuildAborted, 11600/11602 interrupted.
  if (e && typeof e.code === 'number' && [112, 276, 11600, 11602].includes(e.code)) return true;
  return /deadlock|could not serialize|concurrent|conflict|tuple concurrently updated/i.test(String(e?.message ?? err));
}

/** Runs one index creation, again after a race with another instance's (bounded). */
export async function createIndexRetrying(create: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await create();
      return;
    } catch (err) {
      if (attempt >= ATTEMPTS || !isIndexRace(err)) throw err;
      // Jittered back-off so racing instances do not meet again at once.
      await new Promise((r) => setTimeout(r, 50 * attempt + Math.floor(Math.random() * 50)));
    }
  }
}

/** Creates the declared indexes of each model, one model after the other. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function ensureIndexes(...models: Array<Model<any>>): Promise<void> {
  for (const model of models) await createIndexRetrying(() => model.createIndexes());
}
