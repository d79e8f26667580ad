/**
 * Who hears the supervisor, proven on the audio itself. A real call (sipp caller through the lab's
 * Asterisk into the product as main.ts wires it, sipp agent phone, the supervisor's own sipp phone);
 * each phone's audio is a TonePhoneAudio: it sends its own pure tone (caller 440 Hz, agent 660 Hz,
 * supervisor 1 kHz) and keeps the RTP it receives, which is what its user hears after everything
 * Asterisk mixed or whispered into it. Over the same stretch of each mode:
 * - 监听 listen: the supervisor hears caller and agent; neither hears the supervisor;
 * - 密语 whisper: the agent hears the supervisor, the caller does not;
 * - 强插 barge: both hear the supervisor.
 * Tones are judged against each other and the stretch's noise floor (tones.ts), not by level.
 */
import Ari, { type Client } from 'ari-client';
import type { Actor } from '../../../src/domain/access';
import { asAgentId, asQueueId, asUserId } from '../../../src/shared/ids';
import { ensureAsterisk } from '../../support/asterisk';
import { eventually } from '../../support/eventually';
import { AsteriskProbe, callControl, login, sessionIn } from '../../support/live-call';
import { agentPortFor, startAgentPhone, startCall, stopAllSipp, type AgentPhone } from '../../support/sipp';
import { addAgents, completedCall, setAgentStates, startSystem, type RunningSystem } from '../../support/system-harness';
import { TonePhoneAudio } from '../../support/tone-phone-audio';
import { hearing } from '../../support/tones';

const ADMIN = { userId: asUserId('bootstrap'), role: 'admin', agentId: null, unitId: null, groupId: null } as unknown as Actor;
const CALLER = 440;
const AGENT = 660;
const SUPERVISOR = 1000;
const TONES = [CALLER, AGENT, SUPERVISOR];
/** Two seconds of each phone's audio per mode. */
const STRETCH_PACKETS = 100;

describe('supervisor monitoring: who hears the supervisor, in the audio each phone receives', () => {
  let sut: RunningSystem;
  let ari: Client;
  let ast: AsteriskProbe;
  let bossToken = '';
  let phones: AgentPhone[] = [];
  let audio: TonePhoneAudio[] = [];

  beforeAll(async () => {
    sut = await startSystem('monitor_audio', { WRAPUP_MS: '1000', RATING_TIMEOUT_MS: '2000' });
    const lab = await ensureAsterisk();
    ari = await Ari.connect(lab.ariUrl, lab.ariUsername, lab.ariPassword);
    ast = new AsteriskProbe(ari);
    await addAgents(sut, [1001]);
    // The supervisor's own phone is an agent-like seat of the call's queue.
    sut.callPath.agents.register({ agentId: asAgentId('seat-1002'), agentNumber: '1002', name: '值班长席位', endpoint: 'PJSIP/agent1002', queues: [asQueueId('general')] });
    await sut.users.create(ADMIN, { username: 'boss', password: 'supervisor-password', role: 'supervisor', displayName: '值班长', agentId: 'seat-1002' });
    bossToken = await login(sut, 'boss', 'supervisor-password');
  });

  afterEach(async () => {
    await Promise.all(phones.map((p) => p.stop()));
    phones = [];
    await stopAllSipp();
    await Promise.all(audio.map((a) => a.close()));
    audio = [];
  });

  afterAll(async () => {
    await sut?.stop(5000);
  });

  it('listen: nobody hears the supervisor; whisper: only the agent; barge: caller and agent', async () => {
    const callerNumber = '13900000051';
    const [callerAudio, agentAudio, supervisorAudio] = await Promise.all([CALLER, AGENT, SUPERVISOR].map((hz) => TonePhoneAudio.open(hz)));
    audio.push(callerAudio!, agentAudio!, supervisorAudio!);
    await setAgentStates(sut, { ready: [1001] });
    phones.push(await startAgentPhone({ endpointPort: agentPortFor(1001), answerAfterMs: 300, rtpPort: agentAudio!.port }));
    phones.push(await startAgentPhone({ endpointPort: agentPortFor(1002), answerAfterMs: 300, rtpPort: supervisorAudio!.port }));
    const call = await startCall({ callerNumber, hangupAfterMs: -1, timeoutMs: 180_000, rtpPort: callerAudio!.port });
    const session = await sessionIn(sut, callerNumber, 'talking', 60_000);
    const callId = session.callId;
    const agentLeg = session.liveAgentLeg()?.channelId ?? '';
    const bridge = `bridge-${callId}`;
    await ast.bridgeIs(bridge, [callId, agentLeg]);

    /** What each phone hears over the same next stretch (the supervisor's, once it is on the call). */
    const listenAll = async (withSupervisor = true) => {
      const ears = { caller: callerAudio!, agent: agentAudio!, ...(withSupervisor ? { supervisor: supervisorAudio! } : {}) };
      const heard = await Promise.all(Object.entries(ears).map(async ([who, ear]) => [who, hearing(await ear.next(STRETCH_PACKETS), TONES)] as const));
      return {
        heard: Object.fromEntries(heard.map(([who, h]) => [who, h.heard])),
        levels: Object.fromEntries(heard.map(([who, h]) => [who, h.levels])),
      };
    };
    const monitoring = async (mode: 'listen' | 'whisper' | 'barge', n: number) => {
      expect((await callControl(sut, bossToken, callId, 'monitor', { mode })).status).toBe(202);
      await eventually(() => {
        const m = session.snapshot().core.monitor;
        return m && m.n === n && m.joinedAt !== null ? m : null;
      }, 20_000, 100);
      if (mode === 'barge') await ast.bridgeIs(bridge, [callId, agentLeg, `sup-${callId}-${n}`]);
      else await ast.bridgeIs(`spy-${callId}-${n}`, [`snoop-${callId}-${n}`, `sup-${callId}-${n}`]);
      // The supervisor's phone sends its tone to Asterisk from here on.
      const rx = (await ari.channels.rtpstatistics({ channelId: `sup-${callId}-${n}` })).rxcount;
      const heard = await listenAll();
      expect((await ari.channels.rtpstatistics({ channelId: `sup-${callId}-${n}` })).rxcount - rx).toBeGreaterThan(STRETCH_PACKETS / 2);
      return heard;
    };
    const stop = async () => {
      expect((await callControl(sut, bossToken, callId, 'monitor', undefined, 'DELETE')).status).toBe(202);
      await eventually(() => (session.snapshot().core.monitor === null ? true : null), 20_000, 100);
    };

    // Before any supervisor: each party hears the other.
    expect(await listenAll(false)).toMatchObject({ heard: { caller: [AGENT], agent: [CALLER] } });

    // 监听: the supervisor hears both; the supervisor's tone reaches nobody.
    expect(await monitoring('listen', 1)).toMatchObject({ heard: { caller: [AGENT], agent: [CALLER], supervisor: [CALLER, AGENT] } });
    await stop();

    // 密语: the agent hears the supervisor; the caller, over the same stretch, does not.
    expect(await monitoring('whisper', 2)).toMatchObject({ heard: { caller: [AGENT], agent: [CALLER, SUPERVISOR], supervisor: [CALLER, AGENT] } });
    await stop();

    // 强插: everyone hears everyone.
    expect(await monitoring('barge', 3)).toMatchObject({ heard: { caller: [AGENT, SUPERVISOR], agent: [CALLER, SUPERVISOR], supervisor: [CALLER, AGENT] } });

    await ari.channels.hangup({ channelId: agentLeg });
    const rec = await completedCall(sut, callerNumber, 60_000);
    expect((await call.result).success).toBe(true);
    expect(rec.detail.monitors.map((m) => [m.n, m.mode, m.joinedAt !== null, m.leftAt !== null])).toEqual([
      [1, 'listen', true, true],
      [2, 'whisper', true, true],
      [3, 'barge', true, true],
    ]);
  });
});
