/**
 * The call machine in the queue: waiting (hold music, announcements), ringing an agent (the
 * 10-second rule: our own timer per attempt), and overflow (prompt, optional callback request).
 */
import { digitMedia, promptMedia } from './call.settings';
import { agentAnnouncementId, ringChannelId } from './call.ids';
import type { CallEffect } from './call.effects';
import type { OverflowReason, RingMissOutcome } from './call.events';
import type { AgentLegFailure, CallInput } from './call.inputs';
import { ringDeadlineOf, ringStartOf, type CallState, type ConnectedAgent, type OfferedAgent } from './call.state';
import { closing, ignore, type Outcome, type Step } from './call.step';

export function enterQueue(s: Step, retry: boolean): Outcome {
  const c = s.core;
  const st = s.settings;
  // Back in the queue after a ring: the ringing tone has stopped, the music starts again.
  if (!retry || st.ringingTone === 'ringback') s.effect({ type: 'StartMoh', channelId: c.callerChannelId, mohClass: st.mohClass });
  if (!retry) {
    c.queuedAt = s.now;
    if (st.maxQueueWaitMs > 0) {
      const token = s.token('maxWait');
      c.maxWaitToken = token;
      s.startTimer('maxWait', s.now + st.maxQueueWaitMs, token, { type: 'MaxWaitTimeout', token });
    }
  }
  s.emit({ type: 'CallQueued', queueId: c.queueId, priority: c.priority, retry });
  s.effect({ type: 'RequestAgent', queueId: c.queueId, priority: c.priority, retry, queuedAt: c.queuedAt });
  return { type: 'queued', announcePlaybackId: null, announceToken: scheduleAnnouncement(s) };
}

function scheduleAnnouncement(s: Step): string | null {
  if (s.settings.announceIntervalMs <= 0) return null;
  const token = s.token('announce');
  s.startTimer('announce', s.now + s.settings.announceIntervalMs, token, { type: 'AnnounceTick', token });
  return token;
}

export function inQueue(s: Step, st: Extract<CallState, { type: 'queued' }>, i: CallInput): Outcome {
  const c = s.core;
  switch (i.type) {
    case 'AgentOffered': {
      const ringback = s.settings.ringingTone === 'ringback';
      if (st.announcePlaybackId) {
        s.stopPlayback(st.announcePlaybackId);
        if (!ringback) s.effect({ type: 'StartMoh', channelId: c.callerChannelId, mohClass: s.settings.mohClass });
      } else if (ringback) {
        s.effect({ type: 'StopMoh', channelId: c.callerChannelId });
      }
      if (ringback) s.effect({ type: 'StartRingback', channelId: c.callerChannelId });
      if (st.announceToken) s.effect({ type: 'CancelTimer', name: 'announce' });
      c.attempts += 1;
      const attempt = c.attempts;
      const channelId = ringChannelId(c.callId, attempt);
      s.emit({
        type: 'AgentOffered',
        attempt,
        agentId: i.agentId,
        agentNumber: i.agentNumber,
        endpoint: i.endpoint,
        channelId,
        waitMs: s.now - (c.queuedAt ?? s.now),
      });
      s.effect({
        type: 'RingAgent',
        agentId: i.agentId,
        endpoint: i.endpoint,
        attempt,
        channelId,
        callerNumber: c.callerNumber,
        timeoutMs: s.settings.ringTimeoutMs,
      });
      const offer: OfferedAgent = { attempt, agentId: i.agentId, agentNumber: i.agentNumber, endpoint: i.endpoint, channelId, offeredAt: s.now };
      s.startTimer('ring', ringDeadlineOf(offer, s.settings), String(attempt), { type: 'RingTimeout', attempt });
      return { type: 'ringing', offer };
    }
    case 'AnnounceTick': {
      if (i.token !== st.announceToken) return ignore('stale token');
      const position = s.settings.announcePosition ? s.ctx.queuePosition : null;
      const media =
        position !== null
          ? [promptMedia(s.settings, 'position-prefix'), ...digitMedia(s.settings, String(position)), promptMedia(s.settings, 'position-suffix')]
          : [promptMedia(s.settings, 'queue-hold')];
      s.effect({ type: 'StopMoh', channelId: c.callerChannelId });
      const playbackId = s.play(media);
      s.emit({ type: 'QueuePositionAnnounced', position });
      return { type: 'queued', announcePlaybackId: playbackId, announceToken: null };
    }
    case 'PlaybackFinished':
      if (i.playbackId !== st.announcePlaybackId) return ignore('stale playback');
      s.playbackDone();
      s.effect({ type: 'StartMoh', channelId: c.callerChannelId, mohClass: s.settings.mohClass });
      return { type: 'queued', announcePlaybackId: null, announceToken: scheduleAnnouncement(s) };
    case 'MaxWaitTimeout':
      if (i.token !== c.maxWaitToken) return ignore('stale token');
      return overflow(s, st, 'max-wait');
    case 'NoAgentsAvailable':
      if (!s.settings.overflowWhenNoAgents) return ignore('overflow without agents is off');
      return overflow(s, st, 'no-agents');
    default:
      return ignore('not accepted while queued');
  }
}

export function inRinging(s: Step, st: Extract<CallState, { type: 'ringing' }>, i: CallInput): Outcome {
  const offer = st.offer;
  const c = s.core;
  switch (i.type) {
    case 'AgentAnswered': {
      if (i.attempt !== offer.attempt) return ignore('stale attempt');
      s.effect({ type: 'CancelTimer', name: 'ring' });
      if (c.maxWaitToken) s.effect({ type: 'CancelTimer', name: 'maxWait' });
      c.maxWaitToken = null;
      s.effect({ type: 'CancelAgentRequest', queueId: c.queueId, reason: 'connected' });
      s.effect(callerToneOff(s));
      s.effect({ type: 'MarkAgentOnCall', agentId: offer.agentId });
      s.emit({
        type: 'AgentAnswered',
        attempt: offer.attempt,
        agentId: offer.agentId,
        agentNumber: offer.agentNumber,
        ringMs: s.now - ringStartOf(offer),
        waitMs: s.now - (c.queuedAt ?? s.now),
      });
      const agent: ConnectedAgent = {
        attempt: offer.attempt,
        agentId: offer.agentId,
        agentNumber: offer.agentNumber,
        channelId: offer.channelId,
        answeredAt: s.now,
      };
      const media = [...digitMedia(s.settings, offer.agentNumber), promptMedia(s.settings, 'agent-id-suffix')];
      const playbackId = s.play(media);
      // The agent hears the announcement too: seconds of silence after answering sound like a dead call.
      s.effect({ type: 'Play', channelId: offer.channelId, playbackId: agentAnnouncementId(c.callId, offer.attempt), media });
      return { type: 'connecting', agent, playbackId };
    }
    case 'AgentRinging': {
      if (i.attempt !== offer.attempt) return ignore('stale attempt');
      if (offer.ringingAt !== undefined) return ignore('already ringing');
      // Asterisk's time of the 180 when it is plausible on our clock (between the offer and now),
      // else the moment we heard of it; the limit restarts from there.
      const ringing: OfferedAgent = { ...offer, ringingAt: Math.min(s.now, Math.max(offer.offeredAt, i.at ?? s.now)) };
      s.startTimer('ring', ringDeadlineOf(ringing, s.settings), String(offer.attempt), { type: 'RingTimeout', attempt: offer.attempt });
      return { type: 'ringing', offer: ringing };
    }
    case 'RingTimeout':
      if (i.attempt !== offer.attempt) return ignore('stale attempt');
      return missed(s, st, 'no-answer');
    case 'AgentLegFailed': {
      if (i.attempt !== offer.attempt) return ignore('stale attempt');
      // Asterisk ends the leg itself at the limit (its dial timeout), also when our timer runs late.
      // Whether the limit had passed is judged on our clock (Asterisk's may differ a little).
      const endedAt = Math.min(s.now, i.at ?? s.now);
      const lapsed = s.now >= offer.offeredAt + s.settings.ringTimeoutMs;
      if (i.cause === 'no-answer') return missed(s, st, lapsed ? 'no-answer' : 'rejected', endedAt);
      return missed(s, st, i.cause, endedAt);
    }
    case 'AgentHungUp':
      // The leg ended with no answer seen: the phone refused the call.
      if (i.attempt !== offer.attempt) return ignore('stale attempt');
      return missed(s, st, 'rejected' satisfies AgentLegFailure);
    case 'MaxWaitTimeout':
      if (i.token !== c.maxWaitToken) return ignore('stale token');
      // Let this ring run; if it fails the caller gets the overflow prompt instead of the queue.
      c.maxWaitToken = null;
      c.maxWaitExpired = true;
      return st;
    default:
      return ignore('not accepted while an agent rings');
  }
}

/** Stops what the caller hears while an agent's phone rings. */
function callerToneOff(s: Step): CallEffect {
  const channelId = s.core.callerChannelId;
  return s.settings.ringingTone === 'ringback' ? { type: 'StopRingback', channelId } : { type: 'StopMoh', channelId };
}

/** `endedAt`: when the ring stopped, if before now (Asterisk ended the leg before we heard of it). */
function missed(s: Step, st: Extract<CallState, { type: 'ringing' }>, outcome: RingMissOutcome, endedAt = s.now): Outcome {
  const offer = st.offer;
  const ringMs = Math.max(0, endedAt - ringStartOf(offer));
  s.effect({ type: 'CancelTimer', name: 'ring' });
  s.effect({ type: 'HangupAgentLeg', channelId: offer.channelId, attempt: offer.attempt });
  s.effect({ type: 'ReleaseAgent', agentId: offer.agentId, attempt: offer.attempt, outcome, ringMs });
  s.emit({ type: 'AgentRingMissed', attempt: offer.attempt, agentId: offer.agentId, outcome, ringMs });
  if (s.settings.ringingTone === 'ringback') s.effect({ type: 'StopRingback', channelId: s.core.callerChannelId });
  if (s.core.maxWaitExpired) return overflow(s, st, 'max-wait');
  // Phones that refuse at once would otherwise keep the caller in a loop of refusals: after the
  // bound the call is treated as having no agent.
  s.core.refusedInARow = outcome === 'no-answer' ? 0 : s.core.refusedInARow + 1;
  const bound = s.settings.maxRefusedRings;
  if (bound > 0 && s.core.refusedInARow >= bound) return overflow(s, st, 'no-agents');
  return enterQueue(s, true);
}

function overflow(s: Step, st: CallState, reason: OverflowReason): Outcome {
  const c = s.core;
  if (c.maxWaitToken) s.effect({ type: 'CancelTimer', name: 'maxWait' });
  c.maxWaitToken = null;
  if (st.type === 'queued') {
    if (st.announcePlaybackId) s.stopPlayback(st.announcePlaybackId);
    if (st.announceToken) s.effect({ type: 'CancelTimer', name: 'announce' });
  }
  // After a ring with a ringing tone, `missed` has stopped that tone and there is no music.
  if (st.type === 'queued' || s.settings.ringingTone === 'moh') s.effect({ type: 'StopMoh', channelId: c.callerChannelId });
  s.effect({ type: 'CancelAgentRequest', queueId: c.queueId, reason: 'overflow' });
  s.emit({
    type: 'CallOverflowed',
    reason,
    queueId: c.queueId,
    position: s.ctx.queuePosition,
    waitMs: s.now - (c.queuedAt ?? s.now),
  });
  return { type: 'overflow', reason, playbackId: s.play([promptMedia(s.settings, 'overflow')]), token: null };
}

export function inOverflow(s: Step, st: Extract<CallState, { type: 'overflow' }>, i: CallInput): Outcome {
  const cb = s.settings.callback;
  switch (i.type) {
    case 'Dtmf': {
      if (!cb.enabled || i.digit !== cb.digit) return ignore('not the callback key');
      if (st.playbackId) s.stopPlayback(st.playbackId);
      if (st.token) s.effect({ type: 'CancelTimer', name: 'callback' });
      const c = s.core;
      s.effect({
        type: 'PersistCallbackRequest',
        request: { callId: c.callId, callerNumber: c.callerNumber, calledNumber: c.calledNumber, queueId: c.queueId, requestedAt: s.now },
      });
      s.emit({ type: 'CallbackRequested', callerNumber: c.callerNumber, queueId: c.queueId });
      return closing(s, [promptMedia(s.settings, 'callback-recorded')], 'callback-requested');
    }
    case 'PlaybackFinished': {
      if (i.playbackId !== st.playbackId) return ignore('stale playback');
      s.playbackDone();
      if (!cb.enabled) return closing(s, [promptMedia(s.settings, 'goodbye')], 'overflow');
      const token = s.token('callback');
      s.startTimer('callback', s.now + cb.waitMs, token, { type: 'CallbackDigitTimeout', token });
      return { ...st, playbackId: null, token };
    }
    case 'CallbackDigitTimeout':
      if (i.token !== st.token) return ignore('stale token');
      return closing(s, [promptMedia(s.settings, 'goodbye')], 'overflow');
    default:
      return ignore('not accepted in overflow');
  }
}
