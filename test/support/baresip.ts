/**
 * A real softphone (Debian's baresip, package baresip-core) registering with the lab's Asterisk as
 * an agent, with the configuration docs/calling.md shows: digest authentication with the agent's own
 * secret, PCMU/PCMA, auto-answer. It has no sound card: it sends a 1000 Hz tone (ausine) and plays
 * what it hears into an audio bridge nobody reads (aubridge).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killChild } from './sipp';

export const BARESIP_BIN = process.env.BARESIP_BIN ?? 'baresip';
/** Where Debian's baresip-core puts its modules (without a module_path line no module loads). */
export const BARESIP_MODULES = process.env.BARESIP_MODULES ?? '/usr/lib/baresip/modules';

export interface BaresipOptions {
  /** The agent's SIP user (its PJSIP endpoint and AOR), e.g. agent1001. */
  username: string;
  secret: string;
  /** Asterisk's SIP address. */
  registrar: { host: string; port: number };
  /** The phone's own SIP port on 127.0.0.1 (UDP, and TCP too: baresip listens on both); default a free one. */
  sipPort?: number;
  /** First and last RTP port the phone may use. */
  rtpPorts: [number, number];
  /** Answer every call at once (answermode=auto); false: the phone only rings. */
  autoAnswer: boolean;
}

export interface Baresip {
  /** Everything baresip printed so far. */
  output(): string;
  /** Resolves when the output matches `re`, rejects after `timeoutMs` or when baresip exits. */
  waitFor(re: RegExp, timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
  /** The configuration folder (config, accounts), for the documented example. */
  readonly dir: string;
}

/** The `accounts` line: what docs/calling.md's softphone section shows. */
export function baresipAccountLine(o: Pick<BaresipOptions, 'username' | 'secret' | 'registrar' | 'autoAnswer'>): string {
  const { host, port } = o.registrar;
  return (
    `<sip:${o.username}@${host}:${port};transport=udp>;auth_pass=${o.secret};regint=60;` +
    `audio_codecs=PCMU,PCMA;answermode=${o.autoAnswer ? 'auto' : 'manual'}`
  );
}

/** The `config` file for a machine without a sound card. */
export function baresipConfig(o: Pick<BaresipOptions, 'rtpPorts'> & { sipPort: number }): string {
  return [
    `module_path\t\t${BARESIP_MODULES}`,
    'poll_method\t\tepoll',
    `sip_listen\t\t127.0.0.1:${o.sipPort}`,
    'net_interface\t\t127.0.0.1',
    `rtp_ports\t\t${o.rtpPorts[0]}-${o.rtpPorts[1]}`,
    // ausine makes 48 kHz stereo only: with the defaults the source fails to start and the call is
    // never answered (no 200 OK, the ring runs out). baresip resamples to the codec's 8 kHz mono.
    'audio_source\t\tausine,1000',
    'ausrc_srate\t\t48000',
    'ausrc_channels\t\t2',
    // No sound card: what the phone hears goes into an audio bridge nobody reads.
    'audio_player\t\taubridge,heard',
    'audio_alert\t\taubridge,alert',
    'module\t\t\tg711.so',
    'module\t\t\tausine.so',
    'module\t\t\taubridge.so',
    'module\t\t\tstdio.so',
    // account.so reads the accounts file; menu.so carries out answermode=auto.
    'module_app\t\taccount.so',
    'module_app\t\tmenu.so',
    '',
  ].join('\n');
}

/** A port free on 127.0.0.1 for TCP and UDP alike (the system's pick, outside every fixed range). */
export async function freeSipPort(): Promise<number> {
  for (let tries = 0; tries < 20; tries += 1) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const addr = srv.address();
        srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const sock = createSocket('udp4');
      sock.once('error', () => resolve(false));
      sock.bind(port, '127.0.0.1', () => sock.close(() => resolve(true)));
    });
    if (port > 0 && udpFree) return port;
  }
  throw new Error('no free SIP port for baresip');
}

export async function startBaresip(opts: BaresipOptions): Promise<Baresip> {
  const o = { ...opts, sipPort: opts.sipPort ?? (await freeSipPort()) };
  const dir = mkdtempSync(join(tmpdir(), 'hotline-baresip-'));
  writeFileSync(join(dir, 'config'), baresipConfig(o));
  writeFileSync(join(dir, 'accounts'), `${baresipAccountLine(o)}\n`);
  writeFileSync(join(dir, 'contacts'), '');
  const child: ChildProcess = spawn(BARESIP_BIN, ['-f', dir, '-v', ...(process.env.BARESIP_TRACE ? ['-s'] : [])], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let exited = false;
  const listeners = new Set<() => void>();
  const push = (b: Buffer) => {
    out += b.toString('utf8');
    if (out.length > 200_000) out = out.slice(-100_000);
    for (const l of listeners) l();
  };
  child.stdout?.on('data', push);
  child.stderr?.on('data', push);
  child.once('exit', () => {
    exited = true;
    for (const l of listeners) l();
  });
  const waitFor = (re: RegExp, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (re.test(out)) {
          done();
          resolve();
        } else if (exited) {
          done();
          reject(new Error(`baresip exited before ${String(re)}:\n${out.slice(-4000)}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`baresip: no ${String(re)} within ${timeoutMs} ms:\n${out.slice(-4000)}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });
  return {
    dir,
    output: () => out,
    waitFor,
    stop: async () => {
      // 'q' on the console quits cleanly (unregisters); then the usual TERM/KILL.
      child.stdin?.write('q');
      await Promise.race([new Promise((r) => child.once('exit', r)), new Promise((r) => setTimeout(r, 2000))]);
      await killChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
