/** Call records: query, one call with its timeline, caller history; ratings summary; call KPIs. */
import { z } from 'zod';
import { OUTCOME_FILTER_NAMES } from '../../../domain/call/call.record';
import type { AuthService } from '../../../app/auth/auth.service';
import type { CallRecordsService } from '../../../app/records/call-records.service';
import { authOf, requireAuth } from '../auth.middleware';
import { DocumentedRouter } from '../route-table';
import { boolString, id, instant, page, pageSize, parse, phone } from '../validate';
import { callDetailResponse, callListResponse, callKpiResponse, callerHistoryResponse, ratingsSummaryResponse } from '../response-schemas';

const DAY = 86_400_000;

const periodFields = { from: instant.optional(), to: instant.optional() };
export const callListQuery = z.strictObject({
  ...periodFields,
  agentId: id.optional(),
  queueId: id.optional(),
  caller: phone.optional(),
  outcome: z.enum(OUTCOME_FILTER_NAMES).optional(),
  rating: z.coerce.number().int().min(1).max(5).optional(),
  rated: boolString.optional(),
  page,
  pageSize,
  sort: z.enum(['startedAt', 'waitMs', 'talkMs', 'ringMs']).default('startedAt'),
  order: z.enum(['asc', 'desc']).default('desc'),
});
export const reportQuery = z.strictObject({ ...periodFields, agentId: id.optional(), queueId: id.optional() });
export const kpiQuery = reportQuery.extend({
  slThresholdSec: z.coerce.number().int().min(1).max(600).optional(),
  slDenominator: z.enum(['answered', 'queued']).optional(),
  shortAbandonSec: z.coerce.number().int().min(0).max(60).optional(),
});
export const callParams = z.strictObject({ callId: id });

/** Default period: the last 24 hours. */
function periodOf(q: { from?: number; to?: number }, now: number): { from: number; to: number } {
  const to = q.to ?? now;
  return { from: q.from ?? to - DAY, to };
}


export function callsRouter(auth: AuthService, calls: CallRecordsService, clock: () => number): DocumentedRouter {
  const r = new DocumentedRouter();
  const authed = requireAuth(auth);
  r.route({ method: 'get', path: '/api/calls', summary: 'Query call records (agents: own calls; unit handlers: their unit\'s)', tag: 'calls', permission: 'calls:read', query: callListQuery, response: callListResponse }, authed, async (req, res) => {
    const q = parse(callListQuery, req.query, 'query');
    res.json(
      await calls.list(authOf(res).actor, {
        ...periodOf(q, clock()),
        ...(q.agentId ? { agentId: q.agentId } : {}),
        ...(q.queueId ? { queueId: q.queueId } : {}),
        ...(q.caller ? { callerNumber: q.caller } : {}),
        ...(q.outcome ? { outcome: q.outcome } : {}),
        ...(q.rating !== undefined ? { ratingValue: q.rating } : {}),
        ...(q.rated !== undefined ? { rated: q.rated } : {}),
        page: q.page,
        pageSize: q.pageSize,
        sort: q.sort,
        order: q.order,
      }),
    );
  });
  r.route({ method: 'get', path: '/api/calls/:callId', response: callDetailResponse, summary: 'One call with its full timeline (404 when not yours)', tag: 'calls', permission: 'calls:read', params: callParams }, authed, async (req, res) => {
    const p = parse(callParams, req.params, 'params');
    res.json(await calls.get(authOf(res).actor, p.callId));
  });
  r.route({ method: 'get', path: '/api/calls/:callId/caller-history', response: callerHistoryResponse, summary: 'The caller\'s other recent calls and work orders', tag: 'calls', permission: 'callers:history', params: callParams }, authed, async (req, res) => {
    const p = parse(callParams, req.params, 'params');
    res.json(await calls.callerHistory(authOf(res).actor, p.callId));
  });
  r.route({ method: 'get', path: '/api/ratings/summary', response: ratingsSummaryResponse, summary: 'Ratings (好差评) summary by value and by agent', tag: 'calls', permission: 'ratings:read', query: reportQuery }, authed, async (req, res) => {
    const q = parse(reportQuery, req.query, 'query');
    res.json(await calls.ratingsSummary(authOf(res).actor, { ...periodOf(q, clock()), ...(q.agentId ? { agentId: q.agentId } : {}), ...(q.queueId ? { queueId: q.queueId } : {}) }));
  });
  r.route({ method: 'get', path: '/api/kpi/calls', response: callKpiResponse, summary: 'Call KPIs over a period: 10-s answer rate, service level, abandon rate, overflows and callback requests, ASA, AHT (talk + wrap-up), satisfaction', tag: 'calls', permission: 'kpi:read', query: kpiQuery }, authed, async (req, res) => {
    const q = parse(kpiQuery, req.query, 'query');
    res.json(
      await calls.metrics(
        authOf(res).actor,
        { ...periodOf(q, clock()), ...(q.agentId ? { agentId: q.agentId } : {}), ...(q.queueId ? { queueId: q.queueId } : {}) },
        {
          ...(q.slThresholdSec !== undefined ? { serviceLevelThresholdMs: q.slThresholdSec * 1000 } : {}),
          ...(q.slDenominator ? { serviceLevelDenominator: q.slDenominator } : {}),
          ...(q.shortAbandonSec !== undefined ? { shortAbandonMs: q.shortAbandonSec * 1000 } : {}),
        },
      ),
    );
  });
  return r;
}
