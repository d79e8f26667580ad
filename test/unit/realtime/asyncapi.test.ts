/**
 * The AsyncAPI document of the Socket.IO contract covers every event with its audience, and the
 * client events' payload schemas are the ones the server validates with.
 */
import { buildAsyncApiDocument, SERVER_EVENTS } from '../../../src/adapters/realtime/asyncapi';
import { CLIENT_EVENTS } from '../../../src/adapters/realtime/socket.events';
import { CLIENT_EVENT_PAYLOADS } from '../../../src/adapters/realtime/socket-schemas';

type Channel = { description: string; subscribe?: { message: { payload: Record<string, unknown> } }; publish?: { message: { payload: Record<string, unknown> } } };

describe('AsyncAPI document of the Socket.IO events', () => {
  const doc = buildAsyncApiDocument() as { asyncapi: string; channels: Record<string, Channel> };

  it('has a channel per event: server events subscribed with their audience, client events published', () => {
    expect(doc.asyncapi).toBe('2.6.0');
    const serverEvents = Object.keys(SERVER_EVENTS);
    expect(Object.keys(doc.channels).sort()).toEqual([...serverEvents, ...CLIENT_EVENTS].sort());
    for (const e of serverEvents) {
      expect(doc.channels[e]?.subscribe).toBeDefined();
      expect(doc.channels[e]?.description).toMatch(/Audience: /);
    }
    for (const e of CLIENT_EVENTS) expect(doc.channels[e]?.publish).toBeDefined();
  });

  it("client payloads are the server's validation schemas", () => {
    expect(doc.channels['dashboard:resync']?.publish?.message.payload).toMatchObject({ type: 'object', required: ['afterSeq'], additionalProperties: false });
    expect(doc.channels['agent:not_ready']?.publish?.message.payload).toMatchObject({ required: ['reason'] });
    // The same schema objects the server parses with.
    expect(CLIENT_EVENT_PAYLOADS['dashboard:resync'].safeParse({ afterSeq: -1 }).success).toBe(false);
    expect(CLIENT_EVENT_PAYLOADS['call:watch'].safeParse({ callId: 'c-1' }).success).toBe(true);
  });
});
