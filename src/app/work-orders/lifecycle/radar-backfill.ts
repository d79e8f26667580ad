/**
 * The radar fields of orders written before they existed (ADR 0017 stored them at each write; ADR
 * 0023). Run once at start in the background: it goes through the open orders without `radarDueAt`
 * in id order, a batch at a time, and sets each one's fields from the same rule a write uses
 * (`radarFieldsOf`), only where the order is still at the revision read and still has none. So it is
 * idempotent, several instances may run it at once (they write the same values, and a write of the
 * order in between wins), and one order it cannot write does not stop the others.
 */
import type { Logger } from '../../../shared/logger';
import type { RadarBackfillStore } from '../work-orders.ports';
import type { RegulationService } from './regulation.service';
import { radarFieldsOf } from './work-order.index';

export interface RadarBackfillResult {
  readonly examined: number;
  readonly written: number;
  readonly failed: number;
}

export interface RadarBackfillDeps {
  readonly store: RadarBackfillStore;
  readonly regulation: RegulationService;
  readonly log: Logger;
  /** Orders read per batch (default 500). */
  readonly batch?: number;
}

export async function backfillRadar(deps: RadarBackfillDeps): Promise<RadarBackfillResult> {
  const batch = deps.batch ?? 500;
  let after = '';
  let examined = 0;
  let written = 0;
  let failed = 0;
  for (;;) {
    const page = await deps.store.withoutRadar(after, batch);
    for (const { order, rev } of page) {
      examined += 1;
      try {
        const preset = deps.regulation.preset(order.presetId) ?? deps.regulation.activePreset();
        if (await deps.store.setRadar(order.id, rev, radarFieldsOf(order, preset))) written += 1;
      } catch (err) {
        failed += 1;
        deps.log.warn('radar fields not backfilled', { orderId: order.id, err: String(err) });
      }
    }
    const last = page.at(-1);
    if (!last || page.length < batch) break;
    after = last.order.id;
  }
  if (examined > 0) deps.log.info('radar fields backfilled', { examined, written, failed });
  return { examined, written, failed };
}
