/**
 * Runs the sipp scenarios of test/sipp/ as real SIP peers: a caller on the trunk and agents'
 * softphones. Every process is killed on stop() or when its time limit passes.
 *
 * Needs root when a DTMF digit is sent (sipp replays the RFC 2833 pcap through a raw socket).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { linearToUlaw } from './tones';

const ROOT = resolve(__dirname, '..', '..');
const SCENARIOS = join(ROOT, 'test', 'sipp');
/** sipp runs here: the scenarios name their audio file relative to the working directory. */
const SIPP_WORK_DIR = join(ROOT, '.lab', 'sipp');
const AUDIO_FILE = 'caller-audio.wav';
const SIPP_BIN = process.env.SIPP_BIN ?? 'sipp';

/** Lab scheme (asterisk-config/README.md): agent<N>'s static contact is 127.0.0.1:(6000 + N). */
export const AGENT_PORT_OFFSET = Number(process.env.AGENT_PORT_OFFSET ?? 6000);
export function agentPortFor(extension: number): number {
  return AGENT_PORT_OFFSET + extension;
}

export interface SippStats {
  successfulCalls: number;
  failedCalls: number;
  /** Calls that failed on an unexpected SIP message (e.g. a re-INVITE the scenario does not handle). */
  unexpectedMessages: number;
  timeoutsOnRecv: number;
  retransmissions: number;
  /** Average call length in ms (sipp's CallLength(C)). */
  callLengthMs: number;
  /** Every column of the last line of sipp's -trace_stat CSV, by name. */
  raw: Record<string, string>;
}

export interface SippResult {
  /** sipp's exit code: 0 all calls succeeded, 1 some failed, 99 no call processed; null if killed. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** True when sipp exited 0. */
  success: boolean;
  /** The process was killed because its time limit passed. */
  timedOut: boolean;
  durationMs: number;
  stats: SippStats | null;
  stdoutTail: string;
  stderrTail: string;
  /** sipp's -trace_err log (unexpected messages, aborted calls), last 4 KiB. */
  errorsTail: string;
  /** Status codes of the SIP responses sipp received, in order (only for runs that trace messages). */
  responses: number[];
}

export interface PlaceCallOptions {
  /** Dialed number (request URI user); default 12345. */
  to?: string;
  /** Caller number (From user); default 13800138000. */
  callerNumber?: string;
  /** One keypad digit sent as RFC 2833: '0'-'9', '*', '#'. */
  dtmfDigit?: string | number;
  /** ms after the answer when the digit is sent; required with dtmfDigit. */
  dtmfAfterMs?: number;
  /** A second digit, sent after the first (e.g. an invalid rating digit, then a valid one). */
  dtmf2Digit?: string | number;
  /** ms after the answer when the second digit is sent; at least dtmfAfterMs + 400. */
  dtmf2AfterMs?: number;
  /** ms after the answer when the caller hangs up; omitted = stay until the far end's BYE. */
  hangupAfterMs?: number;
  /** Kill sipp after this long (ms); default 120000. */
  timeoutMs?: number;
  /** Asterisk's SIP address; defaults 127.0.0.1 and $SIP_PORT or 5060. */
  host?: string;
  sipPort?: number;
  /**
   * The caller's audio is another's (a TonePhoneAudio bound to this port): the SDP names it and
   * sipp sends no audio. Not with a digit (sipp sends the digit's packets from its own port).
   */
  rtpPort?: number;
}

export interface RunningCall {
  /** The caller's SIP port (sipp -p). */
  localPort: number;
  /** The caller's RTP port (in its SDP). */
  mediaPort: number;
  result: Promise<SippResult>;
  /** Kills the caller (SIGTERM, then SIGKILL) without a BYE and resolves with its result. */
  stop(): Promise<SippResult>;
}

export interface AgentPhoneOptions {
  /** UDP port of the phone: agentPortFor(1001) for agent1001's static contact. */
  endpointPort: number;
  /**
   * ms of ringing before answering, 'never' (rings until CANCEL, answers 200 + 487) or 'busy'
   * (refuses every call with 486).
   */
  answerAfterMs: number | 'never' | 'busy';
  /** ms after answering when the agent hangs up; omitted = stay until the BYE. */
  hangupAfterMs?: number;
  /**
   * Exit after this many calls; default: serve calls until stop(). sipp counts every OPTIONS it
   * answers (-aa) as one of these calls and ignores all requests after the last, so a phone at an
   * agent's address, which Asterisk qualifies every AGENT_QUALIFY_SEC, would soon be reported
   * offline and offered nothing: only for a phone Asterisk does not qualify (the trunk contact).
   */
  maxCalls?: number;
  /** Kill sipp after this long (ms); default 600000. */
  timeoutMs?: number;
  host?: string;
  /** The phone's audio is another's (a TonePhoneAudio bound to this port): the SDP names it and sipp sends no audio. */
  rtpPort?: number;
}

export interface AgentPhone {
  endpointPort: number;
  mediaPort: number;
  /** Resolves when sipp exits (maxCalls reached, stop(), or time limit). */
  exited: Promise<SippResult>;
  /** Stops the phone (SIGTERM, then SIGKILL) and resolves with its result. */
  stop(): Promise<SippResult>;
  /** Kills the phone at once (SIGKILL): no BYE, no more audio, as a phone that lost power. */
  crash(): Promise<SippResult>;
}

const DIGITS: Record<string, number> = { '*': 10, '#': 11 };
for (let d = 0; d <= 9; d += 1) DIGITS[String(d)] = d;

const running = new Set<ChildProcess>();

/** Kills every sipp this module started (for afterAll / global teardown). */
export async function stopAllSipp(): Promise<void> {
  await Promise.all([...running].map((child) => killChild(child)));
}

/** Places one call (one sipp process) and resolves when it ends. */
export async function placeCall(opts: PlaceCallOptions = {}): Promise<SippResult> {
  const call = await startCall(opts);
  return call.result;
}

/** Starts one call and returns at once; `result` resolves when it ends. */
export async function startCall(opts: PlaceCallOptions = {}): Promise<RunningCall> {
  const digit = opts.dtmfDigit === undefined ? -1 : DIGITS[String(opts.dtmfDigit)];
  if (digit === undefined) throw new Error(`placeCall: dtmfDigit '${String(opts.dtmfDigit)}' is not 0-9, * or #`);
  if (digit >= 0 && opts.dtmfAfterMs === undefined) throw new Error('placeCall: dtmfDigit needs dtmfAfterMs');
  const dtmfMs = digit >= 0 ? (opts.dtmfAfterMs ?? 0) : 0;
  const digit2 = opts.dtmf2Digit === undefined ? -1 : DIGITS[String(opts.dtmf2Digit)];
  if (digit2 === undefined) throw new Error(`placeCall: dtmf2Digit '${String(opts.dtmf2Digit)}' is not 0-9, * or #`);
  if (digit2 >= 0 && digit < 0) throw new Error('placeCall: dtmf2Digit needs dtmfDigit');
  if (digit2 >= 0 && (opts.dtmf2AfterMs === undefined || opts.dtmf2AfterMs < dtmfMs + 400)) {
    throw new Error('placeCall: dtmf2Digit needs dtmf2AfterMs of at least dtmfAfterMs + 400 (a digit takes ~250 ms)');
  }
  const dtmf2Ms = digit2 >= 0 ? (opts.dtmf2AfterMs ?? 0) : 0;
  const lastDigitMs = digit2 >= 0 ? dtmf2Ms : dtmfMs;
  if (opts.hangupAfterMs !== undefined && opts.hangupAfterMs >= 0 && digit >= 0 && opts.hangupAfterMs < lastDigitMs + 400) {
    throw new Error('placeCall: hangupAfterMs must be at least the last digit\'s time + 400 (a digit takes ~250 ms)');
  }
  if (digit >= 0 && typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error('placeCall: sending a DTMF digit needs root (sipp replays the pcap through a raw socket)');
  }
  if (digit >= 0 && opts.rtpPort !== undefined) throw new Error('placeCall: a digit is sent from sipp\'s own media port, not with rtpPort');
  const host = opts.host ?? '127.0.0.1';
  const sipPort = opts.sipPort ?? Number(process.env.SIP_PORT ?? 5060);
  const localPort = await allocateUdpPort(1);
  const mediaPort = await allocateUdpPort(2);
  const scenario = opts.rtpPort === undefined ? null : withOwnMedia(join(SCENARIOS, 'uac-caller.xml'), opts.rtpPort);
  const args = [
    '-sf', scenario?.file ?? join(SCENARIOS, 'uac-caller.xml'),
    `${host}:${sipPort}`,
    '-s', opts.to ?? '12345',
    '-i', '127.0.0.1',
    '-p', String(localPort),
    '-mp', String(mediaPort),
    '-m', '1',
    '-set', 'caller', opts.callerNumber ?? '13800138000',
    '-set', 'dtmf_digit', String(digit),
    '-set', 'dtmf_ms', String(dtmfMs),
    '-set', 'dtmf2_digit', String(digit2),
    '-set', 'dtmf2_ms', String(dtmf2Ms),
    '-set', 'hangup_ms', String(opts.hangupAfterMs ?? -1),
  ];
  const run = runSipp(args, opts.timeoutMs ?? 120_000);
  if (scenario) void run.result.finally(scenario.remove);
  return { localPort, mediaPort, result: run.result, stop: run.stop };
}

/** Starts a sipp UAS standing in for an agent's softphone; resolves once it listens. */
export async function startAgentPhone(opts: AgentPhoneOptions): Promise<AgentPhone> {
  const never = opts.answerAfterMs === 'never';
  const busy = opts.answerAfterMs === 'busy';
  if (!(await udpPortFree(opts.endpointPort))) {
    throw new Error(`startAgentPhone: UDP port ${opts.endpointPort} is already in use (another phone still running?)`);
  }
  if (opts.maxCalls !== undefined && opts.endpointPort !== TRUNK_CONTACT_PORT) {
    throw new Error('startAgentPhone: maxCalls would stop the phone answering qualify (OPTIONS count as calls in sipp); stop() it instead');
  }
  if (opts.rtpPort !== undefined && (never || busy)) throw new Error('startAgentPhone: rtpPort is for a phone that answers');
  const mediaPort = await allocateUdpPort(2);
  const scenario = opts.rtpPort === undefined ? null : withOwnMedia(join(SCENARIOS, 'uas-agent.xml'), opts.rtpPort);
  const args = [
    '-sf', scenario?.file ?? join(SCENARIOS, never ? 'uas-agent-never-answer.xml' : busy ? 'uas-agent-busy.xml' : 'uas-agent.xml'),
    '-i', opts.host ?? '127.0.0.1',
    '-p', String(opts.endpointPort),
    '-mp', String(mediaPort),
    // Answers Asterisk's OPTIONS (qualify) 200 OK, as a real phone does: the phone is reachable.
    '-aa',
  ];
  if (!never && !busy) {
    args.push('-set', 'answer_ms', String(opts.answerAfterMs), '-set', 'hangup_ms', String(opts.hangupAfterMs ?? -1));
  }
  if (opts.maxCalls !== undefined) args.push('-m', String(opts.maxCalls));
  const run = runSipp(args, opts.timeoutMs ?? 600_000);
  if (scenario) void run.result.finally(scenario.remove);
  await waitForUdpListener(opts.endpointPort, run.result);
  return { endpointPort: opts.endpointPort, mediaPort, exited: run.result, stop: run.stop, crash: run.crash };
}

/**
 * `file` with its audio left to another process: the SDP's m= line names `rtpPort` (where a
 * TonePhoneAudio sends and listens) and sipp streams no file. Written to a temporary directory,
 * removed by `remove`.
 */
function withOwnMedia(file: string, rtpPort: number): { file: string; remove: () => void } {
  const text = readFileSync(file, 'utf8');
  const mLine = /^(\s*m=audio )\[(?:rtpstream_audio_port|media_port)\]/m;
  const stream = /^\s*<exec rtp_stream="caller-audio\.wav,-1,0" \/>\n/m;
  if (!mLine.test(text) || !stream.test(text)) throw new Error(`withOwnMedia: ${file} is not as expected`);
  const own = text
    .replace(mLine, `$1${rtpPort}`)
    .replace(/^\s*a=x-rtpstream-port:.*\n/m, '')
    .replace(stream, '');
  const dir = mkdtempSync(join(tmpdir(), 'hotline-own-media-'));
  const out = join(dir, file.slice(file.lastIndexOf('/') + 1));
  writeFileSync(out, own);
  return { file: out, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The lab trunk's outbound target (TRUNK_CONTACT, scripts/render-asterisk-config.sh). */
export const TRUNK_CONTACT_PORT = AGENT_PORT_OFFSET + 999;

export interface CitizenPhoneOptions {
  /** answer: answers and sends `digits`; busy: 486 to every call; never: rings until cancelled. */
  mode: 'answer' | 'busy' | 'never';
  answerAfterMs?: number;
  /** Up to two keys, each with its time after the answer (ms). */
  digits?: ReadonlyArray<{ digit: string; atMs: number }>;
  /** ms after the answer when the citizen hangs up; omitted = waits for the survey's BYE. */
  hangupAfterMs?: number;
  /** Exit after this many calls (answer mode with digits: 1, see uas-citizen.xml). */
  maxCalls?: number;
  timeoutMs?: number;
}

/** A sipp UAS at TRUNK_CONTACT standing in for the phone the survey calls; resolves once it listens. */
export async function startCitizenPhone(opts: CitizenPhoneOptions): Promise<AgentPhone> {
  const port = TRUNK_CONTACT_PORT;
  if (!(await udpPortFree(port))) throw new Error(`startCitizenPhone: UDP port ${port} is already in use`);
  const mediaPort = await allocateUdpPort(2);
  const scenario = { answer: 'uas-citizen.xml', busy: 'uas-citizen-busy.xml', never: 'uas-agent-never-answer.xml' }[opts.mode];
  const args = ['-sf', join(SCENARIOS, scenario), '-i', '127.0.0.1', '-p', String(port), '-mp', String(mediaPort)];
  if (opts.mode === 'answer') {
    const [d1, d2] = opts.digits ?? [];
    const code = (d?: { digit: string }): number => {
      if (!d) return -1;
      const c = DIGITS[d.digit];
      if (c === undefined) throw new Error(`startCitizenPhone: '${d.digit}' is not 0-9, * or #`);
      return c;
    };
    if (d1 && d2 && d2.atMs < d1.atMs + 400) throw new Error('startCitizenPhone: the second digit needs at least 400 ms after the first');
    if (d1 && (opts.maxCalls ?? 1) > 1) throw new Error('startCitizenPhone: a phone that sends digits takes one call (uas-citizen.xml)');
    args.push(
      '-m', String(opts.maxCalls ?? 1),
      '-set', 'answer_ms', String(opts.answerAfterMs ?? 300),
      '-set', 'dtmf_digit', String(code(d1)), '-set', 'dtmf_ms', String(d1?.atMs ?? 0),
      '-set', 'dtmf2_digit', String(code(d2)), '-set', 'dtmf2_ms', String(d2?.atMs ?? 0),
      '-set', 'hangup_ms', String(opts.hangupAfterMs ?? -1),
    );
  } else if (opts.maxCalls !== undefined) {
    args.push('-m', String(opts.maxCalls));
  }
  const run = runSipp(args, opts.timeoutMs ?? 120_000);
  await waitForUdpListener(port, run.result);
  return { endpointPort: port, mediaPort, exited: run.result, stop: run.stop, crash: run.crash };
}

export interface EmergencyLineOptions {
  /** answer: answers, streams audio, then waits for the BYE or hangs up; busy: 486; never: rings until cancelled. */
  mode: 'answer' | 'busy' | 'never';
  /** answer mode: the INVITE must be for this number and show this caller number, else the call fails. */
  expectNumber?: string;
  expectCaller?: string;
  answerAfterMs?: number;
  /** ms after the answer when the line hangs up; omitted = waits for the BYE. */
  hangupAfterMs?: number;
  timeoutMs?: number;
}

/**
 * A sipp UAS at TRUNK_CONTACT standing in for an emergency line (110, …) an agent transfers a caller
 * to. In answer mode the scenario checks the dialled number and the caller number shown (From), and
 * fails the call when either is not the expected one.
 */
export async function startEmergencyLine(opts: EmergencyLineOptions): Promise<AgentPhone> {
  const port = TRUNK_CONTACT_PORT;
  if (!(await udpPortFree(port))) throw new Error(`startEmergencyLine: UDP port ${port} is already in use`);
  const mediaPort = await allocateUdpPort(2);
  let scenario = join(SCENARIOS, opts.mode === 'busy' ? 'uas-citizen-busy.xml' : 'uas-agent-never-answer.xml');
  const args: string[] = [];
  let tmp: string | null = null;
  if (opts.mode === 'answer') {
    const digits = /^[0-9+]+$/;
    if (!digits.test(opts.expectNumber ?? '') || !digits.test(opts.expectCaller ?? '')) throw new Error('startEmergencyLine: answer mode needs expectNumber and expectCaller (digits)');
    const text = readFileSync(join(SCENARIOS, 'uas-agent.xml'), 'utf8');
    const marker = '<recv request="INVITE" crlf="true" rrs="true">\n    <action>\n';
    if (!text.includes(marker)) throw new Error('startEmergencyLine: uas-agent.xml is not as expected');
    const checks = [
      `      <ereg regexp="^INVITE sip:${opts.expectNumber}@" search_in="msg" check_it="true" assign_to="dialled" />`,
      `      <ereg regexp="sip:${opts.expectCaller}@" search_in="hdr" header="From:" check_it="true" assign_to="shown" />`,
      '      <log message="dialled [$dialled] shown [$shown]" />',
    ].join('\n');
    tmp = mkdtempSync(join(tmpdir(), 'hotline-emergency-'));
    scenario = join(tmp, 'uas-emergency-line.xml');
    writeFileSync(scenario, text.replace(marker, `${marker}${checks}\n`));
    args.push('-m', '1', '-set', 'answer_ms', String(opts.answerAfterMs ?? 300), '-set', 'hangup_ms', String(opts.hangupAfterMs ?? -1));
  }
  const run = runSipp(['-sf', scenario, '-i', '127.0.0.1', '-p', String(port), '-mp', String(mediaPort), ...args], opts.timeoutMs ?? 120_000);
  if (tmp) {
    const dir = tmp;
    void run.result.finally(() => rmSync(dir, { recursive: true, force: true }));
  }
  await waitForUdpListener(port, run.result);
  return { endpointPort: port, mediaPort, exited: run.result, stop: run.stop, crash: run.crash };
}

export interface ProbeInviteOptions {
  /** Local address sipp sends from (any of 127.0.0.0/8 is this machine). */
  fromIp: string;
  /** From user: the identity the request claims (`trunk`, `agent1001`, anything). */
  fromUser: string;
  /** Caller number in a P-Asserted-Identity header; omitted = no such header. */
  assertedIdentity?: string;
  /** ms on the line after a 200 OK before the BYE; default 1000. */
  holdMs?: number;
  to?: string;
  host?: string;
  sipPort?: number;
  timeoutMs?: number;
}

/**
 * One INVITE (test/sipp/uac-probe.xml) from `fromIp` claiming `fromUser`: what does the SIP door
 * answer? `responses` lists every status code sipp received; a 200 is followed by ACK and BYE.
 */
export async function probeInvite(opts: ProbeInviteOptions): Promise<SippResult> {
  let scenario = join(SCENARIOS, 'uac-probe.xml');
  const tmp = mkdtempSync(join(tmpdir(), 'hotline-probe-'));
  if (opts.assertedIdentity === undefined) {
    // The same request without its P-Asserted-Identity line.
    const text = readFileSync(scenario, 'utf8');
    // sipp refuses a declared variable that nothing uses: `caller` goes with its header.
    const without = text.replace(/^\s*P-Asserted-Identity:.*\n/m, '').replace('variables="from_user,caller,hold_ms"', 'variables="from_user,hold_ms"');
    if (without.includes('P-Asserted-Identity:') || without.includes('caller,')) throw new Error('probeInvite: uac-probe.xml is not as expected');
    scenario = join(tmp, 'uac-probe-no-pai.xml');
    writeFileSync(scenario, without);
  }
  const args = [
    '-sf', scenario,
    `${opts.host ?? '127.0.0.1'}:${opts.sipPort ?? Number(process.env.SIP_PORT ?? 5060)}`,
    '-s', opts.to ?? '12345',
    '-i', opts.fromIp,
    '-p', String(await allocateUdpPort(1)),
    '-mp', String(await allocateUdpPort(2)),
    '-m', '1',
    '-set', 'from_user', opts.fromUser,
    ...(opts.assertedIdentity === undefined ? [] : ['-set', 'caller', opts.assertedIdentity]),
    '-set', 'hold_ms', String(opts.holdMs ?? 1000),
  ];
  try {
    return await runSipp(args, opts.timeoutMs ?? 30_000, { traceMessages: true }).result;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

export interface RegisterPhoneOptions {
  /** The agent's SIP user name (its PJSIP endpoint / AOR), e.g. agent1001. */
  username: string;
  secret: string;
  fromIp?: string;
  /** ms registered before unregistering; default 500. */
  holdMs?: number;
  host?: string;
  sipPort?: number;
  timeoutMs?: number;
}

/**
 * A phone registering as `username` with digest authentication (test/sipp/uac-register.xml), then
 * unregistering. `responses`: 401 then 200 (then 401, 200 to the unregistration) when the secret
 * is right; 401, 401 when it is wrong; 403 when the door refuses the address.
 */
export async function registerPhone(opts: RegisterPhoneOptions): Promise<SippResult> {
  const args = [
    '-sf', join(SCENARIOS, 'uac-register.xml'),
    `${opts.host ?? '127.0.0.1'}:${opts.sipPort ?? Number(process.env.SIP_PORT ?? 5060)}`,
    '-i', opts.fromIp ?? '127.0.0.1',
    '-p', String(await allocateUdpPort(1)),
    '-m', '1',
    '-au', opts.username,
    '-ap', opts.secret,
    '-set', 'user', opts.username,
    '-set', 'hold_ms', String(opts.holdMs ?? 500),
  ];
  return runSipp(args, opts.timeoutMs ?? 30_000, { traceMessages: true }).result;
}

/**
 * A softphone as an agent has it: registers as `username` with `secret` from the port it takes calls
 * on (Asterisk rewrites the Contact to the address it registered from), stays registered until
 * stop(), and answers calls and OPTIONS there (test/sipp/uac-phone.xml with uas-agent.xml as its
 * out-of-call scenario). `exited.responses` are the registration's response codes.
 */
export async function startRegisteredPhone(opts: { username: string; secret: string; answerAfterMs: number; hangupAfterMs?: number; fromIp?: string }): Promise<AgentPhone> {
  const endpointPort = await allocateUdpPort(1);
  const mediaPort = await allocateUdpPort(2);
  const args = [
    '-sf', join(SCENARIOS, 'uac-phone.xml'),
    '-oocsf', join(SCENARIOS, 'uas-agent.xml'),
    '-aa',
    `127.0.0.1:${Number(process.env.SIP_PORT ?? 5060)}`,
    '-i', opts.fromIp ?? '127.0.0.1',
    '-p', String(endpointPort),
    '-mp', String(mediaPort),
    '-m', '1',
    '-au', opts.username,
    '-ap', opts.secret,
    '-set', 'user', opts.username,
    '-set', 'hold_ms', '600000',
    '-set', 'answer_ms', String(opts.answerAfterMs),
    '-set', 'hangup_ms', String(opts.hangupAfterMs ?? -1),
  ];
  const run = runSipp(args, 600_000, { traceMessages: true });
  return { endpointPort, mediaPort, exited: run.result, stop: run.stop, crash: run.crash };
}

interface SippRun {
  result: Promise<SippResult>;
  stop(): Promise<SippResult>;
  crash(): Promise<SippResult>;
}

function runSipp(scenarioArgs: string[], timeoutMs: number, opts: { traceMessages?: boolean } = {}): SippRun {
  ensureAudioFile();
  const tmp = mkdtempSync(join(tmpdir(), 'hotline-sipp-'));
  const statFile = join(tmp, 'stat.csv');
  const errorFile = join(tmp, 'errors.log');
  const messageFile = join(tmp, 'messages.log');
  const args = [
    ...scenarioArgs,
    '-nostdin',
    '-trace_stat', '-stf', statFile, '-fd', '1',
    '-trace_err', '-error_file', errorFile,
    ...(opts.traceMessages ? ['-trace_msg', '-message_file', messageFile] : []),
  ];
  const started = Date.now();
  const child = spawn(SIPP_BIN, args, { cwd: SIPP_WORK_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const stdout = new Tail();
  const stderr = new Tail();
  child.stdout?.on('data', (b: Buffer) => stdout.push(b));
  child.stderr?.on('data', (b: Buffer) => stderr.push(b));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void killChild(child);
  }, timeoutMs);
  const result = new Promise<SippResult>((resolveResult) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error): void => {
      clearTimeout(timer);
      running.delete(child);
      const res: SippResult = {
        exitCode: code,
        signal,
        success: code === 0,
        timedOut,
        durationMs: Date.now() - started,
        stats: readStats(statFile),
        stdoutTail: stdout.text(),
        stderrTail: spawnError ? `${stderr.text()}\n${spawnError.message}` : stderr.text(),
        errorsTail: readTail(errorFile, 4096),
        responses: receivedResponses(messageFile),
      };
      rmSync(tmp, { recursive: true, force: true });
      resolveResult(res);
    };
    child.once('error', (err) => finish(null, null, err));
    child.once('exit', (code, signal) => finish(code, signal));
  });
  return {
    result,
    stop: async () => {
      await killChild(child);
      return result;
    },
    crash: () => {
      child.kill('SIGKILL');
      return result;
    },
  };
}

/** SIGTERM, then SIGKILL after 2 s; resolves when the process is gone. */
export function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const hard = setTimeout(() => child.kill('SIGKILL'), 2000);
    child.once('exit', () => {
      clearTimeout(hard);
      done();
    });
    child.kill('SIGTERM');
  });
}

/** The last row of a sipp `-trace_stat` CSV, by column name; null when there is none yet. */
export function readLastStatRow(file: string): Record<string, string> | null {
  if (!existsSync(file)) return null;
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]?.split(';');
  const last = lines.length > 1 ? lines[lines.length - 1]?.split(';') : undefined;
  if (!header || !last) return null;
  const raw: Record<string, string> = {};
  header.forEach((name, i) => {
    if (name !== '') raw[name] = last[i] ?? '';
  });
  return raw;
}

function readStats(file: string): SippStats | null {
  const raw = readLastStatRow(file);
  if (!raw) return null;
  const num = (key: string): number => Number(raw[key] ?? 0) || 0;
  return {
    successfulCalls: num('SuccessfulCall(C)'),
    failedCalls: num('FailedCall(C)'),
    unexpectedMessages: num('FailedUnexpectedMessage(C)'),
    timeoutsOnRecv: num('FailedTimeoutOnRecv(C)'),
    retransmissions: num('Retransmissions(C)'),
    callLengthMs: parseSippDuration(raw['CallLength(C)'] ?? ''),
    raw,
  };
}

/** "HH:MM:SS:uuuuuu" -> ms */
function parseSippDuration(value: string): number {
  const parts = value.split(':').map(Number);
  if (parts.length !== 4 || parts.some((p) => Number.isNaN(p))) return 0;
  const [h = 0, m = 0, s = 0, us = 0] = parts;
  return ((h * 60 + m) * 60 + s) * 1000 + Math.round(us / 1000);
}

/** Status codes of the responses in a sipp -trace_msg file ("UDP message received" blocks). */
function receivedResponses(file: string): number[] {
  if (!existsSync(file)) return [];
  const codes: number[] = [];
  for (const block of readFileSync(file, 'utf8').split(/^-{20,}.*$/m)) {
    if (!/message received/.test(block)) continue;
    const m = /^SIP\/2\.0 (\d{3}) /m.exec(block);
    if (m?.[1]) codes.push(Number(m[1]));
  }
  return codes;
}

function readTail(file: string, bytes: number): string {
  if (!existsSync(file)) return '';
  const text = readFileSync(file, 'utf8');
  return text.length > bytes ? text.slice(-bytes) : text;
}

class Tail {
  private buf = '';
  constructor(private readonly max = 8192) {}
  push(b: Buffer): void {
    this.buf += b.toString('utf8');
    if (this.buf.length > this.max * 2) this.buf = this.buf.slice(-this.max);
  }
  text(): string {
    return this.buf.slice(-this.max);
  }
}

/**
 * Ports for sipp: counted up from a per-process random start in 21000-39999 (above Asterisk's
 * default RTP range and the agents' 7001-7999), each checked free by binding it (and the next one,
 * RTCP or the RFC 2833 stream, when `span` is 2). An Asterisk RTP range moved into these ports
 * ($RTP_START-$RTP_END, as asterisk-lab.sh takes them) is skipped.
 */
const RTP_START = Number(process.env.RTP_START ?? 0);
const RTP_END = Number(process.env.RTP_END ?? 0);
let nextPort = 21000 + 2 * Math.floor(Math.random() * 8000);
export async function allocateUdpPort(span: 1 | 2): Promise<number> {
  for (let tries = 0; tries < 200; tries += 1) {
    if (nextPort > 39990) nextPort = 21000;
    if (nextPort + 1 >= RTP_START && nextPort <= RTP_END) nextPort = RTP_END + 2;
    if (nextPort > 39990) nextPort = 21000;
    const port = nextPort;
    nextPort += 4;
    const free = await Promise.all(Array.from({ length: span }, (_, i) => udpPortFree(port + i)));
    if (free.every(Boolean)) return port;
  }
  throw new Error('no free UDP port for sipp in 21000-39999');
}

function udpPortFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const sock = createSocket('udp4');
    sock.once('error', () => {
      sock.close();
      done(false);
    });
    sock.bind(port, '127.0.0.1', () => sock.close(() => done(true)));
  });
}

/** Waits until some process listens on the UDP port (Linux /proc/net/udp), or sipp exits. */
async function waitForUdpListener(port: number, exited: Promise<SippResult>): Promise<void> {
  let gone: SippResult | undefined;
  void exited.then((r) => {
    gone = r;
  });
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')} `;
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (gone) {
      throw new Error(`sipp exited before listening on ${port} (code ${String(gone.exitCode)}): ${gone.stderrTail}${gone.errorsTail}`);
    }
    const table = readFileSync('/proc/net/udp', 'utf8');
    if (table.split('\n').some((line) => line.trim().split(/\s+/)[1]?.endsWith(hex.trim()))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sipp did not listen on UDP ${port} within 5 s`);
}

/** The caller's audio: 5 s of two tones as 8 kHz G.711 u-law WAV, made once (no sox needed). */
function ensureAudioFile(): void {
  const file = join(SIPP_WORK_DIR, AUDIO_FILE);
  if (existsSync(file)) return;
  mkdirSync(SIPP_WORK_DIR, { recursive: true });
  const samples = 8000 * 5;
  const data = Buffer.alloc(samples);
  for (let i = 0; i < samples; i += 1) {
    const t = i / 8000;
    const v = 0.15 * Math.sin(2 * Math.PI * 300 * t) + 0.15 * Math.sin(2 * Math.PI * 500 * t);
    data[i] = linearToUlaw(Math.round(v * 32767));
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + samples, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(7, 20); // WAVE_FORMAT_MULAW
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(8000, 28);
  header.writeUInt16LE(1, 32);
  header.writeUInt16LE(8, 34);
  header.write('data', 36);
  header.writeUInt32LE(samples, 40);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, Buffer.concat([header, data]));
  // rename is atomic: parallel workers never read a half-written file.
  renameSync(tmp, file);
}
