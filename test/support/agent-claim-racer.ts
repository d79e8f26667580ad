/**
 * A second process for the agent-claim race test: connects to the database given, and at the agreed
 * start time claims agent `<prefix>-<i>` for round i, one round every `periodMs`, as the other
 * process does at the same moments. Prints `{"owner": …, "won": [round, …]}` on stdout.
 *
 *   tsx test/support/agent-claim-racer.ts <mongodb uri> <startAtMs> <rounds> <periodMs> <prefix>
 */
import { DbConnection } from '../../src/adapters/db/connection';
import { MongoAgentClaims } from '../../src/adapters/db/repositories/agent-claim.repository';
import { asAgentId, asCallId } from '../../src/shared/ids';
import { silentLogger } from '../../src/shared/logger';

async function main(): Promise<void> {
  const [uri, startAt, rounds, periodMs, prefix] = process.argv.slice(2);
  if (!uri || !startAt || !rounds || !periodMs || !prefix) throw new Error('usage: agent-claim-racer <uri> <startAtMs> <rounds> <periodMs> <prefix>');
  const db = new DbConnection(uri, silentLogger);
  await db.start(200, 20_000);
  const claims = new MongoAgentClaims(db.connection, { log: silentLogger, owner: `racer-${process.pid}` });
  await claims.start();
  const won: number[] = [];
  const tries: Promise<void>[] = [];
  for (let i = 0; i < Number(rounds); i += 1) {
    const at = Number(startAt) + i * Number(periodMs);
    await new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
    tries.push(
      Promise.resolve(claims.claim(asAgentId(`${prefix}-${i}`), asCallId(`racer-${i}`))).then((ok) => {
        if (ok) won.push(i);
      }),
    );
  }
  await Promise.all(tries);
  process.stdout.write(`${JSON.stringify({ owner: claims.owner, won: won.sort((a, b) => a - b) })}\n`);
  await claims.stop();
  await db.stop();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
