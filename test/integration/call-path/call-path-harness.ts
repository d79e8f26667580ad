/**
 * The call path over real Asterisk: ARI connection, ARI telephony and event adapters, the use
 * cases, with in-memory event/record/callback stores (the database adapters have their own tests).
 */
import { AriConnection } from '../../../src/adapters/ari/ari-connection';
import { AriCallEvents } from '../../../src/adapters/ari/ari-inputs';
import { AriTelephony } from '../../../src/adapters/ari/ari-telephony';
import { createLogger } from '../../../src/adapters/logging/logger';
import { createCallPath, type CallPath } from '../../../src/app/calls/call-path';
import { EventBus, type AnyBusMessage } from '../../../src/app/events/event-bus';
import { makeCallPathSettings, type CallPathSettingsInput } from '../../../src/domain/call/call-settings';
import type { CallbackRequest } from '../../../src/domain/call/call.effects';
import type { CallEvent } from '../../../src/domain/call/call.events';
import type { CallRecord } from '../../../src/domain/call/call.record';
import { asAgentId, asQueueId, type AgentId, type CallId } from '../../../src/shared/ids';
import { silentLogger, type Logger } from '../../../src/shared/logger';
import { ensureAsterisk } from '../../support/asterisk';

export interface CallPathLab extends CallPath {
  records: Map<CallId, CallRecord>;
  events: Map<CallId, CallEvent[]>;
  callbacks: CallbackRequest[];
  messages: AnyBusMessage[];
  /** ARI connections so far (1 after start; +1 after each reconnection). */
  connections(): number;
  /** Records of calls that ended, in order. */
  completed(): CallRecord[];
  stop(): Promise<void>;
}

export const agentId = (n: number): AgentId => asAgentId(`a${n}`);

/** Connects a fresh call path to the lab's Asterisk, with agents `agentNumbers` logged in (in that order). */
export async function startCallPathLab(settings: CallPathSettingsInput, agentNumbers: number[]): Promise<CallPathLab> {
  const lab = await ensureAsterisk();
  const log: Logger = process.env['CALL_PATH_LOG'] ? createLogger({ level: 'info' }) : silentLogger;
  const conn = new AriConnection(
    { url: lab.ariUrl, username: lab.ariUsername, password: lab.ariPassword, app: lab.ariApp, maxSockets: 16 },
    log,
  );
  const events = new Map<CallId, CallEvent[]>();
  const records = new Map<CallId, CallRecord>();
  const callbacks: CallbackRequest[] = [];
  const clock = { now: () => Date.now() };
  const bus = new EventBus(clock, log);
  const messages: AnyBusMessage[] = [];
  bus.subscribeAll((m) => messages.push(m));
  const path = createCallPath({
    settings: makeCallPathSettings(settings),
    telephony: new AriTelephony(conn, { app: lab.ariApp }),
    events: {
      append: async (es) => {
        for (const e of es) {
          const list = events.get(e.callId) ?? [];
          if (!list.some((x) => x.seq === e.seq)) list.push(e);
          events.set(e.callId, list);
        }
      },
      load: async (id) => [...(events.get(id) ?? [])].sort((a, b) => a.seq - b.seq),
      listOpenCallIds: async () => [...events.entries()].filter(([, l]) => !l.some((e) => e.type === 'CallEnded')).map(([id]) => id),
    },
    records: { upsert: async (r) => void records.set(r.callId, r) },
    callbacks: { save: async (r) => void callbacks.push(r) },
    scheduler: { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
    clock,
    bus,
    logger: log,
  });
  new AriCallEvents(path.calls, path.recovery, log).start(conn);
  let connections = 0;
  conn.on('connected', () => void (connections += 1));
  for (const n of agentNumbers) {
    path.agents.register({ agentId: agentId(n), agentNumber: String(n), name: `Agent ${n}`, endpoint: `PJSIP/agent${n}`, queues: [asQueueId('default')] });
    path.agents.login(agentId(n));
    // Distinct idle times: the first listed agent is the longest idle.
    await new Promise((r) => setTimeout(r, 5));
  }
  await conn.start();
  return {
    ...path,
    records,
    events,
    callbacks,
    messages,
    connections: () => connections,
    completed: () => [...records.values()].filter((r) => r.complete),
    stop: async () => {
      await conn.stop();
    },
  };
}
