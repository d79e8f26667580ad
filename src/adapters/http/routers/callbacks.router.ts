/**
 * Callback requests (回拨) and calls' recordings. Requests: listed (agents: assigned to them),
 * assigned by supervisors, placed by the assigned agent from their phone (202: the call runs on, its
 * end is recorded on the request), closed with the result. Recordings: a call's recording streamed
 * (`audio/wav`, a single Range gives 206, 416 past the end) for those who may hear it, every access
 * audited; who listened, for supervisors and administrators.
 */
import { z } from 'zod';
import { CALLBACK_CALL_OUTCOMES, CALLBACK_RESULTS, CALLBACK_STATUSES } from '../../../domain/callback/callback';
import type { CallbackService } from '../../../app/callbacks/callbacks.service';
import type { RecordingService } from '../../../app/callbacks/recordings.service';
import { authOf, requireAuth, type Authenticator } from '../auth.middleware';
import { DocumentedRouter } from '../route-table';
import { id, page, pageSize, parse, singleRange } from '../validate';

export const callbackParams = z.strictObject({ callbackId: z.string().regex(/^[0-9a-f]{24}$/, '24 hexadecimal digits') });
export const callbackListQuery = z.strictObject({ status: z.enum(CALLBACK_STATUSES).optional(), page, pageSize });
export const assignCallbackBody = z.strictObject({ agentId: id });
export const closeCallbackBody = z.strictObject({ result: z.enum(CALLBACK_RESULTS), note: z.string().max(500).optional() });
const recordingParams = z.strictObject({ callId: id });

const callbackCall = z.object({
  callId: z.string(),
  agentId: z.string(),
  placedAt: z.number().describe('Epoch ms'),
  placedBy: z.string(),
  agentAnsweredAt: z.number().nullable(),
  citizenAnsweredAt: z.number().nullable(),
  endedAt: z.number().nullable(),
  outcome: z.enum(CALLBACK_CALL_OUTCOMES),
  recording: z.string().nullable().describe('Name of the recording (GET /api/calls/{callId}/recording)'),
  talkMs: z.number().nullable(),
});
const callbackView = z.object({
  id: z.string(),
  callId: z.string().describe('The inbound call in which the citizen asked to be called back'),
  callerNumber: z.string().describe('Masked (138****5678) for a confidential case one does not handle'),
  queueId: z.string(),
  requestedAt: z.number(),
  status: z.enum(CALLBACK_STATUSES),
  assignedAgentId: z.string().nullable(),
  assignedAt: z.number().nullable(),
  assignedBy: z.string().nullable(),
  closedAt: z.number().nullable(),
  closedBy: z.string().nullable(),
  result: z.enum(CALLBACK_RESULTS).nullable(),
  note: z.string().nullable(),
  calls: z.array(callbackCall),
  masked: z.boolean(),
});
const listenEntry = z.object({
  callId: z.string(), recording: z.string(), userId: z.string(), role: z.string(), at: z.number(),
  range: z.object({ start: z.number(), end: z.number() }).nullable(),
});

export function callbacksRouter(auth: Authenticator, callbacks: CallbackService, recordings: RecordingService): DocumentedRouter {
  const r = new DocumentedRouter();
  const authed = requireAuth(auth);
  const tag = 'callbacks';
  r.route(
    { method: 'get', path: '/api/callbacks', summary: 'Callback requests (agents: those assigned to them), oldest first', tag, permission: 'callbacks:read', query: callbackListQuery,
      response: z.object({ items: z.array(callbackView), total: z.number(), page: z.number(), pageSize: z.number() }) },
    authed,
    async (req, res) => {
      const q = parse(callbackListQuery, req.query, 'query');
      res.json(await callbacks.list(authOf(res).actor, { ...(q.status ? { status: q.status } : {}), page: q.page, pageSize: q.pageSize }));
    },
  );
  r.route(
    { method: 'get', path: '/api/callbacks/:callbackId', summary: 'One callback request with its placed calls', tag, permission: 'callbacks:read', params: callbackParams, response: callbackView },
    authed,
    async (req, res) => {
      const p = parse(callbackParams, req.params, 'params');
      res.json(await callbacks.get(authOf(res).actor, p.callbackId));
    },
  );
  r.route(
    { method: 'post', path: '/api/callbacks/:callbackId/assign', summary: 'Assign the request to an agent', tag, permission: 'callbacks:assign', params: callbackParams, body: assignCallbackBody, errors: [409], response: callbackView },
    authed,
    async (req, res) => {
      const p = parse(callbackParams, req.params, 'params');
      const b = parse(assignCallbackBody, req.body, 'body');
      res.json(await callbacks.assign(authOf(res).actor, p.callbackId, b.agentId));
    },
  );
  r.route(
    {
      method: 'post', path: '/api/callbacks/:callbackId/call', tag, permission: 'callbacks:place', params: callbackParams, status: 202, errors: [409, 503], response: callbackCall,
      summary: 'Place the callback from the assigned agent\'s phone (agent first, then the citizen through the trunk); the call\'s end is recorded on the request',
    },
    authed,
    async (req, res) => {
      const p = parse(callbackParams, req.params, 'params');
      res.status(202).json(await callbacks.place(authOf(res).actor, p.callbackId));
    },
  );
  r.route(
    { method: 'post', path: '/api/callbacks/:callbackId/close', summary: 'Close the request with its result', tag, permission: 'callbacks:read', params: callbackParams, body: closeCallbackBody, errors: [409], response: callbackView },
    authed,
    async (req, res) => {
      const p = parse(callbackParams, req.params, 'params');
      const b = parse(closeCallbackBody, req.body, 'body');
      res.json(await callbacks.close(authOf(res).actor, p.callbackId, b.result, b.note ?? null));
    },
  );
  r.route(
    {
      method: 'get', path: '/api/calls/:callId/recording', tag: 'calls', permission: 'calls:read', params: recordingParams, errors: [416],
      response: { type: 'string', format: 'binary' }, contentType: 'audio/wav',
      summary: 'Listen to a call\'s recording (inbound call or placed callback): audio/wav, a single Range gives 206; every access audited',
    },
    authed,
    async (req, res) => {
      const p = parse(recordingParams, req.params, 'params');
      const s = await recordings.open(authOf(res).actor, p.callId, (size) => singleRange(req, size));
      res.type('audio/wav');
      res.setHeader('Accept-Ranges', 'bytes');
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      if (s.range) {
        res.status(206);
        res.setHeader('Content-Range', `bytes ${s.range.start}-${s.range.end}/${s.size}`);
        res.setHeader('Content-Length', String(s.range.end - s.range.start + 1));
      } else {
        res.setHeader('Content-Length', String(s.size));
      }
      s.body.on('error', () => res.destroy());
      s.body.pipe(res);
    },
  );
  r.route(
    { method: 'get', path: '/api/calls/:callId/recording/access', summary: 'Who listened to the call\'s recording, when, which bytes', tag: 'calls', permission: 'calls:monitor', params: recordingParams, response: z.object({ items: z.array(listenEntry) }) },
    authed,
    async (req, res) => {
      const p = parse(recordingParams, req.params, 'params');
      res.json({ items: await recordings.listens(authOf(res).actor, p.callId) });
    },
  );
  return r;
}
