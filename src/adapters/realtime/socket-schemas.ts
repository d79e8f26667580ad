/**
 * The zod schemas of the Socket.IO client events' payloads: the server validates every client event
 * with them (socket-server.ts) and the AsyncAPI document (asyncapi.ts) is built from them.
 */
import { z } from 'zod';
import type { ClientToServerEvents } from './socket.events';

const id = z.string().min(1).max(128).regex(/^[A-Za-z0-9._:@-]+$/, 'letters, digits and . _ : @ - only');
const empty = z.strictObject({ agentId: id.optional() }).nullish();

export const socketPayloads = {
  notReady: z.strictObject({ agentId: id.optional(), reason: z.string().min(1).max(100) }),
  none: z.strictObject({}).nullish(),
  agent: empty,
  resync: z.strictObject({ afterSeq: z.number().int().min(0) }),
  call: z.strictObject({ callId: id }),
  /** A renewed access token of the same identity (the consoles' in-band refresh). */
  refresh: z.strictObject({ token: z.string().min(1).max(4096) }),
};

/** Each client event's payload schema (the record's type makes it list exactly the interface's events). */
export const CLIENT_EVENT_PAYLOADS = {
  'agent:login': socketPayloads.agent,
  'agent:logout': socketPayloads.agent,
  'agent:ready': socketPayloads.agent,
  'agent:not_ready': socketPayloads.notReady,
  'agent:wrap_up_done': socketPayloads.agent,
  'agent:state_request': socketPayloads.agent,
  'dashboard:join': socketPayloads.none,
  'dashboard:leave': socketPayloads.none,
  'dashboard:resync': socketPayloads.resync,
  'call:watch': socketPayloads.call,
  'call:unwatch': socketPayloads.call,
  'workorders:join': socketPayloads.none,
  'workorders:leave': socketPayloads.none,
  'session:refresh': socketPayloads.refresh,
} satisfies Record<keyof ClientToServerEvents, z.ZodType>;
