/** In-call controls in the pure call machine: hold / resume and the one-key emergency transfer. */
import { buildCallRecord } from '../../../src/domain/call/call.record';
import { controlRefusal } from '../../../src/domain/call/call.controls';
import { transition } from '../../../src/domain/call/call.machine';
import { CALLER_CHANNEL, driveTo, menuSettings, NON_TERMINAL, settingsWith, T0 } from './call-fixtures';

const drive = (stage: (typeof NON_TERMINAL)[number]) => driveTo(stage, stage === 'menu' ? menuSettings() : settingsWith());

const BRIDGE = `bridge-${CALLER_CHANNEL}`;
const XFER = `xfer-${CALLER_CHANNEL}-1`;

describe('hold / resume', () => {
  it('hold takes the caller out of the bridge and plays hold music; the agent leg stays', () => {
    const d = driveTo('talking').at(20000).send({ type: 'HoldRequested' });
    expect(d.state.type).toBe('held');
    expect(d.lastEffects).toEqual([
      { type: 'LeaveBridge', bridgeId: BRIDGE, channelId: CALLER_CHANNEL },
      { type: 'StartMoh', channelId: CALLER_CHANNEL, mohClass: 'default' },
    ]);
    expect(d.effectTypes()).not.toContain('HangupAgentLeg');
    expect(buildCallRecord(d.events)).toMatchObject({ stage: 'held', holds: [{ startedAt: d.now, endedAt: null }], holdMs: 0 });
  });

  it('resume stops the music and puts the caller back; hold time is on the record', () => {
    const d = driveTo('held').at(27000).send({ type: 'ResumeRequested' });
    expect(d.state.type).toBe('talking');
    expect(d.lastEffects).toEqual([
      { type: 'StopMoh', channelId: CALLER_CHANNEL },
      { type: 'JoinBridge', bridgeId: BRIDGE, channelIds: [CALLER_CHANNEL] },
    ]);
    const rec = buildCallRecord(d.events);
    expect(rec).toMatchObject({ stage: 'talking', holdMs: 7000 });
    expect(rec.holds).toHaveLength(1);
  });

  it('two holds add up; talk time still counts from the bridge', () => {
    const d = driveTo('held').at(25000).send({ type: 'ResumeRequested' }).at(30000).send({ type: 'HoldRequested' }).at(33000).send({ type: 'ResumeRequested' });
    d.at(40000).send({ type: 'AgentHungUp', attempt: 1 });
    const rec = buildCallRecord(d.events);
    expect(rec.holdMs).toBe(8000);
    expect(rec.holds).toHaveLength(2);
    expect(rec.talkMs).toBe(30000);
    // The rating path is unchanged after holds.
    expect(d.state.type).toBe('rating');
  });

  it('the agent hangs up while the caller is on hold → music stops, hold closed, the caller is asked to rate', () => {
    const d = driveTo('held').at(26000).send({ type: 'AgentHungUp', attempt: 1 });
    expect(d.state.type).toBe('rating');
    expect(d.effectTypes().slice(0, 3)).toEqual(['StopMoh', 'ReleaseAgent', 'Play']);
    const rec = buildCallRecord(d.events);
    expect(rec).toMatchObject({ holdMs: 6000, conversationEndedBy: 'agent', rating: { status: 'pending' } });
  });

  it('the caller hangs up on hold → hold closed at the hang-up, agent released', () => {
    const d = driveTo('held').at(29000).send({ type: 'CallerHungUp' });
    expect(d.effectTypes()).toEqual(['HangupAgentLeg', 'DestroyBridge', 'ReleaseAgent', 'CancelAllTimers']);
    expect(buildCallRecord(d.events)).toMatchObject({ holdMs: 9000, conversationEndedBy: 'caller', outcome: 'answered' });
  });

  it('a digit on hold is not a rating; a second hold is ignored', () => {
    const d = driveTo('held').send({ type: 'Dtmf', digit: '1' });
    expect(d.eventTypes()).toEqual(['InputIgnored']);
    d.send({ type: 'HoldRequested' });
    expect(d.eventTypes()).toEqual(['InputIgnored']);
  });
});

describe('one-key emergency transfer', () => {
  const emergency = settingsWith({ emergency: { numbers: { '110': '0433110', '119': '119', '120': '120', '122': '122' }, trunk: 'trunk', ringTimeoutMs: 20000 } });

  it('dials the configured number through the trunk with the caller\'s number; the caller hears ringing outside the bridge', () => {
    const d = driveTo('talking', emergency).at(20000).send({ type: 'EmergencyTransferRequested', line: '110' });
    expect(d.state.type).toBe('transferring');
    expect(d.lastEffects).toEqual([
      { type: 'LeaveBridge', bridgeId: BRIDGE, channelId: CALLER_CHANNEL },
      { type: 'StartRingback', channelId: CALLER_CHANNEL },
      { type: 'DialOut', channelId: XFER, n: 1, number: '0433110', trunk: 'trunk', callerId: '13800000000', timeoutMs: 20000 },
    ]);
    expect(buildCallRecord(d.events)).toMatchObject({ stage: 'transferring', emergencyTransfers: [{ line: '110', number: '0433110', outcome: 'ringing' }] });
  });

  it('the line answers → agent leg hung up and released, caller and line bridged, no rating; the line hangs up → call ends emergency-transferred', () => {
    const d = driveTo('transferring').at(26000).send({ type: 'TransferLegAnswered', n: 1 });
    expect(d.state.type).toBe('transferred');
    expect(d.effectTypes()).toEqual(['StopRingback', 'HangupAgentLeg', 'ReleaseAgent', 'JoinBridge']);
    expect(d.lastEffects[3]).toEqual({ type: 'JoinBridge', bridgeId: BRIDGE, channelIds: [CALLER_CHANNEL, XFER] });
    expect(d.lastEffects[2]).toMatchObject({ outcome: 'completed' });
    d.at(90000).send({ type: 'TransferLegHungUp', n: 1 });
    expect(d.state.type).toBe('ended');
    const rec = buildCallRecord(d.events);
    expect(rec).toMatchObject({
      outcome: 'answered',
      endReason: 'emergency-transferred',
      hungUpBy: 'far-end',
      emergencyTransferredTo: '110',
      talkMs: 10000,
      rating: { status: 'not-asked' },
      emergencyTransfers: [{ line: '110', requestedAt: d.events.find((e) => e.type === 'EmergencyTransferStarted')?.at, outcome: 'answered', backTo: null }],
    });
    expect(rec.emergencyTransfers[0]?.answeredAt).not.toBeNull();
  });

  it('the caller hangs up after the transfer → the line is hung up, still emergency-transferred', () => {
    const d = driveTo('transferred').at(60000).send({ type: 'CallerHungUp' });
    expect(d.effectTypes()).toEqual(['HangupOutboundLeg', 'DestroyBridge', 'CancelAllTimers']);
    expect(buildCallRecord(d.events)).toMatchObject({ endReason: 'emergency-transferred', hungUpBy: 'caller' });
  });

  it.each(['busy', 'no-answer', 'rejected', 'unreachable'] as const)('the line fails (%s) → the caller goes back to the agent with a notice', (cause) => {
    const d = driveTo('transferring').at(40000).send({ type: 'TransferLegFailed', n: 1, cause });
    expect(d.state.type).toBe('talking');
    expect(d.effectTypes()).toEqual(['StopRingback', 'JoinBridge']);
    expect(d.lastEvents[0]).toMatchObject({ type: 'EmergencyTransferFailed', cause, backTo: 'agent', ringMs: 20000 });
    const rec = buildCallRecord(d.events);
    expect(rec).toMatchObject({ stage: 'talking', emergencyTransferredTo: null, emergencyTransfers: [{ outcome: cause, backTo: 'agent' }] });
    // The agent can try again (a second leg, numbered 2).
    d.send({ type: 'EmergencyTransferRequested', line: '120' });
    expect(d.lastEffects.find((e) => e.type === 'DialOut')).toMatchObject({ n: 2, channelId: `xfer-${CALLER_CHANNEL}-2`, number: '120' });
  });

  it('from hold: the music stops, the hold is closed, the line is dialled', () => {
    const d = driveTo('held').at(24000).send({ type: 'EmergencyTransferRequested', line: '119' });
    expect(d.effectTypes()).toEqual(['StopMoh', 'StartRingback', 'DialOut']);
    expect(buildCallRecord(d.events)).toMatchObject({ stage: 'transferring', holdMs: 4000 });
  });

  it('the agent hangs up while the line rings → agent released; the line then fails → the caller is queued again, not dropped', () => {
    const d = driveTo('transferring').at(22000).send({ type: 'AgentHungUp', attempt: 1 });
    expect(d.state).toMatchObject({ type: 'transferring', agent: null });
    expect(d.effectTypes()).toEqual(['ReleaseAgent']);
    d.at(30000).send({ type: 'TransferLegFailed', n: 1, cause: 'busy' });
    expect(d.state.type).toBe('queued');
    expect(d.effectTypes()).toContain('RequestAgent');
    expect(d.lastEvents[0]).toMatchObject({ type: 'EmergencyTransferFailed', backTo: 'queue' });
  });

  it('the caller hangs up while the line rings → line and agent leg hung up, transfer cancelled', () => {
    const d = driveTo('transferring').at(23000).send({ type: 'CallerHungUp' });
    expect(d.effectTypes()).toEqual(['HangupOutboundLeg', 'HangupAgentLeg', 'ReleaseAgent', 'DestroyBridge', 'CancelAllTimers']);
    const rec = buildCallRecord(d.events);
    expect(rec).toMatchObject({ endReason: 'caller-hangup', emergencyTransfers: [{ outcome: 'caller-hangup', backTo: 'none' }] });
  });

  it('a leg answering after the call gave up on it is hung up', () => {
    const d = driveTo('transferring').send({ type: 'TransferLegFailed', n: 1, cause: 'no-answer' }).send({ type: 'TransferLegAnswered', n: 1 });
    expect(d.eventTypes()).toEqual(['InputIgnored']);
    expect(d.lastEffects).toEqual([{ type: 'HangupOutboundLeg', channelId: XFER, n: 1 }]);
  });
});

describe('controlRefusal: every control in every state', () => {
  const ok = { hold: ['talking'], resume: ['held'], 'emergency-transfer': ['talking', 'held'] } as const;
  it.each(NON_TERMINAL)('%s', (stage) => {
    const st = drive(stage).state;
    expect(controlRefusal(st, { type: 'hold' }) === null).toBe((ok.hold as readonly string[]).includes(stage));
    expect(controlRefusal(st, { type: 'resume' }) === null).toBe((ok.resume as readonly string[]).includes(stage));
    expect(controlRefusal(st, { type: 'emergency-transfer', line: '110' }) === null).toBe((ok['emergency-transfer'] as readonly string[]).includes(stage));
  });

  it('a state that refuses a control also ignores its input (the machine decides again)', () => {
    for (const stage of NON_TERMINAL) {
      const d = drive(stage);
      for (const [control, input] of [
        [{ type: 'hold' }, { type: 'HoldRequested' }],
        [{ type: 'resume' }, { type: 'ResumeRequested' }],
        [{ type: 'emergency-transfer', line: '122' }, { type: 'EmergencyTransferRequested', line: '122' }],
      ] as const) {
        if (controlRefusal(d.state, control) === null) continue;
        const t = transition(d.state, input, d.ctx());
        expect(t.events.map((e) => e.type)).toEqual(['InputIgnored']);
      }
    }
  });
});

describe('supervisor listen / whisper / barge', () => {
  const SUP = `sup-${CALLER_CHANNEL}-1`;
  const request = (mode: 'listen' | 'whisper' | 'barge') => ({ type: 'MonitorRequested', mode, userId: 'boss', endpoint: 'PJSIP/agent1002' }) as const;

  it('listen: the supervisor\'s phone is rung, then bridged with a snoop on the agent\'s leg (no whisper)', () => {
    const d = driveTo('talking').at(20000).send(request('listen'));
    expect(d.state.type).toBe('talking');
    expect(d.lastEffects).toEqual([{ type: 'RingSupervisor', channelId: SUP, n: 1, endpoint: 'PJSIP/agent1002', callerId: '13800000000' }]);
    d.at(22000).send({ type: 'MonitorLegAnswered', n: 1 });
    expect(d.lastEffects).toEqual([
      { type: 'StartMonitor', n: 1, supervisorChannelId: SUP, snoopId: `snoop-${CALLER_CHANNEL}-1`, snoopedChannelId: `ring-${CALLER_CHANNEL}-1`, whisper: false, bridgeId: `spy-${CALLER_CHANNEL}-1` },
    ]);
    d.at(30000).send({ type: 'MonitorStopRequested' });
    expect(d.effectTypes()).toEqual(['EndMonitor']);
    expect(buildCallRecord(d.events).monitors).toEqual([{ n: 1, mode: 'listen', userId: 'boss', requestedAt: d.events.find((e) => e.type === 'MonitorRequested')?.at, joinedAt: d.now - 8000, leftAt: d.now, joinedMs: 8000 }]);
  });

  it('whisper snoops with whisper; barge joins the call\'s bridge', () => {
    const w = driveTo('talking').send(request('whisper')).send({ type: 'MonitorLegAnswered', n: 1 });
    expect(w.lastEffects[0]).toMatchObject({ type: 'StartMonitor', whisper: true });
    const b = driveTo('held').send(request('barge')).send({ type: 'MonitorLegAnswered', n: 1 });
    expect(b.lastEffects).toEqual([{ type: 'JoinBridge', bridgeId: BRIDGE, channelIds: [SUP] }]);
  });

  it.each([
    ['the agent hangs up', { type: 'AgentHungUp', attempt: 1 } as const, 'rating'],
    ['the caller hangs up', { type: 'CallerHungUp' } as const, 'ended'],
    ['an emergency transfer', { type: 'EmergencyTransferRequested', line: '110' } as const, 'transferring'],
  ])('%s → the supervisor is taken off the call (call-moved)', (_name, input, next) => {
    const d = driveTo('talking').send(request('barge')).send({ type: 'MonitorLegAnswered', n: 1 }).send(input);
    expect(d.state.type).toBe(next);
    expect(d.effectTypes()).toContain('EndMonitor');
    expect(d.lastEvents.find((e) => e.type === 'SupervisorLeft')).toMatchObject({ reason: 'call-moved' });
    expect(d.state.core.monitor).toBeNull();
  });

  it('the supervisor hangs up (or never answers) → off the call; a late answer of that leg is hung up; one supervisor at a time', () => {
    const d = driveTo('talking').send(request('listen'));
    d.send(request('barge'));
    expect(d.eventTypes()).toEqual(['InputIgnored']);
    d.send({ type: 'MonitorLegEnded', n: 1 });
    expect(d.lastEvents[0]).toMatchObject({ type: 'SupervisorLeft', reason: 'supervisor', joinedMs: 0 });
    d.send({ type: 'MonitorLegAnswered', n: 1 });
    expect(d.lastEffects).toEqual([{ type: 'HangupOutboundLeg', channelId: SUP, n: 1 }]);
  });

  it('not accepted outside a conversation with an agent', () => {
    for (const stage of ['queued', 'ringing', 'connecting', 'rating', 'transferring'] as const) {
      const d = driveTo(stage).send(request('listen'));
      expect(d.eventTypes()).toEqual(['InputIgnored']);
    }
  });
});

describe('three-way call (三方通话)', () => {
  const UNIT = `xfer-${CALLER_CHANNEL}-1`;

  it('the unit\'s number is dialled with the caller\'s number while caller and agent talk on; it joins the bridge when it answers', () => {
    const d = driveTo('talking').at(20000).send({ type: 'ThreeWayRequested', number: '12319' });
    expect(d.state.type).toBe('threeWay');
    expect(d.lastEffects).toEqual([{ type: 'DialOut', channelId: UNIT, n: 1, number: '12319', trunk: 'trunk', callerId: '13800000000', timeoutMs: 30000 }]);
    d.at(24000).send({ type: 'TransferLegAnswered', n: 1 });
    expect(d.lastEffects).toEqual([{ type: 'JoinBridge', bridgeId: BRIDGE, channelIds: [UNIT] }]);
    expect(buildCallRecord(d.events).threeWayLegs).toEqual([{ n: 1, number: '12319', requestedAt: d.now - 4000, joinedAt: d.now, leftAt: null, outcome: 'joined' }]);
  });

  it('the unit leaves → caller and agent go on', () => {
    const d = driveTo('threeWay').at(40000).send({ type: 'TransferLegHungUp', n: 1 });
    expect(d.state.type).toBe('talking');
    expect(buildCallRecord(d.events)).toMatchObject({ stage: 'talking', threeWayLegs: [{ outcome: 'left', leftAt: d.now }] });
  });

  it('the agent leaves the caller with the unit; the unit hangs up → the caller stayed to the end: asked to rate', () => {
    const d = driveTo('threeWay').at(40000).send({ type: 'AgentHungUp', attempt: 1 });
    expect(d.state).toMatchObject({ type: 'threeWay', agent: null });
    expect(d.effectTypes()).toEqual(['ReleaseAgent']);
    d.at(70000).send({ type: 'TransferLegHungUp', n: 1 });
    expect(d.state.type).toBe('rating');
    const rec = buildCallRecord(d.events);
    expect(rec).toMatchObject({ agentLeftThreeWayAt: T0 + 40000, talkMs: 30000, threeWayLegs: [{ joinedAt: T0 + 24000, leftAt: T0 + 70000 }], rating: { status: 'pending' } });
  });

  it('…with rateAfterThreeWay off the caller is thanked, not asked', () => {
    const d = driveTo('threeWay', settingsWith({ rateAfterThreeWay: false })).send({ type: 'AgentHungUp', attempt: 1 }).send({ type: 'TransferLegHungUp', n: 1 });
    expect(d.state.type).toBe('closing');
  });

  it('the caller leaves the agent and unit → both legs hung up', () => {
    const d = driveTo('threeWay').send({ type: 'CallerHungUp' });
    expect(d.effectTypes()).toEqual(['HangupOutboundLeg', 'HangupAgentLeg', 'ReleaseAgent', 'DestroyBridge', 'CancelAllTimers']);
  });

  it('the unit does not answer → back to talking with the agent; the agent hangs up while it rings → the caller is queued again', () => {
    const a = driveTo('talking').send({ type: 'ThreeWayRequested', number: '12319' }).send({ type: 'TransferLegFailed', n: 1, cause: 'busy' });
    expect(a.state.type).toBe('talking');
    expect(buildCallRecord(a.events).threeWayLegs[0]?.outcome).toBe('busy');
    const b = driveTo('talking').send({ type: 'ThreeWayRequested', number: '12319' }).send({ type: 'AgentHungUp', attempt: 1 });
    expect(b.state.type).toBe('queued');
    expect(b.effectTypes()).toContain('HangupOutboundLeg');
  });
});
