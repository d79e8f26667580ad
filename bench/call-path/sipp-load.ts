/**
 * sipp as load generator and as the agents' phones, with the scenarios of test/sipp/:
 *  - callers: ONE uac-caller-load.xml process placing `calls` calls at `rate` calls/s (-r, -m), each
 *    from its own number, staying on the line until the application hangs up (no DTMF: see the
 *    bench header);
 *  - phones: uas-agent.xml (rings, answers after answerMs, hangs up after talkMs) or
 *    uas-agent-never-answer.xml (rings until CANCEL), each serving calls concurrently.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { killChild, readLastStatRow } from '../../test/support/sipp';

const SCENARIOS = resolve(__dirname, '..', '..', 'test', 'sipp');
const SIPP_BIN = process.env['SIPP_BIN'] ?? 'sipp';

export interface SippCounts {
  /** Calls sipp started (UAC) or received (UAS). */
  calls: number;
  successful: number;
  failed: number;
  retransmissions: number;
  /** The columns of the last -trace_stat line, by name. */
  raw: Record<string, string>;
}

export interface SippRun {
  readonly pid: number | undefined;
  readonly port: number;
  /** Resolves when sipp exits. */
  readonly result: Promise<SippResult>;
  /** SIGTERM (then SIGKILL after 2 s); resolves with the result. */
  stop(): Promise<SippResult>;
}

export interface SippResult {
  exitCode: number | null;
  counts: SippCounts | null;
  stderrTail: string;
  errorsTail: string;
}

/** Ports for the bench's sipp processes: counted up from BENCH_SIPP_PORT_BASE, each checked free. */
let nextPort = Number(process.env['BENCH_SIPP_PORT_BASE'] ?? 41000);
export async function freeUdpPort(span: 1 | 2): Promise<number> {
  for (let tries = 0; tries < 500; tries += 1) {
    const port = nextPort;
    nextPort += 4;
    const free = await Promise.all(Array.from({ length: span }, (_, i) => udpPortFree(port + i)));
    if (free.every(Boolean)) return port;
  }
  throw new Error('no free UDP port for sipp');
}

export function udpPortFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const sock = createSocket('udp4');
    sock.once('error', () => {
      sock.close();
      done(false);
    });
    sock.bind(port, '127.0.0.1', () => sock.close(() => done(true)));
  });
}

export interface CallersOptions {
  host: string;
  sipPort: number;
  rate: number;
  calls: number;
  /** Directory holding caller-audio.wav (rtp_stream reads it by relative name). */
  workDir: string;
  /** A call whose expected message does not come within this time fails (sipp -recv_timeout). */
  recvTimeoutMs: number;
  /** Kill sipp after this long. */
  deadlineMs: number;
}

/** Places `calls` calls at `rate` calls/s from one sipp process. */
export async function startCallers(o: CallersOptions): Promise<SippRun> {
  const port = await freeUdpPort(1);
  const media = await freeUdpPort(2);
  const args = [
    '-sf', join(SCENARIOS, 'uac-caller-load.xml'),
    `${o.host}:${o.sipPort}`,
    '-s', '12345',
    '-i', '127.0.0.1',
    '-p', String(port),
    '-mp', String(media),
    '-r', String(o.rate),
    '-rp', '1000',
    '-m', String(o.calls),
    // No cap on simultaneous calls below what the rate needs (sipp's default guesses from a call length).
    '-l', String(Math.max(100, Math.ceil(o.rate * 120))),
    '-recv_timeout', String(o.recvTimeoutMs),
    // Caller numbers 138000001, 138000002, …: one per call.
    '-set', 'caller_prefix', '1380000',
  ];
  return runSipp(args, port, o.workDir, o.deadlineMs);
}

export interface PhoneOptions {
  port: number;
  answer: 'never' | { answerMs: number; talkMs: number };
  workDir: string;
  deadlineMs: number;
}

/** An agent phone (or several agents' phones behind one port) until stop(). */
export async function startPhone(o: PhoneOptions): Promise<SippRun> {
  if (!(await udpPortFree(o.port))) throw new Error(`UDP port ${o.port} is in use: another phone or lab on it?`);
  const media = await freeUdpPort(2);
  const args = [
    '-sf', join(SCENARIOS, o.answer === 'never' ? 'uas-agent-never-answer.xml' : 'uas-agent.xml'),
    '-i', '127.0.0.1',
    '-p', String(o.port),
    '-mp', String(media),
    // Answers Asterisk's OPTIONS (qualify) 200 OK, as a real phone does: the phone is reachable.
    '-aa',
  ];
  if (o.answer !== 'never') args.push('-set', 'answer_ms', String(o.answer.answerMs), '-set', 'hangup_ms', String(o.answer.talkMs));
  const run = runSipp(args, o.port, o.workDir, o.deadlineMs);
  await waitForListener(o.port, run);
  return run;
}

const running = new Set<ChildProcess>();

/** Kills every sipp this module started (on an interrupted run). */
export async function stopAllSipp(): Promise<void> {
  await Promise.all([...running].map((c) => killChild(c)));
}

function runSipp(scenarioArgs: string[], port: number, cwd: string, deadlineMs: number): SippRun {
  const tmp = mkdtempSync(join(tmpdir(), 'bench-sipp-'));
  const statFile = join(tmp, 'stat.csv');
  const errorFile = join(tmp, 'errors.log');
  const args = [...scenarioArgs, '-nostdin', '-trace_stat', '-stf', statFile, '-fd', '1', '-trace_err', '-error_file', errorFile];
  const child: ChildProcess = spawn(SIPP_BIN, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString('utf8')).slice(-4000);
  });
  const timer = setTimeout(() => void killChild(child), deadlineMs);
  const result = new Promise<SippResult>((done) => {
    const finish = (code: number | null, err?: Error): void => {
      clearTimeout(timer);
      running.delete(child);
      const res: SippResult = {
        exitCode: code,
        counts: readCounts(statFile),
        stderrTail: err ? `${stderr}\n${err.message}` : stderr,
        errorsTail: readTail(errorFile, 3000),
      };
      rmSync(tmp, { recursive: true, force: true });
      done(res);
    };
    child.once('error', (err) => finish(null, err));
    child.once('exit', (code) => finish(code));
  });
  return {
    pid: child.pid,
    port,
    result,
    stop: async () => {
      await killChild(child);
      return result;
    },
  };
}

function readCounts(file: string): SippCounts | null {
  const raw = readLastStatRow(file);
  if (!raw) return null;
  const num = (k: string): number => Number(raw[k] ?? 0) || 0;
  return {
    calls: num('OutgoingCall(C)') + num('IncomingCall(C)'),
    successful: num('SuccessfulCall(C)'),
    failed: num('FailedCall(C)'),
    retransmissions: num('Retransmissions(C)'),
    raw,
  };
}

function readTail(file: string, bytes: number): string {
  if (!existsSync(file)) return '';
  const text = readFileSync(file, 'utf8');
  return text.length > bytes ? text.slice(-bytes) : text;
}

/** Waits until sipp listens on its SIP port (Linux /proc/net/udp). */
async function waitForListener(port: number, run: SippRun): Promise<void> {
  let exited = false;
  void run.result.then(() => {
    exited = true;
  });
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (exited) {
      const r = await run.result;
      throw new Error(`sipp exited before listening on ${port}: ${r.stderrTail} ${r.errorsTail}`);
    }
    const table = readFileSync('/proc/net/udp', 'utf8');
    if (table.split('\n').some((line) => line.trim().split(/\s+/)[1]?.endsWith(hex))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`sipp did not listen on UDP ${port} within 5 s`);
}
