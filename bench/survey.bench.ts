/**
 * Automated callback survey (回访) benchmark on the lab: real database server (FerretDB), real
 * Asterisk, sipp citizens. No assertions: it prints figures and appends them to
 * bench/results/<date>-survey.txt.
 *
 *   TEST_FERRETDB_PORT=… ARI_PORT=… SIP_PORT=… AGENT_PORT_OFFSET=… npx tsx bench/survey.bench.ts
 *
 * 1. Inserts BENCH_SURVEY_ORDERS (10,000) orders awaiting a callback (made with the real state
 *    machine, completed yesterday), in a preset with the survey enabled, and times the job's
 *    planning over them (all due now), twice.
 * 2. Places BENCH_SURVEY_CALLS survey calls at BENCH_SURVEY_CONCURRENCY (SURVEY_MAX_CALLS, 4) at
 *    once through the trunk to a sipp citizen who answers and hangs up after BENCH_CITIZEN_MS
 *    (3 s, before answering: each is an unreachable attempt; a whole survey lasts as long as its
 *    prompts), while inbound calls arrive at the same Asterisk (sipp callers into a minimal ARI
 *    application with two sipp agents, BENCH_INBOUND_AT_ONCE calls at a time), and reports survey
 *    calls per minute and the inbound calls completed meanwhile.
 */
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AriConnection } from '../src/adapters/ari/ari-connection';
import { AriSurveyDialer } from '../src/adapters/ari/ari-survey-dialer';
import { DbConnection } from '../src/adapters/db/connection';
import { toDoc } from '../src/adapters/db/repositories/work-order.repository';
import { indexFieldsOf } from '../src/app/work-orders/lifecycle/work-order.index';
import { buildWorkOrderModule } from '../src/composition/work-orders.module';
import { DEFAULT_WORK_CALENDAR } from '../src/domain/calendar';
import { BEIJING_2023, createWorkOrder, formatWorkOrderNumber, transition, type Actor, type WorkOrder, type WorkOrderAction } from '../src/domain/work-order';
import type { Actor as AccessActor } from '../src/domain/access';
import { silentLogger } from '../src/shared/logger';
import { ensureAsterisk } from '../test/support/asterisk';
import { mongoBaseUrl } from '../test/support/api-harness';
import { agentPortFor, startAgentPhone, startCall, startCitizenPhone, stopAllSipp } from '../test/support/sipp';
import { startMinimalApp } from './minimal-ari-app';

const env = (k: string, d: number): number => (process.env[k] ? Number(process.env[k]) : d);
const ORDERS = env('BENCH_SURVEY_ORDERS', 10_000);
const CALLS = env('BENCH_SURVEY_CALLS', 40);
const CONCURRENCY = env('BENCH_SURVEY_CONCURRENCY', 4);
const CITIZEN_MS = env('BENCH_CITIZEN_MS', 3000);
const INBOUND_AT_ONCE = env('BENCH_INBOUND_AT_ONCE', 2);
const H = 3_600_000;
const NOW = new Date('2026-04-08T10:00:00+08:00');
const AGENT: Actor = { id: 'agent-1', role: 'agent' };
const SUP: Actor = { id: 'sup-1', role: 'supervisor' };
const ADMIN: AccessActor = { userId: 'bench-admin', role: 'admin', agentId: null, unitId: null, groupId: null };

function awaitingCallback(i: number): WorkOrder {
  const unit = `unit-${i % 50}`;
  const handler: Actor = { id: `h-${unit}`, role: 'unitHandler', unitId: unit };
  const createdAt = NOW.getTime() - 3 * 24 * H;
  let o = createWorkOrder({
    id: randomUUID(), number: formatWorkOrderNumber(new Date(createdAt), i + 1, 'SV'), presetId: BEIJING_2023.id,
    createdAt: new Date(createdAt), createdBy: { id: AGENT.id, role: 'agent' },
    caller: { name: '市民', phone: `139${String(i).padStart(8, '0')}`, confidential: false, callbackConsent: 'granted' },
    category: '投诉', urgency: '一般', content: '路灯不亮', areaCode: '110105',
  });
  const steps: [WorkOrderAction, Actor, number][] = [
    [{ type: 'accept' }, AGENT, 0], [{ type: 'dispatch', leadUnitId: unit }, SUP, H], [{ type: 'sign' }, handler, 2 * H],
    [{ type: 'complete', summary: '已修复' }, handler, 30 * H], [{ type: 'passReview' }, SUP, 31 * H], [{ type: 'recordFeedback', channel: 'phone' }, handler, 32 * H],
  ];
  for (const [a, actor, offset] of steps) {
    const r = transition(o, a, { now: new Date(createdAt + offset), actor, preset: BEIJING_2023, calendar: DEFAULT_WORK_CALENDAR, callbackSampled: true });
    if (!r.ok) throw new Error(`${a.type}: ${r.reason}`);
    o = r.order;
  }
  return o;
}

async function main(): Promise<void> {
  const lines: string[] = [];
  const print = (s: string): void => {
    console.log(s);
    lines.push(s);
  };
  const lab = await ensureAsterisk();
  const db = new DbConnection(`${await mongoBaseUrl()}/bench_survey_${process.pid}`, silentLogger);
  await db.start(200, 20_000);
  const surveyApp = `bench-survey-${process.pid}`;
  const conn = new AriConnection({ url: lab.ariUrl, username: lab.ariUsername, password: lab.ariPassword, app: surveyApp, maxSockets: 16 }, silentLogger);
  await conn.start();
  const dialer = new AriSurveyDialer(conn, { app: surveyApp, ringSeconds: 20, keyTimeoutMs: 4000 }, silentLogger);
  const clock = NOW.getTime();
  const module = buildWorkOrderModule({ db, auth: { authenticate: () => Promise.reject(new Error('no HTTP')) } as never, log: silentLogger, clock: () => clock, jobs: false, survey: { dialer, concurrency: CONCURRENCY, maxCallsPerRun: CALLS } });
  await module.start();
  const preset = module.regulation.preset(BEIJING_2023.id);
  if (!preset) throw new Error('no beijing-2023 preset');
  await module.regulation.putPreset(ADMIN, BEIJING_2023.id, { ...preset, version: preset.version + 1, survey: { ...preset.survey, enabled: true } });

  // 1. The backlog and the planning over it.
  const t0 = Date.now();
  const coll = db.connection.collection('work_orders');
  for (let i = 0; i < ORDERS; i += 1000) {
    const docs = Array.from({ length: Math.min(1000, ORDERS - i) }, (_, k) => {
      const o = awaitingCallback(i + k);
      return toDoc(o, 1, indexFieldsOf({ order: o, events: [], now: NOW, preset: BEIJING_2023, calendar: DEFAULT_WORK_CALENDAR }));
    });
    await coll.insertMany(docs as never[], { ordered: false });
  }
  print(`survey bench ${new Date().toISOString()}: ${ORDERS.toLocaleString('en-US')} orders awaiting a callback inserted in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const survey = module.survey;
  if (!survey) throw new Error('no survey job');
  for (const round of [1, 2]) {
    const p0 = Date.now();
    const { due, examined } = await survey.plan(new Date(clock));
    print(`planning (run ${round}): ${examined.toLocaleString('en-US')} examined, ${due.length.toLocaleString('en-US')} due, ${Date.now() - p0} ms`);
  }

  // 2. Survey calls at the configured concurrency, with inbound calls at the same time.
  const citizen = await startCitizenPhone({ mode: 'answer', hangupAfterMs: CITIZEN_MS, maxCalls: CALLS, timeoutMs: 30 * 60_000 });
  const agents = await Promise.all([1001, 1002].map((ext) => startAgentPhone({ endpointPort: agentPortFor(ext), answerAfterMs: 500, hangupAfterMs: 4000, timeoutMs: 30 * 60_000 })));
  const inboundApp = await startMinimalApp({
    url: lab.ariUrl, username: lab.ariUsername, password: lab.ariPassword, app: lab.ariApp,
    agents: ['PJSIP/agent1001', 'PJSIP/agent1002'], greeting: 'sound:hotline/greeting', ratingPrompt: 'sound:hotline/rating-2',
    thanksPrompt: 'sound:hotline/thanks', ratingTimeoutMs: 1000, maxSockets: 16,
  });
  let inboundDone = 0;
  let inboundFailed = 0;
  let loading = true;
  const caller = async (): Promise<void> => {
    while (loading) {
      const c = await startCall({ host: lab.sipHost, sipPort: lab.sipPort, hangupAfterMs: 12_000, timeoutMs: 60_000 });
      const r = await c.result;
      if (r.success) inboundDone += 1;
      else inboundFailed += 1;
    }
  };
  const inbound = Array.from({ length: INBOUND_AT_ONCE }, caller);
  const s0 = Date.now();
  const r = await survey.run();
  const ms = Date.now() - s0;
  loading = false;
  await Promise.all(inbound);
  print(`survey calls: ${r.placed} placed (${r.unreachable} unreachable attempts recorded, ${r.answered} answered, ${r.failed} failed) at ${CONCURRENCY} at once in ${(ms / 1000).toFixed(1)} s (planning ${r.planMs} ms): ${((r.placed * 60_000) / ms).toFixed(1)} calls/min; citizen hangs up ${CITIZEN_MS} ms after answering`);
  print(`inbound meanwhile (${INBOUND_AT_ONCE} at a time, 12 s each, minimal ARI app, 2 agents): ${inboundDone} completed, ${inboundFailed} failed`);

  await inboundApp.stop();
  await citizen.stop();
  await Promise.all(agents.map((a) => a.stop()));
  await stopAllSipp();
  await module.stop();
  await conn.stop();
  await db.connection.dropDatabase().catch(() => undefined);
  await db.stop();
  const file = join(__dirname, 'results', `${new Date().toISOString().slice(0, 10)}-survey.txt`);
  await mkdir(dirname(file), { recursive: true });
  await appendFile(file, `# ${new Date().toISOString()} BENCH_SURVEY_ORDERS=${ORDERS} BENCH_SURVEY_CONCURRENCY=${CONCURRENCY}\n${lines.join('\n')}\n\n`);
  console.log(`(written to ${file})`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
  void stopAllSipp();
});
