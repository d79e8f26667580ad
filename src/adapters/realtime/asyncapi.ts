/**
 * The Socket.IO contract as an AsyncAPI 2.6 document: every server → client event with its
 * audience (room, rooms.ts) and every client → server event with its payload schema, the zod schema
 * the server validates it with (socket-schemas.ts). The tables below are typed against the event
 * interfaces of socket.events.ts, so an event added there and not here fails the type check.
 * Server payloads are TypeScript types (not zod): they are documented by name and shape.
 */
import { z } from 'zod';
import { CLIENT_EVENT_PAYLOADS } from './socket-schemas';
import type { ClientToServerEvents, ServerToClientEvents } from './socket.events';

type Json = Record<string, unknown>;

interface ServerEventDoc {
  /** Who receives it (a room of rooms.ts, or the requesting socket). */
  readonly audience: string;
  readonly description: string;
  readonly payload: Json;
}

const obj = (description: string, properties: Json = {}, required: string[] = []): Json => ({ type: 'object', description, properties, ...(required.length ? { required } : {}) });
const ms = { type: 'integer', description: 'epoch milliseconds' };
const workOrderBase = { orderId: { type: 'string' }, number: { type: 'string' }, unitIds: { type: 'array', items: { type: 'string' } }, at: ms, key: { type: 'string' } };

export const SERVER_EVENTS = {
  'agent:state': { audience: 'agent:<agentId>', description: "The agent's state, on connect and at every change", payload: obj('AgentStateView (app/live/live.ports.ts)') },
  'call:ringing': { audience: 'agent:<agentId>', description: 'Screen pop: a call offered to the agent (caller masked when confidential)', payload: obj("AgentConsoleEvents['ringing']", { callId: { type: 'string' }, attempt: { type: 'integer' } }) },
  'call:history': { audience: 'agent:<agentId>', description: "The caller's earlier calls and work orders, after the call:ringing of the same callId and attempt", payload: obj("AgentConsoleEvents['history']", { callId: { type: 'string' }, attempt: { type: 'integer' } }) },
  'call:ring_stopped': { audience: 'agent:<agentId>', description: 'The ring ended unanswered', payload: obj("AgentConsoleEvents['ringStopped']", { callId: { type: 'string' } }) },
  'call:answered': { audience: 'agent:<agentId>', description: 'The agent answered', payload: obj("AgentConsoleEvents['answered']", { callId: { type: 'string' } }) },
  'call:control': {
    audience: 'agent:<agentId> of the agent handling the call',
    description: "通话控制: the call's phase (connecting, talking, held, transferring, consulting, threeWay, over), the transfer, unit or supervisor on it, and the call itself; at each change and on connect while on a call",
    payload: obj("AgentConsoleEvents['control']", { callId: { type: 'string' }, seq: { type: 'integer' }, phase: { type: 'string', enum: ['connecting', 'talking', 'held', 'transferring', 'consulting', 'threeWay', 'over'] }, since: ms }, ['callId', 'seq', 'phase', 'since']),
  },
  'call:ended': { audience: 'agent:<agentId>', description: 'The call ended', payload: obj("AgentConsoleEvents['ended']", { callId: { type: 'string' } }) },
  'call:rated': { audience: 'agent:<agentId>', description: "The caller's keypad rating", payload: obj("AgentConsoleEvents['rated']", { callId: { type: 'string' } }) },
  'call:activity': { audience: 'call:<callId>', description: 'What happens in a watched call', payload: obj('CallActivity (app/live/live.ports.ts)', { callId: { type: 'string' } }) },
  'dashboard:snapshot': { audience: 'the requesting socket', description: 'The full dashboard, after dashboard:join or a resync too far back', payload: obj('DashboardSnapshot (app/live/dashboard.types.ts)', { seq: { type: 'integer' } }) },
  'dashboard:deltas': { audience: 'dashboard', description: 'Dashboard changes in ascending seq, never empty', payload: { type: 'array', minItems: 1, items: obj('DashboardDelta', { seq: { type: 'integer' } }, ['seq']) } },
  'workorder:notice': { audience: 'unit:<unitId> of each unit of the order, and workorders', description: '催办, 督办, escalation, a contact retry or callback due, a deadline recounted; never the caller', payload: obj('WorkOrderNoticePayload', { ...workOrderBase, kind: { type: 'string', enum: ['reminder', 'supervision', 'escalation', 'contactRetry', 'callback', 'deadlineChanged'] }, stage: { type: 'string' }, level: { type: 'string' }, dueAt: ms, previousDueAt: ms }, ['orderId', 'number', 'unitIds', 'at', 'key', 'kind']) },
  'workorder:changed': { audience: 'unit:<unitId> of each unit of the order, and workorders', description: 'An order created or moved by an action; never the caller', payload: obj('WorkOrderChangedPayload', { ...workOrderBase, kind: { type: 'string', enum: ['created', 'changed'] }, action: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, actorId: { type: 'string' }, rev: { type: 'integer' } }, ['orderId', 'number', 'unitIds', 'at', 'key', 'kind', 'action', 'from', 'to', 'actorId', 'rev']) },
  error: { audience: 'the requesting socket', description: 'A client event was refused; the connection stays up', payload: obj('SocketErrorPayload', { event: { type: 'string' }, code: { type: 'string' }, field: { type: 'string' }, message: { type: 'string' } }, ['event', 'code', 'message']) },
  'session:expired': { audience: 'the socket whose token expired', description: 'Disconnected next; reconnect with a fresh token', payload: obj('SessionExpired', { at: ms }, ['at']) },
  'session:revoked': { audience: 'the sockets of the ended session', description: 'Logout, password/role/account change or refresh-token reuse; disconnected next', payload: obj('SessionRevoked', { at: ms, reason: { type: 'string', enum: ['logout', 'reuse', 'revoked'] } }, ['at', 'reason']) },
} satisfies Record<keyof ServerToClientEvents, ServerEventDoc>;

const CLIENT_TEXT: Record<keyof ClientToServerEvents, string> = {
  'agent:login': 'Log the agent in (own agent; managers name agentId)',
  'agent:logout': 'Log the agent out',
  'agent:ready': 'Ready for calls',
  'agent:not_ready': 'Not ready, with a reason',
  'agent:wrap_up_done': 'End wrap-up early',
  'agent:state_request': "Send the agent's state again",
  'dashboard:join': 'Join the dashboard room (managers): answered by dashboard:snapshot',
  'dashboard:leave': 'Leave the dashboard room',
  'dashboard:resync': 'Missed deltas after afterSeq, or a new snapshot',
  'call:watch': 'Watch one call (call:activity)',
  'call:unwatch': 'Stop watching a call',
  'workorders:join': "Join the workorders room (supervisors, administrators): every order's notices",
  'workorders:leave': 'Leave the workorders room',
  'session:refresh': "Present a renewed access token of the same identity: the socket's session then lasts as long as it (a forged, revoked or other identity's token is refused and the session goes on)",
};

function zodJson(schema: z.ZodType): Json {
  const s = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  delete s['$schema'];
  return s;
}

const channelId = (event: string) => event.replace(/[^A-Za-z0-9]+/g, '_');

export function buildAsyncApiDocument(version = '0.1.0'): Json {
  const channels: Json = {};
  for (const [event, doc] of Object.entries(SERVER_EVENTS) as Array<[string, ServerEventDoc]>) {
    channels[event] = {
      description: `${doc.description}. Audience: ${doc.audience}.`,
      subscribe: {
        operationId: `on_${channelId(event)}`,
        summary: doc.description,
        description: `Sent to: ${doc.audience}.`,
        message: { name: event, title: event, contentType: 'application/json', payload: doc.payload },
      },
    };
  }
  for (const [event, schema] of Object.entries(CLIENT_EVENT_PAYLOADS) as Array<[keyof ClientToServerEvents, z.ZodType]>) {
    channels[event] = {
      description: `${CLIENT_TEXT[event]}. Acknowledged with {ok: true, data?} or {ok: false, code, field?, message}.`,
      publish: {
        operationId: `emit_${channelId(event)}`,
        summary: CLIENT_TEXT[event],
        description: 'A bad payload is refused with code VALIDATION.FIELD naming the field; a role not allowed with AUTH.FORBIDDEN.',
        message: { name: event, title: event, contentType: 'application/json', payload: zodJson(schema) },
      },
    };
  }
  return {
    asyncapi: '2.6.0',
    id: 'urn:hotline12345:socket',
    info: {
      title: '12345 hotline live events (Socket.IO)',
      version,
      description:
        'Socket.IO at the API origin; connect with `auth: { token: <access token> }`. Channels are Socket.IO event names; ' +
        '`subscribe` = the server emits it to the audience named, `publish` = the client emits it (validated, acknowledged). Events are not replayed.',
      contact: { name: 'hotline12345 maintainers' },
      license: { name: 'Apache-2.0' },
    },
    servers: { api: { url: '{origin}', protocol: 'ws', description: 'Socket.IO (engine.io) at the API origin', variables: { origin: { default: 'localhost:3000' } } } },
    defaultContentType: 'application/json',
    tags: [{ name: 'socket.io', description: 'Socket.IO events' }],
    channels,
  };
}
