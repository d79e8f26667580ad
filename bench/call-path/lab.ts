/**
 * The benchmark's Asterisk: scripts/asterisk-lab.sh with the RTP range, HTTP session limit and
 * agent endpoints sized for the rate, and (by default) short prompts so calls last only as long
 * as the measurement needs.
 *
 * Short prompts are installed into the chroot's sound directory, which every Asterisk run from
 * that chroot shares. So they go only into a private copy of the lab chroot
 * (BENCH_HOTLINE_CACHE), never into the shared one other work trees and test runs use.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseLabEnv } from '../../test/support/asterisk';
import { wav8k } from '../../test/support/wav';

const ROOT = resolve(__dirname, '..', '..');
const LAB_SCRIPT = join(ROOT, 'scripts', 'asterisk-lab.sh');
const DEFAULT_SHARED_CACHE = '/var/cache/hotline12345';

export interface LabEndpoint {
  ariUrl: string;
  ariUsername: string;
  ariPassword: string;
  ariApp: string;
  sipHost: string;
  sipPort: number;
  asteriskPid: number | null;
}

export interface LabOptions {
  /** 'short': bench prompts in a private chroot; 'lab': the lab's own prompts, chroot as configured. */
  prompts: 'short' | 'lab';
  /** Private chroot cache for short prompts. */
  privateCache: string;
  rtpStart: number;
  rtpEnd: number;
  httpSessionLimit: number;
  agentFirst: number;
  agentCount: number;
  /** Where the bench keeps its own files (prompts, sipp work dir). */
  workDir: string;
  log: (line: string) => void;
}

/** Durations (ms) of the short prompts: a greeting, 工号 digits, the rating prompt, thanks … */
export const SHORT_PROMPT_MS: Record<string, number> = {
  greeting: 500,
  'agent-id-suffix': 300,
  'rating-2': 500,
  'rating-5': 500,
  'rating-invalid': 300,
  thanks: 300,
  'queue-hold': 500,
  'position-prefix': 300,
  'position-suffix': 300,
  overflow: 500,
  'callback-recorded': 300,
  goodbye: 300,
  busy: 300,
  'number-10': 100,
  'number-100': 100,
};
for (let d = 0; d <= 9; d += 1) SHORT_PROMPT_MS[`digit-${d}`] = 100;

function run(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((done, fail) => {
    execFile(LAB_SCRIPT, args, { cwd: ROOT, env, timeout: timeoutMs, maxBuffer: 8 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) fail(new Error(`asterisk-lab.sh ${args.join(' ')} failed: ${err.message}\n${stderr.slice(-3000)}`));
      else done(stdout);
    });
  });
}

function sh(cmd: string, timeoutMs: number): Promise<void> {
  return new Promise((done, fail) => {
    execFile('bash', ['-c', cmd], { timeout: timeoutMs, maxBuffer: 8 * 1024 * 1024 }, (err, _out, stderr) => {
      if (err) fail(new Error(`${cmd}: ${err.message}\n${stderr.slice(-2000)}`));
      else done();
    });
  });
}

/** 8 kHz 16-bit mono WAV of a soft tone (what Asterisk plays as sound:hotline/<name>). */
function toneWav(ms: number, hz: number): Buffer {
  const samples = Math.round((8000 * ms) / 1000);
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i += 1) data.writeInt16LE(Math.round(6000 * Math.sin((2 * Math.PI * hz * i) / 8000)), i * 2);
  return wav8k(data);
}

/**
 * Seconds a call lasts, given each prompt's length: greeting, ring, 工号 (four digits and the suffix),
 * talk, rating prompt and its timeout (no digit is sent), thanks.
 */
export function callSeconds(promptMs: (name: string) => number, t: { answerMs: number; talkMs: number; ratingTimeoutMs: number }): number {
  return (
    promptMs('greeting') + t.answerMs + 4 * promptMs('digit-1') + promptMs('agent-id-suffix') + t.talkMs + promptMs('rating-2') + t.ratingTimeoutMs + promptMs('thanks')
  ) / 1000;
}

export function writeShortPrompts(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, ms] of Object.entries(SHORT_PROMPT_MS)) {
    const file = join(dir, `${name}.wav`);
    const wav = toneWav(ms, name.startsWith('digit-') ? 620 : 440);
    if (!existsSync(file) || !readFileSync(file).equals(wav)) writeFileSync(file, wav);
  }
}

/** The caller's and agents' audio for sipp's rtp_stream: 1 s of a tone, 8 kHz u-law WAV. */
export function writeSippAudio(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'caller-audio.wav');
  if (existsSync(file)) return file;
  const samples = 8000;
  const data = Buffer.alloc(samples);
  for (let i = 0; i < samples; i += 1) data[i] = linearToUlaw(Math.round(5000 * Math.sin((2 * Math.PI * 300 * i) / 8000)));
  writeFileSync(file, wav8k(data, 'ulaw'));
  return file;
}

function linearToUlaw(sample: number): number {
  const sign = sample < 0 ? 0x80 : 0;
  let s = Math.min(Math.abs(sample), 32635) + 0x84;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent -= 1;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  s = ~(sign | (exponent << 4) | mantissa) & 0xff;
  return s;
}

/** A private copy of the lab chroot (a tar of the shared one, or a fresh debootstrap). */
async function ensurePrivateChroot(cache: string, env: NodeJS.ProcessEnv, log: (l: string) => void): Promise<void> {
  const target = join(cache, 'asterisk-sid');
  if (existsSync(join(target, '.hotline-chroot-complete'))) return;
  const shared = join(env['HOTLINE_CACHE'] ?? DEFAULT_SHARED_CACHE, 'asterisk-sid');
  if (resolve(shared) === resolve(target)) throw new Error('BENCH_HOTLINE_CACHE must differ from the shared HOTLINE_CACHE');
  if (existsSync(join(shared, '.hotline-chroot-complete'))) {
    log(`copying the lab chroot ${shared} to ${target} (private: the bench's short prompts go there)`);
    mkdirSync(target, { recursive: true });
    // Mounted /proc, /dev and the run dirs of running labs are left out.
    await sh(
      `cd ${JSON.stringify(shared)} && tar --one-file-system -cf - --exclude=./proc --exclude=./dev --exclude='./srv/hotline/*' . | tar -xf - -C ${JSON.stringify(target)} && mkdir -p ${JSON.stringify(join(target, 'proc'))} ${JSON.stringify(join(target, 'dev'))}`,
      15 * 60_000,
    );
    return;
  }
  log(`building a private lab chroot in ${cache}`);
  await run(['build'], { ...env, HOTLINE_CACHE: cache }, 20 * 60_000);
}

function parseEnv(stdout: string): LabEndpoint {
  const { pid, ...where } = parseLabEnv(stdout);
  return { ...where, asteriskPid: pid };
}

export interface Lab {
  endpoint: LabEndpoint;
  /** Whether this run started Asterisk (and so stops it at the end). */
  startedHere: boolean;
  stop(): Promise<void>;
}

/** Starts (or reuses, when its rendered config is the same) the lab Asterisk sized for the bench. */
export async function startLab(o: LabOptions): Promise<Lab> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    RTP_START: String(o.rtpStart),
    RTP_END: String(o.rtpEnd),
    HTTP_SESSION_LIMIT: String(o.httpSessionLimit),
    AGENT_FIRST: String(o.agentFirst),
    AGENT_COUNT: String(o.agentCount),
  };
  if (o.prompts === 'short') {
    await ensurePrivateChroot(o.privateCache, process.env, o.log);
    const dir = join(o.workDir, 'prompts');
    writeShortPrompts(dir);
    env['HOTLINE_CACHE'] = o.privateCache;
    env['PROMPTS_DIR'] = dir;
  }
  const wasRunning = await run(['status'], env, 30_000).then(
    () => true,
    () => false,
  );
  const endpoint = parseEnv(await run(['start'], env, 5 * 60_000));
  return {
    endpoint,
    startedHere: !wasRunning,
    stop: async () => {
      await run(['stop'], env, 60_000);
    },
  };
}

/** CLI command on the bench's Asterisk (asterisk -rx). */
export function labCli(o: Pick<LabOptions, 'prompts' | 'privateCache'>, command: string): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (o.prompts === 'short') env['HOTLINE_CACHE'] = o.privateCache;
  return run(['cli', command], env, 30_000);
}
