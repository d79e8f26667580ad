/**
 * What callers who wait cost Asterisk, by what they hear: nothing, music on hold played to each
 * channel (what the product does while a caller waits for a free agent), a ringing tone on each
 * channel (while an agent rings), or one music source in a holding bridge that all waiting callers
 * join (Asterisk's announcer channel plays once, the bridge copies each frame to every caller).
 *
 * For each mode: a throw-away ARI application answers every call and gives it that treatment for
 * `--hold-s` seconds, while sipp places `--rate` calls/s for `--duration` s, each streaming audio like
 * a real caller. Once the number of waiting callers is steady, Asterisk's CPU (ticks from /proc) and the
 * machine's are measured for `--window-s` seconds. Prints one row per mode.
 *
 * Needs the lab's Asterisk running (`scripts/asterisk-lab.sh start`) and nothing else attached to its
 * ARI application. `npx tsx bench/waiting-media.bench.ts --rate 20 --duration 40 --hold-s 20` (400 callers waiting)
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ari from 'ari-client';
import type { Channel, Client } from 'ari-client';
import { writeSippAudio } from './call-path/lab';
import { startCallers } from './call-path/sipp-load';
import { runningAsterisk, type AsteriskLab } from '../test/support/asterisk';
import { recordRun } from './support/results';
import { CLK_TCK, machineTicks, procTicks } from './support/proc-stat';

type Mode = 'none' | 'moh' | 'ringback' | 'holding-bridge';
const MODES: readonly Mode[] = ['none', 'moh', 'ringback', 'holding-bridge'];
const ROOT = resolve(__dirname, '..');

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function runMode(mode: Mode, lab: AsteriskLab, o: { rate: number; duration: number; holdS: number; windowS: number }) {
  const client: Client = await ari.connect(lab.ariUrl, lab.ariUsername, lab.ariPassword);
  const bridge = mode === 'holding-bridge' ? client.Bridge() : null;
  if (bridge) {
    await bridge.create({ type: 'holding' });
    await bridge.startMoh({ mohClass: 'default' });
  }
  let waiting = 0;
  let errors = 0;
  const timers = new Set<NodeJS.Timeout>();
  client.on('StasisStart', (_e: unknown, ch: Channel) => {
    void (async () => {
      try {
        await ch.answer();
        if (mode === 'moh') await ch.startMoh({ mohClass: 'default' });
        else if (mode === 'ringback') await ch.ring();
        else if (bridge) await bridge.addChannel({ channel: ch.id, role: 'participant' });
        waiting += 1;
        const t = setTimeout(() => {
          timers.delete(t);
          waiting -= 1;
          ch.hangup().catch(() => undefined);
        }, o.holdS * 1000);
        timers.add(t);
      } catch {
        errors += 1;
      }
    })();
  });
  await client.start(lab.ariApp);

  const calls = Math.round(o.rate * o.duration);
  const callers = await startCallers({
    host: lab.sipHost,
    sipPort: lab.sipPort,
    rate: o.rate,
    calls,
    workDir: join(ROOT, '.lab', 'bench-waiting-media'),
    recvTimeoutMs: (o.holdS + 30) * 1000,
    deadlineMs: (o.duration + o.holdS + 60) * 1000,
  });
  // Steady (rate × hold callers waiting) from the first hang-ups until sipp stops placing calls.
  const steadyAt = o.holdS * 1000 + 2000;
  await sleep(steadyAt);
  const a0 = procTicks(lab.pid);
  const m0 = machineTicks();
  const w0 = waiting;
  await sleep(o.windowS * 1000);
  const a1 = procTicks(lab.pid);
  const m1 = machineTicks();
  const w1 = waiting;
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
  const result = await callers.result;
  for (const t of timers) clearTimeout(t);
  await client.stop();
  if (bridge) await bridge.destroy().catch(() => undefined);
  return {
    mode,
    waiting: `${Math.min(w0, w1)}–${Math.max(w0, w1)}`,
    asteriskCore: a0 !== null && a1 !== null ? ((a1 - a0) / CLK_TCK / o.windowS) * 100 : NaN,
    machineBusy: ((m1.busy - m0.busy) / (m1.total - m0.total)) * 100,
    load1: load ?? '',
    sipp: result.counts ? `${result.counts.successful} ok, ${result.counts.failed} failed` : `exit ${String(result.exitCode)}`,
    errors,
  };
}

async function main(): Promise<void> {
  recordRun('waiting-media');
  const o = { rate: arg('rate', 20), duration: arg('duration', 40), holdS: arg('hold-s', 20), windowS: arg('window-s', 15) };
  if (o.holdS + 2 + o.windowS > o.duration) throw new Error('--duration must be at least --hold-s + 2 + --window-s (the steady part)');
  const only = process.argv.indexOf('--modes');
  const modes = only >= 0 ? (process.argv[only + 1] ?? '').split(',').filter((m): m is Mode => (MODES as readonly string[]).includes(m)) : MODES;
  const lab = await runningAsterisk();
  if (lab.pid === null) throw new Error('the lab Asterisk is not running: scripts/asterisk-lab.sh start');
  writeSippAudio(join(ROOT, '.lab', 'bench-waiting-media'));
  console.log(`rate ${o.rate}/s for ${o.duration} s, each caller held ${o.holdS} s, measured over ${o.windowS} s`);
  console.log('| mode | callers waiting | Asterisk, % of a core | machine busy | load (1 min) | sipp | app errors |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const mode of modes) {
    const r = await runMode(mode, lab, o);
    console.log(`| ${r.mode} | ${r.waiting} | ${r.asteriskCore.toFixed(0)} | ${r.machineBusy.toFixed(0)} % | ${r.load1} | ${r.sipp} | ${r.errors} |`);
    await sleep(5000);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
