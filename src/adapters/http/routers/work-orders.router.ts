/**
 * Work orders: create, list, read, and one lifecycle action per POST to `/actions`.
 * 400 names the field (unknown fields too), 401 without a token, 403 when the role or unit may not
 * act, 404 for a missing order or one of another unit, 409 when the state or the revision forbids it.
 */
import type { IdempotencyStore } from '../../../app/idempotency/idempotency.ports';
import { idempotent } from '../idempotency';
import { z } from 'zod';
import { SATISFACTION_LEVELS, URGENCIES, WORK_ORDER_STATUSES, type WorkOrderAction } from '../../../domain/work-order';
import type { WorkOrderService } from '../../../app/work-orders/lifecycle/work-order.service';
import { authOf, requireAuth, type Authenticator } from '../auth.middleware';
import { DocumentedRouter } from '../route-table';
import { id, instant, page, pageSize, parse, phone } from '../validate';
import { workOrderListResponse, workOrderResponse } from '../response-schemas';

const text = z.string().trim().min(1).max(4000);
const shortText = z.string().trim().min(1).max(200);
const attachment = z.strictObject({ id, name: shortText.optional(), kind: z.enum(['photo', 'recording', 'document', 'other']).optional() });
const common = { comment: text.optional(), attachments: z.array(attachment).max(20).optional(), rev: z.number().int().min(1).optional() };
const dispatchTarget = {
  leadUnitId: id,
  coUnitIds: z.array(id).max(20).optional(),
  leadDesignated: z.boolean().optional(),
  surge: z.boolean().optional(),
};
const completionReport = z.strictObject({
  firstContact: text, siteVisit: text, facts: text, requestAssessment: text, actionsAndBasis: text,
  result: text, replyToCaller: text, callerSatisfaction: text, otherNotes: text, handlerAndResponsible: text,
});
const act = <T extends string, S extends z.ZodRawShape>(type: T, shape: S) => z.strictObject({ type: z.literal(type), ...common, ...shape });

export const actionBody = z.discriminatedUnion('type', [
  act('accept', {}),
  act('answerDirect', { kbArticleId: id, answer: text }),
  act('invalidate', { reason: text }),
  act('transferEmergency', { target: z.enum(['110', '119', '120', '122']) }),
  act('merge', { masterId: id }),
  act('unmerge', { reason: text }),
  act('dispatch', dispatchTarget),
  act('sign', {}),
  act('requestReturn', {
    reason: z.enum(['notOurDuty', 'missingKeyElements', 'duplicateOfExtended', 'outOfScope', 'wrongArea']),
    explanation: text,
    needsSiteCheck: z.boolean().optional(),
    suggestedUnitId: id.optional(),
    evidence: z.array(attachment).max(20),
  }),
  act('approveReturn', { redispatchTo: z.strictObject(dispatchTarget).optional() }),
  act('rejectReturn', { reason: text }),
  act('recordContactAttempt', { channel: z.enum(['phone', 'sms']), reached: z.boolean(), note: text.optional() }),
  act('recordHandling', { note: text }),
  act('requestExtension', { step: z.number().positive().max(365), reason: text }),
  act('approveExtension', {}),
  act('rejectExtension', { reason: text }),
  act('complete', { summary: text, report: completionReport.optional() }),
  act('passReview', {}),
  act('sendBack', { reason: text }),
  act('recordFeedback', { channel: z.enum(['phone', 'sms', 'visit', 'other']) }),
  act('recordCallback', {
    /** Without `level`: a two-level answer, or unreachable / declined. With it: optional, must agree with the preset. */
    result: z.enum(['satisfied', 'unsatisfied', 'unreachable', 'declined']).optional(),
    /** The national five-level scale (国办发〔2019〕51号). */
    level: z.enum(SATISFACTION_LEVELS).optional(),
    contacted: z.boolean().optional(),
    feedbackReceived: z.boolean().optional(),
    resolution: z.enum(['resolved', 'partlyResolved', 'unresolved']).optional(),
  }),
  act('close', { reason: text }),
  act('linkRepeat', { rootOrderId: id, repeatNumber: z.number().int().min(1), escalate: z.boolean() }),
  act('escalate', { reason: text }),
  act('markConfidential', {}),
  act('linkCall', { callId: id }),
]);

export const createBody = z.strictObject({
  caller: z.strictObject({
    name: shortText.optional(),
    phone: phone.optional(),
    address: shortText.optional(),
    confidential: z.boolean().optional(),
    callbackConsent: z.enum(['granted', 'declined', 'unknown']).optional(),
    /** The citizen accepts a callback from an agent but not an automated survey call. */
    noAutomatedCalls: z.boolean().optional(),
  }),
  category: z.string().trim().min(1).max(32),
  urgency: z.enum(URGENCIES),
  content: text,
  areaCode: z.string().regex(/^[0-9A-Za-z-]{1,32}$/, 'letters, digits and - only'),
  location: shortText.optional(),
  callId: id.optional(),
  recordingId: id.optional(),
  submit: z.boolean().optional(),
});

/** `status=A,B`: a comma-separated list of statuses. */
export const statusList = z
  .string()
  .max(400)
  .transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x !== ''))
  .pipe(z.array(z.enum(WORK_ORDER_STATUSES as [string, ...string[]])));

export const listQuery = z.strictObject({
  status: statusList.optional(),
  unitId: id.optional(),
  category: z.string().min(1).max(32).optional(),
  urgency: z.enum(URGENCIES).optional(),
  areaCode: z.string().min(1).max(32).optional(),
  number: z.string().regex(/^[A-Z]{2,4}\d{8}-\d{6}$/, 'a work-order number such as WO20260301-000001').optional(),
  phone: phone.optional(),
  from: instant.optional(),
  to: instant.optional(),
  page,
  pageSize,
});

export const orderParams = z.strictObject({ orderId: id });

export function workOrdersRouter(auth: Authenticator, orders: WorkOrderService, idempotency: IdempotencyStore, clock: () => number): DocumentedRouter {
  const r = new DocumentedRouter();
  const authed = requireAuth(auth);
  // A retried create (same Idempotency-Key and body) answers the first order instead of making a second.
  const once = idempotent(idempotency, (res) => authOf(res).actor.userId, clock);
  r.route({ method: 'post', path: '/api/work-orders', response: workOrderResponse, summary: 'Create a work order (hotline staff); linked to earlier orders of the same caller, category and area. Idempotency-Key: a retry with the same key and body answers the first order again', tag: 'work-orders', body: createBody, status: 201 }, authed, once, async (req, res) => {
    const b = parse(createBody, req.body, 'body');
    res.status(201).json(await orders.create(authOf(res).actor, b));
  });
  r.route({ method: 'get', path: '/api/work-orders', response: workOrderListResponse, summary: 'List work orders (unit handlers: their unit\'s); confidential callers masked', tag: 'work-orders', query: listQuery }, authed, async (req, res) => {
    const q = parse(listQuery, req.query, 'query');
    res.json(
      await orders.list(
        authOf(res).actor,
        {
          ...(q.status ? { status: q.status } : {}),
          ...(q.unitId ? { unitId: q.unitId } : {}),
          ...(q.category ? { category: q.category } : {}),
          ...(q.urgency ? { urgency: q.urgency } : {}),
          ...(q.areaCode ? { areaCode: q.areaCode } : {}),
          ...(q.number ? { number: q.number } : {}),
          ...(q.phone ? { phoneKey: q.phone } : {}),
          ...(q.from !== undefined ? { createdFrom: new Date(q.from) } : {}),
          ...(q.to !== undefined ? { createdTo: new Date(q.to) } : {}),
        },
        q.page,
        q.pageSize,
      ),
    );
  });
  r.route({ method: 'get', path: '/api/work-orders/:orderId', response: workOrderResponse, summary: 'One work order with deadlines and full history (404 when not yours)', tag: 'work-orders', params: orderParams }, authed, async (req, res) => {
    const p = parse(orderParams, req.params, 'params');
    res.json(await orders.get(authOf(res).actor, p.orderId));
  });
  r.route(
    {
      method: 'post', path: '/api/work-orders/:orderId/actions', response: workOrderResponse, tag: 'work-orders', params: orderParams, body: actionBody, errors: [409],
      summary: 'Apply one lifecycle action (`type`): dispatch, sign, requestReturn, requestExtension, complete, passReview, recordCallback, …; `rev` makes it conditional',
    },
    authed,
    async (req, res) => {
      const p = parse(orderParams, req.params, 'params');
      const { rev, ...action } = parse(actionBody, req.body, 'body');
      res.json(await orders.act(authOf(res).actor, p.orderId, action as WorkOrderAction, rev));
    },
  );
  return r;
}
