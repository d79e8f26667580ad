/**
 * The call machine before the queue: answering, greeting and the optional keypad menu.
 */
import type { CallInput } from './call.inputs';
import type { CallState } from './call.state';
import { ignore, type Outcome, type Step } from './call.step';
import { enterQueue } from './call.queue';

export function answered(s: Step): Outcome {
  s.emit({ type: 'CallAnswered' });
  // A citizen handed over from the survey (pressed 0) already heard us: straight to the agent queue.
  if (s.core.surveyOrder) return enterQueue(s, false);
  if (s.settings.greeting.length === 0) return afterGreeting(s);
  return { type: 'greeting', playbackId: s.play(s.settings.greeting) };
}

function afterGreeting(s: Step): Outcome {
  s.emit({ type: 'GreetingFinished' });
  if (!s.settings.menu.enabled) return enterQueue(s, false);
  return { type: 'menu', playbackId: s.play(s.settings.menu.prompt), token: null, invalid: 0 };
}

export function inGreeting(s: Step, st: Extract<CallState, { type: 'greeting' }>, i: CallInput): Outcome {
  if (i.type === 'PlaybackFinished' && i.playbackId === st.playbackId) {
    s.playbackDone();
    return afterGreeting(s);
  }
  if (i.type === 'Dtmf' && s.settings.menu.enabled) {
    // With a menu, a key pressed during the greeting is the menu choice.
    s.stopPlayback(st.playbackId);
    s.emit({ type: 'GreetingFinished' });
    return menuDigit(s, i.digit, 0);
  }
  return ignore(i.type === 'Dtmf' ? 'no menu' : 'not accepted while greeting');
}

export function inMenu(s: Step, st: Extract<CallState, { type: 'menu' }>, i: CallInput): Outcome {
  switch (i.type) {
    case 'PlaybackFinished': {
      if (i.playbackId !== st.playbackId) return ignore('stale playback');
      s.playbackDone();
      const token = s.token('menu');
      s.startTimer('menu', s.now + s.settings.menu.timeoutMs, token, { type: 'MenuTimeout', token });
      return { type: 'menu', playbackId: null, token, invalid: st.invalid };
    }
    case 'Dtmf':
      if (st.playbackId) s.stopPlayback(st.playbackId);
      if (st.token) s.effect({ type: 'CancelTimer', name: 'menu' });
      return menuDigit(s, i.digit, st.invalid);
    case 'MenuTimeout':
      if (i.token !== st.token) return ignore('stale token');
      s.emit({ type: 'MenuTimedOut', queueId: s.core.queueId });
      return enterQueue(s, false);
    default:
      return ignore('not accepted in the menu');
  }
}

/** A digit in the menu, after any prompt and timer were stopped. */
function menuDigit(s: Step, digit: string, invalid: number): Outcome {
  const queueId = s.settings.menu.options[digit];
  if (queueId !== undefined) {
    s.core.queueId = queueId;
    s.emit({ type: 'MenuChoiceMade', digit, queueId });
    return enterQueue(s, false);
  }
  s.emit({ type: 'MenuDigitInvalid', digit });
  if (invalid < s.settings.menu.maxInvalid) {
    return { type: 'menu', playbackId: s.play(s.settings.menu.prompt), token: null, invalid: invalid + 1 };
  }
  return enterQueue(s, false);
}
