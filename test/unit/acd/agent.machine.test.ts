import { asCallId } from '../../../src/shared/ids';
import { agentTransition } from '../../../src/domain/acd/agent.machine';
import { agent, agentCtx, apply, readyAgent } from './acd-fixtures';

const CALL = asCallId('c1');
const CALL2 = asCallId('c2');

describe('agent machine', () => {
  describe('manual changes', () => {
    it('Login → ready (idle from now); Login{ready:false} → not-ready login', () => {
      const t = agentTransition(agent(1), { type: 'Login' }, agentCtx(500));
      expect(t.agent.status).toEqual({ type: 'ready' });
      expect(t.agent.idleSince).toBe(500);
      expect(t.events).toEqual([
        { type: 'AgentStatusChanged', agentId: 'a1', at: 500, from: 'logged-out', to: 'ready', reason: null, callId: null, by: 'agent' },
      ]);
      expect(agentTransition(agent(1), { type: 'Login', ready: false }, agentCtx(0)).agent.status).toEqual({ type: 'not-ready', reason: 'login' });
    });

    it('SetReady / SetNotReady / Logout when logged out → refused', () => {
      for (const input of [{ type: 'SetReady' }, { type: 'SetNotReady', reason: 'break' }, { type: 'Logout' }] as const) {
        const t = agentTransition(agent(1), input, agentCtx(0));
        expect(t.refused).toBe('not logged in');
        expect(t.events).toEqual([]);
      }
    });

    it('Login twice → refused', () => {
      expect(agentTransition(readyAgent(1, 0), { type: 'Login' }, agentCtx(0)).refused).toBe('already logged in');
    });

    it('not-ready{break} → ready again resets idle time', () => {
      let a = apply(readyAgent(1, 0), [{ type: 'SetNotReady', reason: 'break' }], agentCtx(100));
      expect(a.status).toEqual({ type: 'not-ready', reason: 'break' });
      expect(a.idleSince).toBeNull();
      a = apply(a, [{ type: 'SetReady' }], agentCtx(900));
      expect(a.idleSince).toBe(900);
    });
  });

  describe('reservation', () => {
    it('Offer to a ready agent → ringing; a second Offer → refused (never two calls at once)', () => {
      const a = apply(readyAgent(1, 0), [{ type: 'Offer', callId: CALL }]);
      expect(a.status).toEqual({ type: 'ringing', callId: CALL });
      expect(agentTransition(a, { type: 'Offer', callId: CALL2 }, agentCtx(0)).refused).toBe('not ready (ringing)');
    });

    it('Offer to an unreachable or not-ready agent → refused', () => {
      const unreachable = apply(readyAgent(1, 0), [{ type: 'ReachabilityChanged', reachable: false }]);
      expect(agentTransition(unreachable, { type: 'Offer', callId: CALL }, agentCtx(0)).refused).toBe('not reachable');
      const paused = apply(readyAgent(1, 0), [{ type: 'SetNotReady', reason: 'lunch' }]);
      expect(agentTransition(paused, { type: 'Offer', callId: CALL }, agentCtx(0)).refused).toMatch(/not ready/);
    });

    it('RingEnded cancelled (caller left) → ready, keeping the idle time, no miss counted', () => {
      const a = apply(readyAgent(1, 50), [{ type: 'Offer', callId: CALL }]);
      const t = agentTransition(a, { type: 'RingEnded', callId: CALL, attempt: 1, outcome: 'cancelled', ringMs: 3000 }, agentCtx(4000));
      expect(t.agent.status).toEqual({ type: 'ready' });
      expect(t.agent.idleSince).toBe(50);
      expect(t.agent.consecutiveMisses).toBe(0);
      expect(t.events.map((e) => e.type)).toEqual(['AgentStatusChanged']);
    });

    it('RingEnded for another call → refused', () => {
      const a = apply(readyAgent(1, 0), [{ type: 'Offer', callId: CALL }]);
      expect(agentTransition(a, { type: 'RingEnded', callId: CALL2, attempt: 1, outcome: 'no-answer', ringMs: 1 }, agentCtx(0)).refused).toBeTruthy();
    });
  });

  describe('missed-ring policy', () => {
    const miss = (outcome: 'no-answer' | 'rejected' | 'busy' | 'unreachable') => ({ type: 'RingEnded' as const, callId: CALL, attempt: 1, outcome, ringMs: 10000 });

    it('default: one no-answer → not-ready "missed", miss event and supervisor alert', () => {
      const a = apply(readyAgent(1, 0), [{ type: 'Offer', callId: CALL }]);
      const t = agentTransition(a, miss('no-answer'), agentCtx(10000));
      expect(t.agent.status).toEqual({ type: 'not-ready', reason: 'missed' });
      expect(t.events.map((e) => e.type)).toEqual(['AgentRingMissed', 'SupervisorAlertRaised', 'AgentStatusChanged']);
      expect(t.events[1]).toMatchObject({ kind: 'agent-missed-ring', agentNumber: '1', callId: CALL, ringMs: 10000, outcome: 'no-answer' });
      expect(t.events[2]).toMatchObject({ to: 'not-ready', reason: 'missed', by: 'policy' });
    });

    it('N = 3: two misses stay ready, the third → not-ready; an answer in between resets the count', () => {
      const ctx = agentCtx(0, { missedRing: { maxConsecutiveMisses: 3 } });
      const offer = { type: 'Offer' as const, callId: CALL };
      let a = apply(readyAgent(1, 0), [offer, miss('no-answer'), offer, miss('no-answer')], ctx);
      expect(a.status.type).toBe('ready');
      expect(a.consecutiveMisses).toBe(2);
      a = apply(a, [offer, { type: 'CallAnswered', callId: CALL }], ctx);
      expect(a.consecutiveMisses).toBe(0);
      a = apply(a, [{ type: 'CallFinished', callId: CALL }, { type: 'SetReady' }, offer, miss('no-answer'), offer, miss('no-answer'), offer, miss('no-answer')], ctx);
      expect(a.status).toEqual({ type: 'not-ready', reason: 'missed' });
    });

    it('a manual change resets the count', () => {
      const ctx = agentCtx(0, { missedRing: { maxConsecutiveMisses: 2 } });
      const offer = { type: 'Offer' as const, callId: CALL };
      let a = apply(readyAgent(1, 0), [offer, miss('no-answer')], ctx);
      expect(a.consecutiveMisses).toBe(1);
      a = apply(a, [{ type: 'SetNotReady', reason: 'break' }, { type: 'SetReady' }], ctx);
      expect(a.consecutiveMisses).toBe(0);
      a = apply(a, [offer, miss('no-answer')], ctx);
      expect(a.status.type).toBe('ready');
    });

    it('rejects and busy count by default and put the agent not-ready with 忙/拒接; unreachable does not count (no alert either)', () => {
      const offer = { type: 'Offer' as const, callId: CALL };
      expect(apply(readyAgent(1, 0), [offer, miss('rejected')]).status).toEqual({ type: 'not-ready', reason: '忙/拒接' });
      expect(apply(readyAgent(1, 0), [offer, miss('busy')]).status).toEqual({ type: 'not-ready', reason: '忙/拒接' });
      expect(apply(readyAgent(1, 0), [offer, miss('no-answer')]).status).toEqual({ type: 'not-ready', reason: 'missed' });
      const t = agentTransition(apply(readyAgent(1, 0), [offer]), miss('unreachable'), agentCtx(0));
      expect(t.agent.status.type).toBe('ready');
      expect(t.events.map((e) => e.type)).toEqual(['AgentRingMissed', 'AgentStatusChanged']);
      expect(t.events[0]).toMatchObject({ counted: false });
    });

    it('repeated refusals: with a threshold of 3 the third busy in a row puts the agent not-ready with 忙/拒接', () => {
      const ctx = agentCtx(0, { missedRing: { maxConsecutiveMisses: 3 } });
      const offer = { type: 'Offer' as const, callId: CALL };
      const twice = apply(readyAgent(1, 0), [offer, miss('busy'), offer, miss('busy')], ctx);
      expect(twice.status.type).toBe('ready');
      expect(twice.consecutiveMisses).toBe(2);
      expect(apply(twice, [offer, miss('busy')], ctx).status).toEqual({ type: 'not-ready', reason: '忙/拒接' });
    });

    it('policy: rejects not counted, busy counted', () => {
      const ctx = agentCtx(0, { missedRing: { countRejected: false, countBusy: true } });
      const offer = { type: 'Offer' as const, callId: CALL };
      expect(apply(readyAgent(1, 0), [offer, miss('rejected')], ctx).status.type).toBe('ready');
      expect(apply(readyAgent(1, 0), [offer, miss('busy')], ctx).status.type).toBe('not-ready');
    });
  });

  describe('call and wrap-up', () => {
    const onCall = () => apply(readyAgent(1, 0), [{ type: 'Offer', callId: CALL }, { type: 'CallAnswered', callId: CALL }]);

    it('CallFinished → wrap-up with a timer; the timer → ready, idle from then', () => {
      const t = agentTransition(onCall(), { type: 'CallFinished', callId: CALL }, agentCtx(60000));
      expect(t.agent.status).toEqual({ type: 'wrap-up', callId: CALL, token: 'wrapUp-1' });
      expect(t.effects).toEqual([{ type: 'StartTimer', name: 'wrapUp', at: 75000, token: 'wrapUp-1', fire: { type: 'WrapUpTimeout', token: 'wrapUp-1' } }]);
      const r = agentTransition(t.agent, { type: 'WrapUpTimeout', token: 'wrapUp-1' }, agentCtx(75000));
      expect(r.agent.status).toEqual({ type: 'ready' });
      expect(r.agent.idleSince).toBe(75000);
      expect(r.effects).toEqual([]);
      expect(r.events[0]).toMatchObject({ from: 'wrap-up', to: 'ready', by: 'timer' });
    });

    it('SetReady during wrap-up → ready at once, the timer is cancelled; its late firing is refused', () => {
      const w = apply(onCall(), [{ type: 'CallFinished', callId: CALL }]);
      const t = agentTransition(w, { type: 'SetReady' }, agentCtx(1000));
      expect(t.agent.status.type).toBe('ready');
      expect(t.effects).toEqual([{ type: 'CancelTimer', name: 'wrapUp' }]);
      expect(agentTransition(t.agent, { type: 'WrapUpTimeout', token: 'wrapUp-1' }, agentCtx(0)).refused).toBe('stale wrap-up timer');
    });

    it('wrap-up 0 → until the agent says Ready (no timer)', () => {
      const t = agentTransition(onCall(), { type: 'CallFinished', callId: CALL }, agentCtx(0, { wrapUpMs: 0 }));
      expect(t.agent.status).toEqual({ type: 'wrap-up', callId: CALL, token: null });
      expect(t.effects).toEqual([]);
    });

    it('SetNotReady during the call → applied after wrap-up', () => {
      const a = apply(onCall(), [{ type: 'SetNotReady', reason: 'meeting' }, { type: 'CallFinished', callId: CALL }]);
      expect(a.status.type).toBe('wrap-up');
      const t = agentTransition(a, { type: 'WrapUpTimeout', token: 'wrapUp-1' }, agentCtx(0));
      expect(t.agent.status).toEqual({ type: 'not-ready', reason: 'meeting' });
    });

    it('Logout during the call → logged out when the call ends (no wrap-up)', () => {
      const a = apply(onCall(), [{ type: 'Logout' }]);
      expect(a.status.type).toBe('on-call');
      expect(apply(a, [{ type: 'CallFinished', callId: CALL }]).status.type).toBe('logged-out');
    });

    it('Logout while ringing → logged out after the ring ends, even when missed', () => {
      const a = apply(readyAgent(1, 0), [{ type: 'Offer', callId: CALL }, { type: 'Logout' }]);
      expect(apply(a, [{ type: 'RingEnded', callId: CALL, attempt: 1, outcome: 'no-answer', ringMs: 10000 }]).status.type).toBe('logged-out');
    });

    it('CallFinished for another call → refused', () => {
      expect(agentTransition(onCall(), { type: 'CallFinished', callId: CALL2 }, agentCtx(0)).refused).toBe('not on this call');
    });
  });

  describe('a call taken over after a restart (CallResumed)', () => {
    it('binds a Ready agent to the call (ringing or on it); afterwards it is Ready again', () => {
      const t = agentTransition(readyAgent(1, 0), { type: 'CallResumed', callId: CALL, status: 'on-call' }, agentCtx(100));
      expect(t.refused).toBeNull();
      expect(t.agent).toMatchObject({ status: { type: 'on-call', callId: CALL }, pending: null });
      const after = apply(t.agent, [{ type: 'CallFinished', callId: CALL }, { type: 'WrapUpTimeout', token: 'wrapUp-1' }], agentCtx(200, { wrapUpMs: 1000 }));
      expect(after.status).toEqual({ type: 'ready' });
      const ringing = agentTransition(readyAgent(1, 0), { type: 'CallResumed', callId: CALL, status: 'ringing' }, agentCtx(100));
      expect(ringing.agent.status).toEqual({ type: 'ringing', callId: CALL });
    });

    it('an agent restored not ready or logged out goes back to that after the call', () => {
      const notReady = apply(readyAgent(1, 0), [{ type: 'SetNotReady', reason: '小休' }]);
      const t = agentTransition(notReady, { type: 'CallResumed', callId: CALL, status: 'on-call' }, agentCtx(100));
      expect(t.agent.pending).toEqual({ type: 'not-ready', reason: '小休' });
      expect(agentTransition(agent(1), { type: 'CallResumed', callId: CALL, status: 'ringing' }, agentCtx(100)).agent.pending).toEqual({ type: 'logged-out' });
    });

    it('refused while bound to another call; the same call again changes nothing', () => {
      const bound = agentTransition(readyAgent(1, 0), { type: 'CallResumed', callId: CALL, status: 'on-call' }, agentCtx(100)).agent;
      expect(agentTransition(bound, { type: 'CallResumed', callId: CALL2, status: 'on-call' }, agentCtx(200)).refused).toBe('bound to another call (on-call)');
      const again = agentTransition(bound, { type: 'CallResumed', callId: CALL, status: 'on-call' }, agentCtx(200));
      expect(again.refused).toBeNull();
      expect(again.events).toEqual([]);
    });
  });
});
