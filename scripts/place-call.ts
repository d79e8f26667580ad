/**
 * Places one test call into the running lab with sipp (needs root for keypad digits), or stands in
 * for an agent's phone. With the defaults the two make one complete call: the phone answers after
 * 1 s and hangs up 8 s later (about 3 s of conversation after the 工号 announcement); the caller presses 1 once the rating prompt has played (its time is
 * worked out from the lab's prompt lengths) and the application says thanks and hangs up.
 *
 *   npx tsx scripts/place-call.ts --agent 1001 [--answer-after-ms 1000] [--agent-hangup-after-ms 8000]
 *   npx tsx scripts/place-call.ts --agent 1001 --never-answer      (rings until cancelled)
 *   npx tsx scripts/place-call.ts --agent 1001 --busy              (answers 486 Busy Here)
 *   npx tsx scripts/place-call.ts [--from 13800138000] [--to 12345] [--digit 1|none] [--digit-after-ms N]
 *                                 [--second-digit D [--second-digit-after-ms N]] [--hangup-after-ms N]
 *                                 [--agent-answer-after-ms 1000] [--agent-hangup-after-ms 8000]
 *
 * The caller's digit times assume a Ready agent whose phone uses the same --agent-answer-after-ms and
 * --agent-hangup-after-ms. A second digit follows the re-prompt an invalid first digit gets. The
 * caller hangs up by itself a few seconds after its last digit if the application has not (so no
 * call is ever left up). Prompts are read from PROMPTS_DIR (default .lab/prompts/hotline).
 */
import fs from 'node:fs';
import path from 'node:path';
import { agentPortFor, placeCall, startAgentPhone } from '../test/support/sipp';

const PROMPTS_DIR = process.env['PROMPTS_DIR'] ?? path.resolve(__dirname, '..', '.lab', 'prompts', 'hotline');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);
function num(name: string): number | undefined {
  const v = arg(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number of ms, not '${v}'`);
  return n;
}

/** Length of a lab prompt (PCM WAV) in ms. */
export function promptMs(name: string, dir = PROMPTS_DIR): number {
  const buf = fs.readFileSync(path.join(dir, `${name}.wav`));
  const byteRate = buf.readUInt32LE(28);
  for (let at = 12; at + 8 <= buf.length; ) {
    const id = buf.toString('ascii', at, at + 4);
    const size = buf.readUInt32LE(at + 4);
    if (id === 'data') return Math.round((Math.min(size, buf.length - at - 8) / byteRate) * 1000);
    at += 8 + size + (size % 2);
  }
  throw new Error(`${name}.wav has no data chunk`);
}

export interface CallerTimes {
  digitAfterMs: number;
  secondDigitAfterMs: number;
  hangupAfterMs: number;
}

/**
 * When the caller presses its digit(s) and gives up, counted from the answer: greeting, the phone's
 * ring, then the agent's time on the call (it counts from its answer and includes the 工号
 * announcement, four digits), the rating prompt, plus a second of slack at each step that waits on
 * the network. The digit falls in the rating's 8-s window after the prompt.
 */
export function callerTimes(o: { agentAnswerAfterMs: number; agentHangupAfterMs: number }, ms = promptMs): CallerTimes {
  const slack = 1000;
  const longestDigit = Math.max(...Array.from({ length: 10 }, (_, d) => ms(`digit-${d}`)));
  const announcement = 4 * longestDigit + ms('agent-id-suffix');
  const ratingAsked = ms('greeting') + slack + o.agentAnswerAfterMs + slack + Math.max(announcement, o.agentHangupAfterMs);
  const digitAfterMs = ratingAsked + ms('rating-2') + slack;
  const secondDigitAfterMs = digitAfterMs + ms('rating-invalid') + ms('rating-2') + slack;
  return { digitAfterMs, secondDigitAfterMs, hangupAfterMs: secondDigitAfterMs + ms('thanks') + 5 * slack };
}

async function agentPhone(agent: string): Promise<void> {
  const answer = flag('never-answer') ? 'never' : flag('busy') ? 'busy' : (num('answer-after-ms') ?? 1000);
  const phone = await startAgentPhone({
    endpointPort: agentPortFor(Number(agent)),
    answerAfterMs: answer,
    ...(typeof answer === 'number' ? { hangupAfterMs: num('agent-hangup-after-ms') ?? 8000 } : {}),
  });
  const how = answer === 'never' ? 'never answers' : answer === 'busy' ? 'answers 486 Busy Here' : `answers after ${answer} ms`;
  console.log(`agent ${agent}'s phone on 127.0.0.1:${phone.endpointPort} ${how}; Ctrl-C to stop`);
  process.on('SIGINT', () => void phone.stop().then(() => process.exit(0)));
  process.on('SIGTERM', () => void phone.stop().then(() => process.exit(0)));
  await phone.exited;
}

async function caller(): Promise<void> {
  const times = callerTimes({ agentAnswerAfterMs: num('agent-answer-after-ms') ?? 1000, agentHangupAfterMs: num('agent-hangup-after-ms') ?? 8000 });
  const digit = arg('digit') ?? '1';
  const second = arg('second-digit');
  const digitAfterMs = num('digit-after-ms') ?? times.digitAfterMs;
  const secondAfterMs = num('second-digit-after-ms') ?? Math.max(times.secondDigitAfterMs, digitAfterMs + 400);
  const hangupAfterMs = num('hangup-after-ms') ?? Math.max(times.hangupAfterMs, (second ? secondAfterMs : digitAfterMs) + 400);
  const digits =
    digit === 'none'
      ? {}
      : { dtmfDigit: digit, dtmfAfterMs: digitAfterMs, ...(second === undefined ? {} : { dtmf2Digit: second, dtmf2AfterMs: secondAfterMs }) };
  console.log(
    `calling ${arg('to') ?? '12345'}: ${digit === 'none' ? 'no digit' : `digit ${digit} at ${digitAfterMs} ms`}` +
      `${second === undefined ? '' : `, ${second} at ${secondAfterMs} ms`}, hanging up at ${hangupAfterMs} ms unless the hotline does first`,
  );
  const result = await placeCall({
    callerNumber: arg('from') ?? '13800138000',
    to: arg('to') ?? '12345',
    ...digits,
    hangupAfterMs,
    timeoutMs: hangupAfterMs + 30_000,
  });
  console.log(`call ${result.success ? 'completed' : 'failed'} in ${result.durationMs} ms (sipp exit ${result.exitCode})`);
  if (!result.success) process.exitCode = 1;
}

if (require.main === module) {
  const agent = arg('agent');
  (agent ? agentPhone(agent) : caller()).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
