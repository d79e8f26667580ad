/** Work-order KPI reports per unit and period, as JSON, CSV or Excel, with hot topics and trend lines. */
import { z } from 'zod';
import { ValidationError } from '../../../shared/errors';
import { REPORT_PERIOD_KINDS, parsePeriod, periodOf, type Period } from '../../../domain/calendar/periods';
import { reportToCsv, TREND_GRANULARITIES, type ReportWorkbookWriter, type WorkOrderReportService } from '../../../app/work-orders/reporting/work-order-report.service';
import { authOf, requireAuth, type Authenticator } from '../auth.middleware';
import { DocumentedRouter } from '../route-table';
import { id, parse } from '../validate';
import { workOrderReportResponse } from '../response-schemas';

const periodFields = {
  period: z.enum(REPORT_PERIOD_KINDS).default('month'),
  /** `2026-W10`, `2026-03`, `2026-Q1` or `2026`; default the current period. */
  key: z.string().max(10).optional(),
  unitId: id.optional(),
};

export const reportQuery = z.strictObject({
  ...periodFields,
  topN: z.coerce.number().int().min(1).max(100).optional(),
  format: z.enum(['json', 'csv', 'xlsx']).default('json'),
});

export const trendQuery = z.strictObject({
  ...periodFields,
  granularity: z.enum(TREND_GRANULARITIES).default('day'),
});

const rateSchema = z.object({ numerator: z.number(), denominator: z.number(), value: z.number().nullable() });
const periodSchema = z.object({ kind: z.string(), label: z.string(), from: z.string().datetime(), to: z.string().datetime() });
export const trendResponse = z.object({
  period: periodSchema,
  granularity: z.enum(TREND_GRANULARITIES),
  unitId: z.string().nullable(),
  asOf: z.string().datetime(),
  points: z.array(z.object({
    key: z.string(), from: z.string().datetime(), dispatched: z.number(),
    onTimeCompletion: rateSchema, feedback: rateSchema, satisfaction: rateSchema, callback: rateSchema,
  })),
});

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The units' names by id, for the exports (the unit directory); a unit it does not name keeps its id. */
export type UnitNames = () => Promise<ReadonlyMap<string, string>>;

export function reportsRouter(auth: Authenticator, reports: WorkOrderReportService, clock: () => number, workbook: ReportWorkbookWriter, unitNames: UnitNames = async () => new Map()): DocumentedRouter {
  const r = new DocumentedRouter();
  const authed = requireAuth(auth);
  const periodOfQuery = (q: { period: (typeof REPORT_PERIOD_KINDS)[number]; key?: string | undefined }): Period => {
    const period = q.key === undefined ? periodOf(q.period, new Date(clock())) : parsePeriod(q.period, q.key);
    if (!period) throw new ValidationError('query.key', `not a ${q.period} key (e.g. 2026-W10, 2026-03, 2026-Q1, 2026)`);
    return period;
  };
  r.route(
    {
      method: 'get', path: '/api/reports/work-orders', response: workOrderReportResponse, tag: 'reports', permission: 'kpi:read', query: reportQuery,
      alsoAs: {
        'text/csv': { type: 'string', description: 'With ?format=csv: one row per unit, Chinese headers (UTF-8 with BOM, for Excel)' },
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { type: 'string', format: 'binary', description: 'With ?format=xlsx: sheets 报表 and 热点, Chinese headers' },
      },
      summary: 'Weekly/monthly/quarterly/yearly KPIs per unit (按期办结率 … 重办率), Beijing and Yanji scores, ranking, hot topics; JSON, CSV or Excel (kpi:read for every unit; a unit handler: their own unit)',
    },
    authed,
    async (req, res) => {
      const q = parse(reportQuery, req.query, 'query');
      const period = periodOfQuery(q);
      const report = await reports.report(authOf(res).actor, period, {
        ...(q.unitId !== undefined ? { unitId: q.unitId } : {}),
        ...(q.topN !== undefined ? { topN: q.topN } : {}),
      });
      if (q.format === 'csv') {
        res.type('text/csv; charset=utf-8').attachment(`work-orders-${period.label}.csv`).send(reportToCsv(report, await unitNames()));
        return;
      }
      if (q.format === 'xlsx') {
        res.type(XLSX).attachment(`work-orders-${period.label}.xlsx`).send(await workbook(report, await unitNames()));
        return;
      }
      res.json(report);
    },
  );
  r.route(
    {
      method: 'get', path: '/api/reports/work-orders/trend', tag: 'reports', permission: 'kpi:read', query: trendQuery, response: trendResponse,
      summary: 'Trend lines of a period per day or ISO week: dispatches, 按期办结率, 反馈率, 满意率, 回访率 (one unit or all; a unit handler: their own unit)',
    },
    authed,
    async (req, res) => {
      const q = parse(trendQuery, req.query, 'query');
      res.json(await reports.trend(authOf(res).actor, periodOfQuery(q), {
        ...(q.unitId !== undefined ? { unitId: q.unitId } : {}),
        granularity: q.granularity,
      }));
    },
  );
  return r;
}
