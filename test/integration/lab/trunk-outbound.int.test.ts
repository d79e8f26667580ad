/**
 * The lab's trunk can place outbound calls (the automated callback survey's path): an ARI originate
 * to PJSIP/<number>@trunk reaches a sipp "citizen" at TRUNK_CONTACT, which answers; the channel
 * enters Stasis answered and the citizen sees the hang-up. The trunk's AOR takes no registration,
 * so a REGISTER from the trunk's own address cannot redirect outbound calls.
 */
import Ari, { type Channel, type Client, type StasisStart } from 'ari-client';
import { ensureAsterisk } from '../../support/asterisk';
import { AGENT_PORT_OFFSET, registerPhone, startAgentPhone, stopAllSipp } from '../../support/sipp';

const CITIZEN_PORT = AGENT_PORT_OFFSET + 999; // the lab's TRUNK_CONTACT (scripts/render-asterisk-config.sh)
const APP = 'trunk-outbound-probe';

describe('lab: outbound calls through the trunk', () => {
  let client: Client;

  beforeAll(async () => {
    const lab = await ensureAsterisk();
    client = await Ari.connect(lab.ariUrl, lab.ariUsername, lab.ariPassword);
    await client.start(APP);
  });
  afterAll(async () => {
    await stopAllSipp();
    client?.stop();
  });

  it('an originate to PJSIP/<number>@trunk rings the citizen at TRUNK_CONTACT, who answers', async () => {
    const citizen = await startAgentPhone({ endpointPort: CITIZEN_PORT, answerAfterMs: 300, maxCalls: 1, timeoutMs: 60_000 });
    const answered = new Promise<Channel>((resolve) => {
      client.on('StasisStart', (_e: StasisStart, ch: Channel) => resolve(ch));
    });
    const out = client.Channel();
    await out.originate({ endpoint: 'PJSIP/13800138000@trunk', app: APP, callerId: '12345', timeout: 20 });
    const ch = await answered;
    expect(ch.id).toBe(out.id);
    expect(ch.state).toBe('Up');
    await ch.hangup();
    const result = await citizen.exited;
    // The citizen's scenario ran to its end: INVITE answered, BYE received.
    expect(result.success).toBe(true);
    expect(result.stats?.successfulCalls).toBe(1);
  });

  it('nobody can register to the trunk\'s outbound target, not even from the trunk\'s address', async () => {
    const r = await registerPhone({ username: 'trunk', secret: 'anything', fromIp: '127.0.0.1' });
    // The trunk needs no digest (its address is its identity), so the refusal is the registrar's: no 200.
    expect(r.responses.length).toBeGreaterThan(0);
    expect(r.responses).not.toContain(200);
  });
});
