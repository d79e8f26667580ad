/**
 * The SIP door, with real SIP against the lab's Asterisk and the product wired as in production.
 *
 * The attack: a request whose From user is `trunk` was taken for the carrier's trunk from any
 * address (endpoint identified by user name first), and the trunk trusts P-Asserted-Identity, so
 * anyone reaching the SIP port placed calls under any caller number. The door has two layers, each
 * shown on its own by the source address sipp sends from (all of 127.0.0.0/8 is this machine;
 * the lab renders TRUNK_MATCH=127.0.0.1 and AGENT_NETWORKS=127.0.0.0/24):
 * - identification: from 127.0.0.5 (inside the agents' networks, not the trunk) nothing is the trunk,
 *   agents must answer the digest challenge, unknown users match nothing: 401;
 * - the ACL: from 127.0.1.5 (in no allowed network) every request gets 403.
 * Neither kind reaches Stasis nor leaves a call record; the same INVITE from the trunk's address is
 * accepted. Agents' phones register with their own secret only, and the app puts the credentials
 * back into Asterisk when it reconnects after an Asterisk restart. (Restarts the lab's Asterisk.)
 */
import type { Channel, StasisStart } from 'ari-client';
import type { IssuedSipSecret } from '../../../src/app/agents/sip-credentials.service';
import { asAgentId, asQueueId } from '../../../src/shared/ids';
import { asteriskCli, restartAsterisk } from '../../support/asterisk';
import { eventually } from '../../support/eventually';
import { probeInvite, registerPhone, stopAllSipp, type SippResult } from '../../support/sipp';
import { completedCall, startSystem, type RunningSystem } from '../../support/system-harness';

const TRUNK_ADDRESS = '127.0.0.1';
/** Inside AGENT_NETWORKS, not in TRUNK_MATCH. */
const INSIDE = '127.0.0.5';
/** In no allowed network. */
const OUTSIDE = '127.0.1.5';

/** Every identity a forged request may claim, with and without a caller number of its choosing. */
const CLAIMS = ['trunk', 'agent1001', 'stranger'].flatMap((fromUser, i) => [
  { fromUser, assertedIdentity: undefined },
  { fromUser, assertedIdentity: `1370000000${i}` },
]);
const FORGED_NUMBERS = CLAIMS.flatMap((c) => (c.assertedIdentity ? [c.assertedIdentity] : []));

function finalResponses(r: SippResult): number[] {
  return r.responses.filter((code) => code >= 200);
}

describe('the SIP door', () => {
  let sut: RunningSystem;
  /** Channel name and caller number of every StasisStart the app received. */
  const stasisStarts: string[] = [];
  /** Caller numbers of the calls the app took in (CallEntered). */
  const entered: string[] = [];
  const secrets = new Map<string, IssuedSipSecret>();

  beforeAll(async () => {
    sut = await startSystem('sip_door');
    sut.ari.current().on('StasisStart', (_event: StasisStart, channel: Channel) => {
      stasisStarts.push(`${channel.name} ${channel.caller.number}`);
    });
    sut.bus.subscribe('call', (m) => {
      if (m.event.type === 'CallEntered') entered.push(m.event.callerNumber);
    });
    for (const n of [1001, 1002]) {
      const profile = { agentId: asAgentId(`agent-${n}`), agentNumber: String(n), name: `话务员${n}`, endpoint: `PJSIP/agent${n}`, queues: [asQueueId('general')] };
      await sut.agents.save(profile);
      const issued = await sut.sipCredentials.issue(profile);
      expect(issued).toMatchObject({ username: `agent${n}`, applied: true });
      secrets.set(`agent${n}`, issued);
    }
  });

  afterAll(async () => {
    await stopAllSipp();
    await sut?.stop(5000);
  });

  it('from inside the agents\' networks, a request claiming the trunk, an agent or an unknown user is challenged (401), with or without P-Asserted-Identity', async () => {
    for (const claim of CLAIMS) {
      const r = await probeInvite({ fromIp: INSIDE, ...claim });
      expect({ claim, finals: finalResponses(r) }).toEqual({ claim, finals: [401] });
      expect(r.success).toBe(true);
    }
  }, 120_000);

  it('from outside every allowed network, every request is refused (403): INVITEs as above and a REGISTER with the right secret', async () => {
    for (const claim of CLAIMS) {
      const r = await probeInvite({ fromIp: OUTSIDE, ...claim });
      expect({ claim, finals: finalResponses(r) }).toEqual({ claim, finals: [403] });
    }
    const reg = await registerPhone({ fromIp: OUTSIDE, username: 'agent1001', secret: secrets.get('agent1001')?.secret ?? '' });
    expect(reg.responses).toEqual([403]);
  }, 120_000);

  it('the same INVITE from the trunk\'s address is accepted, its asserted number is the caller; the refused ones never reached Stasis nor left a record', async () => {
    const r = await probeInvite({ fromIp: TRUNK_ADDRESS, fromUser: 'trunk', assertedIdentity: '13700000099', holdMs: 1000 });
    expect(finalResponses(r)).toContain(200);
    expect(r.success).toBe(true);
    const rec = await completedCall(sut, '13700000099');
    expect(rec.callerNumber).toBe('13700000099');
    // Events arrive in order: a refused request that had entered Stasis would be seen before this call.
    expect(stasisStarts).toEqual([expect.stringMatching(/^PJSIP\/trunk-[0-9a-f]+ 13700000099$/)]);
    expect(entered).toEqual(['13700000099']);
    expect(await sut.callStore.records.countDocuments({})).toBe(1);
    expect(await sut.callStore.records.countDocuments({ callerNumber: { $in: FORGED_NUMBERS } })).toBe(0);
    expect(await sut.callStore.events.countDocuments({ callId: { $ne: rec.callId } })).toBe(0);
  }, 60_000);

  it('no anonymous or guest endpoint exists: the only endpoints are the trunk and the agents', async () => {
    const out = await asteriskCli('pjsip show endpoints');
    // " Endpoint:  agent1001/1001  Not in use ..." (the column header line starts with '<').
    const names = [...out.matchAll(/^\s*Endpoint:\s+([^\s/<][^\s/]*)/gm)].map((m) => m[1]);
    expect(names.length).toBeGreaterThan(1);
    for (const name of names) expect(name).toMatch(/^(trunk|agent\d+)$/);
  });

  it('an agent\'s phone registers with its own secret (200), not with another agent\'s secret nor the old shared lab password (401)', async () => {
    const own = await registerPhone({ username: 'agent1001', secret: secrets.get('agent1001')?.secret ?? '' });
    expect(own.responses).toEqual([401, 200, 401, 200]);
    const others = await registerPhone({ username: 'agent1002', secret: secrets.get('agent1001')?.secret ?? '' });
    expect(others.responses).toEqual([401, 401]);
    const shared = await registerPhone({ username: 'agent1001', secret: 'agent-lab-secret' });
    expect(shared.responses).toEqual([401, 401]);
  }, 60_000);

  it('after an Asterisk restart (its copy of the credentials lost) the app puts them back when it reconnects', async () => {
    const authObject = () =>
      sut.ari.current().asterisk.getObject({ configClass: 'res_pjsip', objectType: 'auth', id: 'agent1002-auth' });
    await restartAsterisk();
    await eventually(() => sut.ari.isConnected(), 60_000);
    await eventually(authObject, 30_000, 200);
    const r = await registerPhone({ username: 'agent1002', secret: secrets.get('agent1002')?.secret ?? '' });
    expect(r.responses).toEqual([401, 200, 401, 200]);
  }, 120_000);
});
