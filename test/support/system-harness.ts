/**
 * The whole product as production wires it (src/main.ts buildSystem): real Asterisk (lab chroot),
 * a real database server (FerretDB, a fresh database per test file), HTTP and Socket.IO on a free port.
 */
import { ARI_CALL_EVENTS } from '../../src/adapters/ari/ari-inputs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type RawEnv } from '../../src/config/config';
import { createLogger } from '../../src/adapters/logging/logger';
import { buildSystem, type System } from '../../src/main';
import { silentLogger, type Logger } from '../../src/shared/logger';
import { asAgentId, asQueueId } from '../../src/shared/ids';
import type { CallRecordDoc } from '../../src/adapters/db/models/call-record.model';
import type { CallRecord } from '../../src/domain/call/call.record';
import { ensureAsterisk, LAB_DEFAULTS } from './asterisk';
import { testMongoUri } from './db';
import { eventually } from './eventually';
import { ADMIN } from './api-harness';

export interface RunningSystem extends System {
  baseUrl: string;
  spoolDir: string;
}

/** `log`: the app's logger (default silent, or stdout with SYSTEM_LOG set), e.g. one writing to a stream a test reads. */
export async function startSystem(name: string, env: RawEnv = {}, opts: { log?: Logger } = {}): Promise<RunningSystem> {
  const lab = await ensureAsterisk();
  const spoolDir = fs.mkdtempSync(path.join(os.tmpdir(), `spool-${name}-`));
  const config = loadConfig({
    NODE_ENV: 'test',
    HTTP_PORT: '0',
    MONGODB_URI: testMongoUri(name),
    ARI_URL: lab.ariUrl,
    ARI_USERNAME: lab.ariUsername,
    ARI_PASSWORD: lab.ariPassword,
    ARI_APP: lab.ariApp,
    SPOOL_DIR: spoolDir,
    // The same trunk RTP timeout as the lab's Asterisk.
    TRUNK_RTP_TIMEOUT: LAB_DEFAULTS.TRUNK_RTP_TIMEOUT,
    ...env,
  });
  const log = opts.log ?? (process.env['SYSTEM_LOG'] ? createLogger({ level: 'debug' }) : silentLogger);
  const system = buildSystem(config, log);
  const { port } = await system.start();
  await eventually(() => system.ari.isConnected(), 30_000);
  recordAriEvents(system, name);
  return Object.assign(system, { baseUrl: `http://127.0.0.1:${port}`, spoolDir });
}

/**
 * RECORD_ARI_EVENTS=<dir>: the ARI events the call path reads, as Asterisk sent them, are appended to
 * <dir>/<system name>.jsonl (one JSON object per line), to refresh the recorded sequences that
 * test/unit/ari replays through the adapter.
 */
function recordAriEvents(system: System, name: string): void {
  const dir = process.env['RECORD_ARI_EVENTS'];
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.jsonl`);
  const client = system.ari.current();
  for (const type of ARI_CALL_EVENTS) {
    client.on(type as 'StasisStart', (event: unknown) => fs.appendFileSync(file, `${JSON.stringify({ ...(event as object), type })}\n`));
  }
}

/** Registers lab agents (agent1001… → sipp phones on 7001…) in the directory and logs them in, in order. */
export async function addAgents(system: System, numbers: number[], ready = true): Promise<void> {
  for (const n of numbers) {
    const profile = {
      agentId: asAgentId(`agent-${n}`),
      agentNumber: String(n),
      name: `话务员${n}`,
      endpoint: `PJSIP/agent${n}`,
      queues: [asQueueId('general')],
    };
    await system.agents.save(profile);
    system.callPath.agents.register(profile);
    system.callPath.agents.login(profile.agentId, { ready });
    // Distinct idle times: the first listed agent is the longest idle.
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * The people of the console tests: agent 1001 (李娜, `agent1001`) registered, not logged in (the page
 * signs in), and the supervisor 王班长 (`boss`); with `supervisorSeat`, on seat 1002 of the same
 * queue (the supervisor's own phone, for listening in).
 */
export async function consoleStaff(system: System, opts: { supervisorSeat?: boolean } = {}): Promise<void> {
  const profile = { agentId: asAgentId('agent-1001'), agentNumber: '1001', name: '话务员1001', endpoint: 'PJSIP/agent1001', queues: [asQueueId('general')] };
  await system.agents.save(profile);
  system.callPath.agents.register(profile);
  await system.users.create(ADMIN, { username: 'agent1001', password: 'agent-password-1', role: 'agent', displayName: '李娜', agentId: 'agent-1001' });
  if (opts.supervisorSeat) {
    system.callPath.agents.register({ agentId: asAgentId('seat-1002'), agentNumber: '1002', name: '值班长席位', endpoint: 'PJSIP/agent1002', queues: [asQueueId('general')] });
  }
  await system.users.create(ADMIN, { username: 'boss', password: 'supervisor-password', role: 'supervisor', displayName: '王班长', ...(opts.supervisorSeat ? { agentId: 'seat-1002' } : {}) });
}

/**
 * Puts lab agents into the states a test needs (waiting first until none of them is on a call):
 * `ready` in the order given (the first one is then the longest idle), `notReady` logged in but not
 * ready (calls queue for them), `loggedOut`.
 */
export async function setAgentStates(
  system: System,
  states: { ready?: number[]; notReady?: number[]; loggedOut?: number[] },
): Promise<void> {
  const agents = system.callPath.agents;
  const all = [...(states.ready ?? []), ...(states.notReady ?? []), ...(states.loggedOut ?? [])].map((n) => asAgentId(`agent-${n}`));
  await eventually(() => all.every((id) => !['ringing', 'on-call'].includes(agents.get(id)?.status.type ?? '')), 30_000);
  for (const n of states.loggedOut ?? []) {
    const id = asAgentId(`agent-${n}`);
    if (agents.get(id)?.status.type !== 'logged-out') agents.logout(id);
  }
  for (const n of states.notReady ?? []) {
    const id = asAgentId(`agent-${n}`);
    if (agents.get(id)?.status.type === 'logged-out') agents.login(id, { ready: false });
    else agents.setNotReady(id, 'test');
  }
  for (const n of states.ready ?? []) {
    const id = asAgentId(`agent-${n}`);
    if (agents.get(id)?.status.type === 'logged-out') agents.login(id, { ready: true });
    else {
      // Through not-ready, so the idle time starts now, in the order given.
      agents.setNotReady(id, 'test');
      agents.setReady(id);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A stored call record with its full folded record (`detail`) typed. */
export type StoredCall = Omit<CallRecordDoc, 'detail'> & { detail: CallRecord };

/** A call's stored events, in order. */
export function storedEvents(system: System, callId: string) {
  return system.callStore.events.find({ callId }).sort({ seq: 1 }).lean();
}

/**
 * The one call from `callerNumber` once its record is stored complete, checked to be the only record
 * of that caller, with its stored events numbered 1…version without a gap and ending in CallEnded.
 */
export async function completedCall(system: System, callerNumber: string, timeoutMs = 30_000): Promise<StoredCall> {
  const doc = await eventually(async () => {
    const r = await system.callStore.records.findOne({ callerNumber }).lean();
    return r && r.endedAt ? r : null;
  }, timeoutMs, 200);
  expect(await system.callStore.records.countDocuments({ callerNumber })).toBe(1);
  const events = await storedEvents(system, doc.callId);
  // Every event once, in order; after CallEnded only the agent's wrap-up may still come.
  expect(events.map((e) => e.seq)).toEqual(Array.from({ length: events.length }, (_, i) => i + 1));
  expect(doc.version).toBeLessThanOrEqual(events.length);
  expect(events.filter((e) => e.type === 'CallEnded')).toHaveLength(1);
  const end = events.findIndex((e) => e.type === 'CallEnded');
  expect(events.slice(end + 1).map((e) => e.type)).toEqual(events.slice(end + 1).map(() => 'WrapUpEnded'));
  const detail = doc.detail as unknown as CallRecord;
  expect(detail).toMatchObject({ complete: true, stage: 'ended', callId: doc.callId });
  return { ...doc, detail };
}
