/**
 * The recording of a real call as a work order's evidence: sipp calls through real Asterisk into the
 * product as main.ts wires it with RECORD_CALLS on; the call path records the caller–agent bridge
 * (ARI bridges.record). After the call the agent makes an order of it, and one request copies
 * Asterisk's stored recording (over ARI) into the order's files in the database (GridFS): a WAV,
 * kind recording, downloadable under the recording's access rules (the agent, the lead unit and
 * supervisors hear it; another agent and a co-unit do not). Asked again, the same file comes back.
 * The call's recording also streams straight from Asterisk (GET /api/calls/{callId}/recording) under
 * the same rules, each listen audited.
 */
import type { Actor } from '../../../src/domain/access';
import { asAgentId, asUserId } from '../../../src/shared/ids';
import { eventually } from '../../support/eventually';
import { agentPortFor, placeCall, startAgentPhone, stopAllSipp } from '../../support/sipp';
import { addAgents, completedCall, startSystem, type RunningSystem } from '../../support/system-harness';

const ADMIN = { userId: asUserId('bootstrap'), role: 'admin', agentId: null, unitId: null, groupId: null } as unknown as Actor;
const CALLER = '13912340001';

async function login(sut: RunningSystem, username: string, password: string): Promise<string> {
  const res = await fetch(`${sut.baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

async function api<T = Record<string, unknown>>(sut: RunningSystem, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${sut.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

async function bytesOf(sut: RunningSystem, token: string, path: string): Promise<{ status: number; bytes: Buffer; type: string | null }> {
  const res = await fetch(`${sut.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type') };
}

type File = { id: string; name: string; kind: string; mime: string; size: number; step: string; source: string | null };

describe('a real call\'s recording attached to its work order', () => {
  let sut: RunningSystem;

  beforeAll(async () => {
    sut = await startSystem('call_recording', { RECORD_CALLS: 'true', WRAPUP_MS: '1000' });
    await addAgents(sut, [1001]);
    await sut.users.create(ADMIN, { username: 'agent1001', password: 'agent-password-1', role: 'agent', displayName: '话务员1001', agentId: 'agent-1001' });
    await sut.users.create(ADMIN, { username: 'agent1002', password: 'agent-password-2', role: 'agent', displayName: '话务员1002', agentId: 'agent-1002' });
    await sut.users.create(ADMIN, { username: 'boss', password: 'supervisor-password', role: 'supervisor', displayName: '值班长' });
    await sut.users.create(ADMIN, { username: 'water', password: 'water-unit-password', role: 'unit_handler', displayName: '自来水公司', unitId: 'water' });
    await sut.users.create(ADMIN, { username: 'roads', password: 'roads-unit-password', role: 'unit_handler', displayName: '市政道路', unitId: 'roads' });
  });

  afterAll(async () => {
    await stopAllSipp();
    await sut?.stop();
  });

  it('one request copies the call\'s recording into the order\'s files; only those who may hear it can', async () => {
    const t = {
      agent: await login(sut, 'agent1001', 'agent-password-1'),
      other: await login(sut, 'agent1002', 'agent-password-2'),
      boss: await login(sut, 'boss', 'supervisor-password'),
      water: await login(sut, 'water', 'water-unit-password'),
      roads: await login(sut, 'roads', 'roads-unit-password'),
    };
    // The agent answers, hears the 工号 announcement with the caller, talks, and hangs up after 12 s.
    const phone = await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 300, hangupAfterMs: 12_000 });
    // The ACD offers calls to phones Asterisk's qualify has found only.
    await eventually(() => sut.callPath.agents.get(asAgentId('agent-1001'))?.reachable === true, 30_000, 200);
    const result = await placeCall({ callerNumber: CALLER, timeoutMs: 90_000 });
    expect(result.success).toBe(true);
    await phone.stop();
    const record = await completedCall(sut, CALLER, 30_000);
    expect(record.agentId).toBe('agent-1001');
    expect(record.recording).toBe(`call-${record.callId}`);

    const order = await api<{ id: string; number: string }>(sut, t.agent, 'POST', '/api/work-orders', {
      callId: record.callId, caller: { phone: CALLER, name: '赵六' }, category: '投诉', urgency: '一般', areaCode: '110105', content: '自来水水压低',
    });
    expect(order.status).toBe(201);
    expect((await api(sut, t.boss, 'POST', `/api/work-orders/${order.body.id}/actions`, { type: 'dispatch', leadUnitId: 'water', coUnitIds: ['roads'] })).status).toBe(200);

    // Another agent may not hear this conversation: not even attach it.
    expect((await api(sut, t.other, 'POST', `/api/work-orders/${order.body.id}/attachments/call-recording`)).status).toBe(404);

    const attached = await api<File>(sut, t.agent, 'POST', `/api/work-orders/${order.body.id}/attachments/call-recording`);
    expect(attached.status).toBe(201);
    expect(attached.body).toMatchObject({ kind: 'recording', mime: 'audio/wav', step: 'intake', source: `call:${record.callId}`, name: `通话录音 ${order.body.number}.wav` });
    // Asterisk's recording: a WAV with audio after its 44-byte header (a few seconds of 8 kHz 16-bit audio).
    expect(attached.body.size).toBeGreaterThan(16_000);

    const again = await api<File>(sut, t.boss, 'POST', `/api/work-orders/${order.body.id}/attachments/call-recording`);
    expect([again.status, again.body.id]).toEqual([200, attached.body.id]);

    const path = `/api/work-orders/${order.body.id}/attachments/${attached.body.id}`;
    for (const who of [t.agent, t.boss, t.water]) {
      const got = await bytesOf(sut, who, path);
      expect(got.status).toBe(200);
      expect(got.type).toMatch(/^audio\/wav/);
      expect(got.bytes.length).toBe(attached.body.size);
      expect(got.bytes.subarray(0, 4).toString('latin1')).toBe('RIFF');
      expect(got.bytes.subarray(8, 12).toString('latin1')).toBe('WAVE');
    }
    // The co-unit sees the order but not the conversation; another agent neither.
    for (const who of [t.roads, t.other]) {
      expect((await bytesOf(sut, who, path)).status).toBe(404);
      const list = await api<File[]>(sut, who, 'GET', `/api/work-orders/${order.body.id}/attachments`);
      expect(list.status).toBe(200);
      expect(list.body.map((f) => f.id)).not.toContain(attached.body.id);
    }

    // The call's recording streamed straight from Asterisk: the same bytes as the copy, to the same people
    // (the lead unit through the order's case; the co-unit and another agent not), each listen audited.
    const copy = await bytesOf(sut, t.agent, path);
    for (const who of [t.agent, t.boss, t.water]) {
      const heard = await bytesOf(sut, who, `/api/calls/${record.callId}/recording`);
      expect([heard.status, heard.type]).toEqual([200, 'audio/wav']);
      expect(heard.bytes.equals(copy.bytes)).toBe(true);
    }
    for (const who of [t.roads, t.other]) expect((await bytesOf(sut, who, `/api/calls/${record.callId}/recording`)).status).toBe(404);
    const listens = await api<{ items: { role: string }[] }>(sut, t.boss, 'GET', `/api/calls/${record.callId}/recording/access`);
    expect(listens.body.items.map((e) => e.role)).toEqual(['agent', 'supervisor', 'unit_handler']);

    // An order that was not made from a call has no recording to attach.
    const plain = await api<{ id: string }>(sut, t.agent, 'POST', '/api/work-orders', {
      caller: { phone: CALLER }, category: '咨询', urgency: '一般', areaCode: '110105', content: '咨询停水时间',
    });
    const none = await api<{ reasonCode?: string }>(sut, t.agent, 'POST', `/api/work-orders/${plain.body.id}/attachments/call-recording`);
    expect([none.status, none.body.reasonCode]).toEqual([409, 'ATTACHMENT.NO_CALL']);
  });
});
