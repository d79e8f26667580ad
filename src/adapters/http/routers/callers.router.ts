/**
 * The confidential-caller directory (保密来电人, docs/adr/0027): mark a caller without a work order
 * (an agent: the caller of the call they answered; supervisors and administrators: any number), list
 * the marks with numbers masked, read a mark's audit, withdraw a mark. Marks are named by an opaque
 * id, never by number, so no answer here carries a full number.
 */
import { z } from 'zod';
import type { ConfidentialMarks } from '../../../app/callers/confidential-marks.service';
import { authOf, requireAuth, type Authenticator } from '../auth.middleware';
import { DocumentedRouter } from '../route-table';
import { id, page, pageSize, parse, phone } from '../validate';

const reason = z.string().trim().min(1, 'a reason is required').max(200);
export const markParams = z.strictObject({ markId: z.string().regex(/^[0-9a-f-]{36}$/, 'a mark id (UUID)') });
export const markBody = z
  .strictObject({
    /** Supervisors and administrators: the caller's number. */
    number: phone.optional(),
    /** The call whose caller asked for confidentiality (agents: a call they answered). */
    callId: id.optional(),
    reason,
  })
  .refine((b) => (b.number === undefined) !== (b.callId === undefined), { message: 'give either number or callId', path: ['number'] });
export const withdrawBody = z.strictObject({ reason });
export const markListQuery = z.strictObject({ state: z.enum(['active', 'withdrawn', 'all']).default('active'), number: phone.optional(), page, pageSize });

const markView = z.object({
  id: z.string(),
  callerNumber: z.string().describe('Always masked (138****5678)'),
  active: z.boolean().describe('False once withdrawn: the caller\'s later calls are shown in clear, earlier ones stay masked'),
  since: z.number().describe('Epoch ms: start of the current mark (a mark after a withdrawal starts anew)'),
  changedAt: z.number(),
  reason: z.string().nullable().describe('The latest mark\'s reason (null for a work order\'s mark: see sources)'),
  markedBy: z.string().nullable().describe('User id of the latest mark\'s author (null for a work order\'s mark)'),
  sources: z.array(z.string()).describe('order:<id>, call:<callId>, user:<userId>'),
  withdrawal: z.object({ at: z.number(), by: z.string(), reason: z.string() }).nullable(),
});
const auditEntry = z.object({
  markId: z.string(),
  callerNumber: z.string().describe('Masked'),
  action: z.enum(['marked', 'withdrawn']),
  source: z.string().nullable(),
  by: z.string().nullable(),
  role: z.enum(['agent', 'supervisor', 'unit_handler', 'admin']).nullable(),
  reason: z.string().nullable(),
  at: z.number(),
});

export function callersRouter(auth: Authenticator, marks: ConfidentialMarks): DocumentedRouter {
  const r = new DocumentedRouter();
  const authed = requireAuth(auth);
  const tag = 'callers';
  r.route(
    {
      method: 'post', path: '/api/callers/confidential', tag, permission: 'callers:mark', body: markBody, status: 201, errors: [409], response: markView,
      summary: 'Mark a caller confidential (保密) without a work order: agents by the call they answered, managers by number or call; masked from the next call\'s first event on every instance',
    },
    authed,
    async (req, res) => {
      const b = parse(markBody, req.body, 'body');
      res.status(201).json(await marks.mark(authOf(res).actor, b));
    },
  );
  r.route(
    { method: 'get', path: '/api/callers/confidential', summary: 'The confidential callers (numbers masked), newest change first', tag, permission: 'callers:confidential', query: markListQuery,
      response: z.object({ items: z.array(markView), total: z.number(), page: z.number(), pageSize: z.number() }) },
    authed,
    async (req, res) => {
      const q = parse(markListQuery, req.query, 'query');
      res.json(await marks.list(authOf(res).actor, q));
    },
  );
  r.route({ method: 'get', path: '/api/callers/confidential/:markId', summary: 'One mark', tag, permission: 'callers:confidential', params: markParams, response: markView }, authed, async (req, res) => {
    const p = parse(markParams, req.params, 'params');
    res.json(await marks.get(authOf(res).actor, p.markId));
  });
  r.route(
    { method: 'post', path: '/api/callers/confidential/:markId/withdraw', summary: 'Withdraw a mark: later calls are shown in clear, earlier calls and confidential orders stay masked', tag, permission: 'callers:confidential',
      params: markParams, body: withdrawBody, errors: [409], response: markView },
    authed,
    async (req, res) => {
      const p = parse(markParams, req.params, 'params');
      const b = parse(withdrawBody, req.body, 'body');
      res.json(await marks.withdraw(authOf(res).actor, p.markId, b.reason));
    },
  );
  r.route(
    { method: 'get', path: '/api/callers/confidential/:markId/audit', summary: 'Who marked and withdrew the caller, when and why (number masked)', tag, permission: 'callers:confidential', params: markParams,
      response: z.object({ items: z.array(auditEntry) }) },
    authed,
    async (req, res) => {
      const p = parse(markParams, req.params, 'params');
      res.json({ items: await marks.auditOf(authOf(res).actor, p.markId) });
    },
  );
  return r;
}
