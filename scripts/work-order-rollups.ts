/**
 * Maintenance of the work-order KPI sums (src/app/work-orders/reporting/work-order-facts.service.ts):
 *   npx tsx scripts/work-order-rollups.ts status    # fold state: generation, batch, log position
 *   npx tsx scripts/work-order-rollups.ts fold      # fold the listed changes now (the job does it every 30 s)
 *   npx tsx scripts/work-order-rollups.ts rebuild [--take-over]   # recompute every sum from the stored orders
 * The database is MONGODB_URI (default as the app's). `rebuild` runs while the app runs: writers and
 * folds go on, and the sums switch to the rebuilt generation at the end. Run it once on a database
 * that has orders from before the sums existed, and to repair the cases the fold cannot know about
 * (an order write whose change was never listed: see the rollup module's header). `--take-over`
 * starts over after a rebuild that died (otherwise refused until its hold lapses, 6 h).
 */
import { DbConnection } from '../src/adapters/db/connection';
import { MongoWorkOrderRollupStore, scanWorkOrders } from '../src/adapters/db/repositories/work-order-facts.repository';
import { WorkOrderFacts } from '../src/app/work-orders/reporting/work-order-facts.service';
import { createLogger } from '../src/adapters/logging/logger';

async function main(): Promise<void> {
  const cmd = process.argv[2];
  if (cmd !== 'status' && cmd !== 'fold' && cmd !== 'rebuild') {
    console.error('usage: npx tsx scripts/work-order-rollups.ts status|fold|rebuild');
    process.exit(2);
  }
  const log = createLogger({ level: 'info' });
  const db = new DbConnection(process.env['MONGODB_URI'] ?? 'mongodb://127.0.0.1:27017/hotline12345', log);
  await db.start(1000, 10_000);
  try {
    const store = new MongoWorkOrderRollupStore(db.connection);
    const facts = new WorkOrderFacts({ store, log });
    if (cmd === 'fold') console.log(JSON.stringify(await facts.fold()));
    if (cmd === 'rebuild') {
      const t0 = Date.now();
      const r = await facts.rebuildFromOrders(scanWorkOrders(db.connection, 1000), { takeOver: process.argv.includes('--take-over') });
      console.log(`rebuilt generation ${r.gen}: ${r.orders} orders, ${r.documents} rollup documents in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    const state = await store.readState();
    const open = state ? await store.readBatch(state.seq + 1) : null;
    console.log(JSON.stringify({ state, batchInProgress: open ? { seq: open.seq, at: new Date(open.at).toISOString() } : null }, null, 2));
  } finally {
    await db.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
