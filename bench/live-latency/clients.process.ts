/**
 * Console clients of the live-latency benchmark, in a process of their own (forked by the bench):
 * parsing thousands of messages a second neither runs on the server's event loop nor shares its
 * process, as real consoles do not. Each socket.io-client socket logs in with its token; supervisors
 * join the dashboard. Every live event received is stamped with the machine's monotonic clock
 * (process.hrtime: CLOCK_MONOTONIC, the same in every process) and a key that names the server-side
 * change it shows; the bench matches the keys with the moments it saw the ARI event, the bus message
 * and the server's emit.
 *
 * Messages (IPC): bench → clients `{ type: 'start', input }`, `{ type: 'collect' }`, `{ type: 'close' }`;
 * clients → bench `{ type: 'ready', … }`, `{ type: 'records', … }`, `{ type: 'closed' }`.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';

export interface ClientSpec {
  token: string;
  role: 'agent' | 'supervisor';
}

export interface WorkerInput {
  baseUrl: string;
  clients: ClientSpec[];
  /** Sockets connecting at the same time. */
  connectConcurrency: number;
}

export interface ReadyMessage {
  type: 'ready';
  connected: number;
  failed: number;
  firstError: string | null;
}

export interface RecordsMessage {
  type: 'records';
  keys: string[];
  /** Receive times, ms on the process-wide monotonic clock. */
  times: number[];
  errors: number;
  /** This thread's event loop since the previous collect: busy fraction (0–1) and delay p99 / max, ms. */
  loop: { utilization: number; delayP99Ms: number; delayMaxMs: number };
  disconnects: number;
  /** `call:history` follow-ups received, and those without the history (the server's lookup ran out of time). */
  histories: number;
  historiesUnavailable: number;
}

type Payload = Record<string, unknown>;

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

if (!process.send) throw new Error('clients.process.ts runs as a forked process (IPC)');
let input: WorkerInput = { baseUrl: '', clients: [], connectConcurrency: 1 };
const port = { postMessage: (m: unknown) => process.send?.(m) };

const keys: string[] = [];
const times: number[] = [];
let errors = 0;
let disconnects = 0;
let histories = 0;
let historiesUnavailable = 0;
let closing = false;
const sockets: Socket[] = [];
const LOOP_RESOLUTION_MS = 5;
const loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
loopDelay.enable();
let elu = performance.eventLoopUtilization();

function record(key: string | string[]): void {
  const at = nowMs();
  for (const k of Array.isArray(key) ? key : [key]) {
    times.push(at);
    keys.push(k);
  }
}

/** The keys of the server-side changes an event shows (same scheme as the benchmark's probe). */
const KEYS: Record<string, (p: Payload) => string | string[]> = {
  // A batch: every delta in it arrived now.
  'dashboard:deltas': (p) => (p as unknown as Payload[]).map((d) => `dash:${String(d['seq'])}`),
  'call:ringing': (p) => `ring:${String(p['callId'])}:${String(p['attempt'])}`,
  // The screen pop's history follow-up: matched to the pop's offer.
  'call:history': (p) => `hist:${String(p['callId'])}:${String(p['attempt'])}`,
  'call:answered': (p) => `ans:${String(p['callId'])}:${String(p['attempt'])}`,
  'call:ring_stopped': (p) => `stop:${String(p['callId'])}:${String(p['attempt'])}`,
  'call:ended': (p) => `end:${String(p['callId'])}`,
  'call:rated': (p) => `rate:${String(p['callId'])}`,
  'agent:state': (p) => `state:${String(p['agentId'])}:${String(p['state'])}:${String(p['since'])}`,
};

function connect(spec: ClientSpec): Promise<Socket> {
  const s = io(input.baseUrl, { auth: { token: spec.token }, transports: ['websocket'], reconnection: false, timeout: 30_000 });
  for (const [event, keyOf] of Object.entries(KEYS)) {
    s.on(event, (p: Payload) => record(keyOf(p)));
  }
  s.on('call:history', (p: Payload) => {
    histories += 1;
    if (p['history'] === null) historiesUnavailable += 1;
  });
  s.on('error', () => {
    errors += 1;
  });
  s.on('disconnect', () => {
    if (!closing) disconnects += 1;
  });
  return new Promise((resolve, reject) => {
    s.once('connect', () => {
      if (spec.role !== 'supervisor') {
        resolve(s);
        return;
      }
      s.emit('dashboard:join', {}, (ack: { ok: boolean; message?: string }) => {
        if (ack.ok) resolve(s);
        else reject(new Error(`dashboard:join refused: ${ack.message ?? ''}`));
      });
    });
    s.once('connect_error', (err: Error) => {
      s.close();
      reject(err);
    });
  });
}

async function connectAll(): Promise<void> {
  let next = 0;
  let failed = 0;
  let firstError: string | null = null;
  const lane = async (): Promise<void> => {
    while (next < input.clients.length) {
      const spec = input.clients[next++] as ClientSpec;
      try {
        sockets.push(await connect(spec));
      } catch (err) {
        failed += 1;
        firstError ??= String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, input.connectConcurrency) }, lane));
  const ready: ReadyMessage = { type: 'ready', connected: sockets.length, failed, firstError };
  port?.postMessage(ready);
}

process.on('message', (m: { type: string; input?: WorkerInput }) => {
  if (m.type === 'start' && m.input) {
    input = m.input;
    void connectAll();
  } else if (m.type === 'collect') {
    // The histogram holds the time between ticks: the delay is what exceeds the sampling interval.
    const delay = (ns: number): number => Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS);
    const loop = { utilization: performance.eventLoopUtilization(elu).utilization, delayP99Ms: delay(loopDelay.percentile(99)), delayMaxMs: delay(loopDelay.max) };
    elu = performance.eventLoopUtilization();
    loopDelay.reset();
    const out: RecordsMessage = { type: 'records', keys: keys.splice(0), times: times.splice(0), errors, disconnects, histories, historiesUnavailable, loop };
    port.postMessage(out);
  } else if (m.type === 'close') {
    closing = true;
    for (const s of sockets) s.disconnect();
    port.postMessage({ type: 'closed' });
  }
});
