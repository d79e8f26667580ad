/**
 * The work-order desk's reads (工单中心, 承办单位工作台, 审核与回访): the deadline radar, a dry run
 * of an action (the preset's deadlines before a dispatch, its guards before a request). Unit
 * handlers are narrowed to their unit by the service; the units themselves: units.router.ts.
 */
import { z } from 'zod';
import { DEADLINE_STAGES, URGENCIES, WORK_ORDER_STATUSES, type WorkOrderAction } from '../../../domain/work-order';
import type { WorkOrderService } from '../../../app/work-orders/lifecycle/work-order.service';
import { authOf, requireAuth, type Authenticator } from '../auth.middleware';
import { DocumentedRouter } from '../route-table';
import { id, page, pageSize, parse } from '../validate';
import { actionBody, orderParams, statusList } from './work-orders.router';
import { workOrderResponse } from '../response-schemas';

export const radarQuery = z.strictObject({
  unitId: id.optional(),
  category: z.string().min(1).max(32).optional(),
  urgency: z.enum(URGENCIES).optional(),
  status: statusList.optional(),
  /** overdue 超期, warning 临期 (in the 催办 window). */
  level: z.enum(['overdue', 'warning']).optional(),
  page,
  pageSize,
});

const instantOut = z.iso.datetime();
const stage = z.enum(DEADLINE_STAGES);
const radarRow = z.object({
  id: z.string(), number: z.string(), status: z.enum(WORK_ORDER_STATUSES as [string, ...string[]]), category: z.string(), urgency: z.string(), areaCode: z.string(),
  leadUnitId: z.string().nullable(), coUnitIds: z.array(z.string()), createdAt: instantOut,
  callerName: z.string().nullable().describe('Masked (张**) for a confidential caller the reader does not handle'),
  callerPhone: z.string().nullable(), callerMasked: z.boolean(), repeatOf: z.string().nullable(), escalated: z.boolean(),
  nextDueAt: instantOut.nullable(), rev: z.number().int(),
  stage: stage.nullable().describe('The current stage: the running deadline that falls due first; null when no stage clock runs'),
  dueAt: instantOut.nullable(), remindAt: instantOut.nullable().describe('From here the order is due for 催办 (yellow)'),
  level: z.enum(['overdue', 'warning', 'normal']).nullable(),
  chainRootId: z.string().describe('First order of its repeat-complaint chain (itself when not a repeat)'),
  repeatNumber: z.number().int(),
});
export const radarResponse = z.object({
  items: z.array(radarRow), total: z.number().int(), page: z.number().int(), pageSize: z.number().int(),
  now: instantOut.describe('The server time the levels were computed at'),
});

const deadlineOut = z.object({
  stage, startAt: instantOut, dueAt: instantOut, provisional: z.boolean(), extendedBy: z.number(), metAt: instantOut.optional(),
  rule: z.object({ presetId: z.string(), ruleId: z.string(), limit: z.number(), unit: z.string(), clockStart: z.string(), inclusive: z.boolean(), source: z.string() }),
});
const limits = z.object({
  extension: z.object({
    maxCount: z.number().nullable(), counts: z.enum(['applications', 'approved']), unit: z.string(), allowedSteps: z.array(z.number()).nullable().optional(),
    maxStep: z.number().nullable(), maxTotal: z.number().nullable(), notWithinWorkingDaysOfDeadline: z.number(),
  }),
  return: z.object({ maxCount: z.number().nullable() }),
}).describe('The preset\'s limits the guard texts name');
export const previewResponse = z.union([
  z.object({ limits, allowed: z.literal(true), status: z.string().describe('The status the action would lead to'), deadlines: z.record(stage, deadlineOut) }),
  z.object({ limits, allowed: z.literal(false), code: z.string().describe('The state machine\'s refusal (WORK_ORDER.EXTENSION_LIMIT_REACHED, …), as a write would answer it'), reason: z.string() }),
]);

export const superviseBody = z.strictObject({
  /** 催办 before the current stage's deadline, 督办 once it has passed. */
  kind: z.enum(['reminder', 'supervision']),
});
export const superviseResponse = workOrderResponse.extend({
  notice: z.object({
    key: z.string(), kind: z.enum(['reminder', 'supervision']), stage, level: z.string(), dueAt: instantOut, at: instantOut,
    unitIds: z.array(z.string()).describe('The units told of it live'),
  }).describe('The notice recorded and sent'),
});

export function deskRouter(auth: Authenticator, orders: WorkOrderService): DocumentedRouter {
  const r = new DocumentedRouter();
  const authed = requireAuth(auth);
  r.route(
    {
      method: 'get', path: '/api/work-order-radar', tag: 'work-orders', query: radarQuery, response: radarResponse,
      summary: 'The deadline radar: open orders soonest due first (current stage, due instant, 催办 instant, level), paged and filtered by unit, category, urgency, status and level (unit handlers: their unit\'s)',
    },
    authed,
    async (req, res) => {
      const q = parse(radarQuery, req.query, 'query');
      const { page: p, pageSize: size, ...filter } = q;
      res.json(await orders.radar(authOf(res).actor, filter, p, size));
    },
  );
  r.route(
    {
      method: 'post', path: '/api/work-orders/:orderId/preview', tag: 'work-orders', params: orderParams, body: actionBody, response: previewResponse,
      summary: 'What an action would do (`allowed`, the new status and deadlines) or why the preset refuses it (`code`), as the state machine answers it now; nothing is written',
    },
    authed,
    async (req, res) => {
      const p = parse(orderParams, req.params, 'params');
      const { rev: _rev, ...action } = parse(actionBody, req.body, 'body');
      res.json(await orders.preview(authOf(res).actor, p.orderId, action as WorkOrderAction));
    },
  );
  r.route(
    {
      method: 'post', path: '/api/work-orders/:orderId/supervise', tag: 'work-orders', params: orderParams, body: superviseBody, response: superviseResponse, errors: [409],
      summary: 'Send 催办 (before the current stage\'s deadline) or 督办 (after it) by hand to the order\'s units (supervisors, administrators); 409 NOT_OVERDUE / ALREADY_OVERDUE / NO_RUNNING_DEADLINE',
    },
    authed,
    async (req, res) => {
      const p = parse(orderParams, req.params, 'params');
      const b = parse(superviseBody, req.body, 'body');
      const v = await orders.supervise(authOf(res).actor, p.orderId, b.kind);
      res.json({ ...v, notice: { key: v.notice.key, kind: v.notice.kind, stage: v.notice.stage, level: v.notice.level, dueAt: v.notice.dueAt, at: v.notice.at, unitIds: v.notice.unitIds } });
    },
  );
  return r;
}
