/**
 * The call machine with an agent: the 工号 announcement, the bridged conversation, and the keypad
 * rating after the agent hangs up (one digit, one re-prompt on an invalid digit, not rated on timeout).
 */
import type { AgentId } from '../../shared/ids';
import { rateDigit } from '../rating/rating';
import { agentAnnouncementId, bridgeId, recordingName } from './call.ids';
import { promptMedia, PROMPT_PREFIX, type PromptName } from './call.settings';
import type { CallInput } from './call.inputs';
import type { CallState } from './call.state';
import { closing, ignore, type Outcome, type Step } from './call.step';

export function inConnecting(s: Step, st: Extract<CallState, { type: 'connecting' }>, i: CallInput): Outcome {
  const c = s.core;
  if (i.type === 'PlaybackFinished') {
    if (i.playbackId !== st.playbackId) return ignore('stale playback');
    s.playbackDone();
    // The agent's copy started a moment later: it must not run over the caller's first words.
    s.effect({ type: 'StopPlayback', playbackId: agentAnnouncementId(c.callId, st.agent.attempt) });
    const id = bridgeId(c.callId);
    c.bridgeId = id;
    s.effect({ type: 'Bridge', bridgeId: id, channelIds: [c.callerChannelId, st.agent.channelId] });
    s.emit({ type: 'CallBridged', bridgeId: id, agentChannelId: st.agent.channelId });
    if (s.settings.recordCalls) {
      const name = recordingName(c.callId, c.transfers);
      c.recordingName = name;
      s.effect({ type: 'StartRecording', bridgeId: id, name });
      s.emit({ type: 'RecordingStarted', name });
    }
    return { type: 'talking', agent: st.agent, bridgedAt: s.now };
  }
  // An answered leg's end can also come as a failed leg (a call taken over after a restart: the new
  // process never saw the answer): either way the agent is gone.
  if (i.type === 'AgentHungUp' || i.type === 'AgentLegFailed') {
    if (i.attempt !== st.agent.attempt) return ignore('stale attempt');
    s.stopPlayback(st.playbackId);
    return agentLeft(s, st.agent.agentId, st.agent.attempt, 0);
  }
  return ignore('not accepted while connecting');
}

export function inTalking(s: Step, st: Extract<CallState, { type: 'talking' }>, i: CallInput): Outcome {
  if (i.type === 'AgentHungUp' || i.type === 'AgentLegFailed') {
    if (i.attempt !== st.agent.attempt) return ignore('stale attempt');
    if (s.core.recordingName) s.effect({ type: 'StopRecording', name: s.core.recordingName });
    return agentLeft(s, st.agent.agentId, st.agent.attempt, s.now - st.bridgedAt);
  }
  // A key pressed before the rating prompt is not a rating.
  return ignore(i.type === 'Dtmf' ? 'digit before the rating prompt' : 'not accepted while talking');
}

/** The agent hung up first: the caller stays for the rating prompt. */
export function agentLeft(s: Step, agentId: AgentId, attempt: number, talkMs: number): Outcome {
  s.emit({ type: 'CallCompleted', agentId, endedBy: 'agent', talkMs });
  s.effect({ type: 'ReleaseAgent', agentId, attempt, outcome: 'completed', ringMs: null });
  const r = s.settings.rating;
  if (!r.enabled) return closing(s, [promptMedia(s.settings, 'thanks')], 'completed');
  s.emit({ type: 'RatingRequested', scale: r.scale.id, prompt: 1 });
  return { type: 'rating', playbackId: s.play([ratingPrompt(s)]), token: null, invalid: 0 };
}

export function ratingPrompt(s: Step): string {
  const name = s.settings.rating.scale.promptName;
  return name in s.settings.prompts ? s.settings.prompts[name as PromptName] : `${PROMPT_PREFIX}${name}`;
}

export function inRating(s: Step, st: Extract<CallState, { type: 'rating' }>, i: CallInput): Outcome {
  const r = s.settings.rating;
  switch (i.type) {
    case 'Dtmf': {
      if (st.playbackId) s.stopPlayback(st.playbackId);
      if (st.token) s.effect({ type: 'CancelTimer', name: 'rating' });
      const option = rateDigit(r.scale, i.digit);
      if (option) {
        s.emit({
          type: 'CallRated',
          scale: r.scale.id,
          digit: option.digit,
          value: option.value,
          code: option.code,
          label: option.label,
          satisfied: option.satisfied,
        });
        return closing(s, [promptMedia(s.settings, 'thanks')], 'completed');
      }
      s.emit({ type: 'RatingDigitInvalid', digit: i.digit });
      if (st.invalid < r.maxInvalid) {
        s.emit({ type: 'RatingRequested', scale: r.scale.id, prompt: st.invalid + 2 });
        const playbackId = s.play([promptMedia(s.settings, 'rating-invalid'), ratingPrompt(s)]);
        return { type: 'rating', playbackId, token: null, invalid: st.invalid + 1 };
      }
      s.emit({ type: 'RatingNotGiven', reason: 'invalid' });
      return closing(s, [promptMedia(s.settings, 'thanks')], 'completed');
    }
    case 'PlaybackFinished': {
      if (i.playbackId !== st.playbackId) return ignore('stale playback');
      s.playbackDone();
      const token = s.token('rating');
      s.startTimer('rating', s.now + r.timeoutMs, token, { type: 'RatingTimeout', token });
      return { ...st, playbackId: null, token };
    }
    case 'RatingTimeout':
      if (i.token !== st.token) return ignore('stale token');
      s.emit({ type: 'RatingNotGiven', reason: 'timeout' });
      return closing(s, [promptMedia(s.settings, 'thanks')], 'completed');
    default:
      return ignore('not accepted while rating');
  }
}
