/**
 * The softphone configuration of docs/calling.md, tested (issue 28 item 7): Debian's baresip (baresip-core)
 * registers with the lab's Asterisk as agent1001 with digest authentication and the agent's own
 * secret, answers OPTIONS (reachable), is offered a real call (sipp caller on the trunk), answers it
 * by itself (answermode=auto) and is bridged with the caller; the record names the agent.
 *
 * The lab's Asterisk is rendered with AGENT_STATIC_CONTACTS=no for this file (the phones register,
 * as in production) and put back as it was afterwards.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { asAgentId, asQueueId } from '../../../src/shared/ids';
import { restartAsterisk } from '../../support/asterisk';
import { baresipAccountLine, baresipConfig, startBaresip, type Baresip } from '../../support/baresip';
import { eventually } from '../../support/eventually';
import { AGENT_PORT_OFFSET, startCall, stopAllSipp } from '../../support/sipp';
import { completedCall, startSystem, type RunningSystem } from '../../support/system-harness';

const A1 = asAgentId('agent-1001');
const SIP_PORT = Number(process.env.SIP_PORT ?? 5060);

describe('baresip as an agent phone (docs/calling.md configuration)', () => {
  let sut: RunningSystem | null = null;
  let phone: Baresip | null = null;
  const staticContacts = process.env.AGENT_STATIC_CONTACTS;

  beforeAll(async () => {
    process.env.AGENT_STATIC_CONTACTS = 'no';
    await restartAsterisk();
  }, 240_000);

  afterAll(async () => {
    await phone?.stop();
    await stopAllSipp();
    await sut?.stop(2000);
    if (staticContacts === undefined) delete process.env.AGENT_STATIC_CONTACTS;
    else process.env.AGENT_STATIC_CONTACTS = staticContacts;
    await restartAsterisk();
  }, 240_000);

  it('registers with digest auth, is reachable, answers an offered call by itself and is bridged with the caller', async () => {
    sut = await startSystem('softphone_baresip', { WRAPUP_MS: '1000', RATING_TIMEOUT_MS: '2000' });
    const profile = { agentId: A1, agentNumber: '1001', name: '话务员1001', endpoint: 'PJSIP/agent1001', queues: [asQueueId('general')] };
    await sut.agents.save(profile);
    sut.callPath.agents.register(profile);
    const issued = await sut.sipCredentials.issue(profile);
    expect(issued).toMatchObject({ username: 'agent1001', applied: true });
    sut.callPath.agents.login(A1, { ready: true });

    phone = await startBaresip({
      username: 'agent1001',
      secret: issued.secret,
      registrar: { host: '127.0.0.1', port: SIP_PORT },
      rtpPorts: [AGENT_PORT_OFFSET + 910, AGENT_PORT_OFFSET + 998],
      autoAnswer: true,
    });
    // Digest authentication: challenged, then registered.
    await phone.waitFor(/agent1001@127\.0\.0\.1.*200 OK/, 20_000);
    await eventually(() => sut?.callPath.agents.get(A1)?.reachable === true, 30_000);

    const call = await startCall({ callerNumber: '13700000701', hangupAfterMs: 25_000, timeoutMs: 60_000 });
    try {
      await eventually(() => sut?.callPath.registry.all().find((s) => s.snapshot().core.callerNumber === '13700000701' && s.snapshot().type === 'talking'), 30_000, 50);
    } catch (err) {
      if (process.env.BARESIP_TRACE) writeFileSync(process.env.BARESIP_TRACE, phone.output());
      throw new Error(`no conversation: ${String(err)}\n--- baresip ---\n${phone.output().slice(-12000)}`);
    }
    expect((await call.result).success).toBe(true);
    const rec = await completedCall(sut, '13700000701', 30_000);
    expect(rec).toMatchObject({ outcome: 'answered', agentId: 'agent-1001' });
    expect(rec.detail).toMatchObject({ conversationEndedBy: 'caller' });
    expect(rec.detail.attempts).toEqual([expect.objectContaining({ attempt: 1, agentId: 'agent-1001', outcome: 'answered' })]);
    expect(rec.detail.talkMs).toBeGreaterThan(3000);
    // The phone itself says the call was established (and then closed by the caller's side).
    expect(phone.output()).toMatch(/Call established/i);
  }, 180_000);

  it("the softphone section (docs/calling.md) shows this configuration", () => {
    const readme = readFileSync(join(__dirname, '../../../docs/calling.md'), 'utf8');
    const words = (line: string) => line.trim().split(/\s+/).join(' ');
    const shown = new Set(readme.split('\n').map(words));
    expect(shown).toContain(baresipAccountLine({ username: 'agent1001', secret: 'AGENT_SECRET', registrar: { host: 'ASTERISK_HOST', port: 5060 }, autoAnswer: true }));
    const config = baresipConfig({ sipPort: 5070, rtpPorts: [10000, 10099] })
      .split('\n')
      .map(words)
      // Addresses and ports differ per machine; the section shows placeholders for them.
      .filter((l) => l !== '' && !/^(sip_listen|net_interface|rtp_ports|poll_method) /.test(l));
    for (const line of config) expect(shown).toContain(line);
  });
});
