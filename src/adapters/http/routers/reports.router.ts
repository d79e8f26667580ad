/** Work-order KPI reports per unit and period, as JSON or CSV, with hot topics. */
import { z } from 'zod';
import { ValidationError } from '../../../shared/errors';
import { PERIOD_KINDS, parsePeriod, periodOf } from '../../../domain/calendar/periods';
import { reportToCsv, type WorkOrderReportService } from '../../../app/work-orders/reporting/work-order-report.service';
import { authOf, requireAuth, type Authenticator } from '../auth.middleware';
import { DocumentedRouter } from '../route-table';
import { id, parse } from '../validate';
import { workOrderReportResponse } from '../response-schemas';

export const reportQuery = z.strictObject({
  period: z.enum(PERIOD_KINDS).default('month'),
  /** `2026-W10`, `2026-03`, `2026-Q1` or `2026`; default the current period. */
  key: z.string().max(10).optional(),
  unitId: id.optional(),
  topN: z.coerce.number().int().min(1).max(100).optional(),
  format: z.enum(['json', 'csv']).default('json'),
});

export function reportsRouter(auth: Authenticator, reports: WorkOrderReportService, clock: () => number): DocumentedRouter {
  const r = new DocumentedRouter();
  const authed = requireAuth(auth);
  r.route(
    {
      method: 'get', path: '/api/reports/work-orders', response: workOrderReportResponse, alsoAs: { 'text/csv': { type: 'string', description: 'With ?format=csv: one row per unit (UTF-8, for Excel)' } }, tag: 'reports', permission: 'kpi:read', query: reportQuery,
      summary: 'Weekly/monthly/quarterly/yearly KPIs per unit (按期办结率 … 重办率), Beijing and Yanji scores, ranking, hot topics; JSON or CSV (kpi:read for every unit; a unit handler: their own unit)',
    },
    authed,
    async (req, res) => {
      const q = parse(reportQuery, req.query, 'query');
      const period = q.key === undefined ? periodOf(q.period, new Date(clock())) : parsePeriod(q.period, q.key);
      if (!period) throw new ValidationError('query.key', `not a ${q.period} key (e.g. 2026-W10, 2026-03, 2026-Q1, 2026)`);
      const report = await reports.report(authOf(res).actor, period, {
        ...(q.unitId !== undefined ? { unitId: q.unitId } : {}),
        ...(q.topN !== undefined ? { topN: q.topN } : {}),
      });
      if (q.format === 'csv') {
        res.type('text/csv; charset=utf-8').attachment(`work-orders-${period.label}.csv`).send(reportToCsv(report));
        return;
      }
      res.json(report);
    },
  );
  return r;
}
