/**
 * The lab's real Asterisk (scripts/asterisk-lab.sh: Debian sid chroot, config from
 * asterisk-config/ rendered into .lab/asterisk/). Needs root.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const SCRIPT = resolve(ROOT, 'scripts', 'asterisk-lab.sh');

export interface AsteriskLab {
  /** Base URL for ari-client's connect(), e.g. http://127.0.0.1:8088 */
  ariUrl: string;
  ariUsername: string;
  ariPassword: string;
  /** Stasis application the dialplan sends inbound calls to. */
  ariApp: string;
  /** Where sipp callers send their INVITEs. */
  sipHost: string;
  sipPort: number;
  pid: number | null;
}

/** The lab as the tests need it: a dead agent phone or caller is noticed after 10 s (production default 60 s). */
export const LAB_DEFAULTS = { AGENT_RTP_TIMEOUT: '10', TRUNK_RTP_TIMEOUT: '10', AGENT_QUALIFY_SEC: '2' };

function runScript(args: string[], timeoutMs: number): Promise<string> {
  return new Promise((done, fail) => {
    execFile(SCRIPT, args, { cwd: ROOT, env: { ...LAB_DEFAULTS, ...process.env }, timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        fail(new Error(`asterisk-lab.sh ${args.join(' ')} failed: ${err.message}\n${stderr.slice(-4000)}`));
        return;
      }
      done(stdout);
    });
  });
}

/** The lab as `asterisk-lab.sh start|restart|env` prints it (KEY=value lines). */
export function parseLabEnv(stdout: string): AsteriskLab {
  const env: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m?.[1]) env[m[1]] = m[2] ?? '';
  }
  const [sipHost = '127.0.0.1', sipPort = '5060'] = (env.SIP_ADDRESS ?? '').split(':');
  return {
    ariUrl: env.ARI_URL ?? 'http://127.0.0.1:8088',
    ariUsername: env.ARI_USERNAME ?? 'hotline',
    ariPassword: env.ARI_PASSWORD ?? '',
    ariApp: env.ARI_APP ?? 'hotline',
    sipHost,
    sipPort: Number(sipPort),
    pid: env.ASTERISK_PID ? Number(env.ASTERISK_PID) : null,
  };
}

/** Builds the chroot once (cached), starts Asterisk or reuses a healthy one, returns where ARI is. */
export async function ensureAsterisk(): Promise<AsteriskLab> {
  await runScript(['build'], 15 * 60_000);
  return parseLabEnv(await runScript(['start'], 3 * 60_000));
}

/** The lab's Asterisk as it is now, started by someone else (pid null when it is not running). */
export async function runningAsterisk(): Promise<AsteriskLab> {
  return parseLabEnv(await runScript(['env'], 30_000));
}

/** Stops Asterisk (by pid) and unmounts the chroot's bind mounts when nothing else uses them. */
export async function stopAsterisk(): Promise<void> {
  await runScript(['stop'], 60_000);
}

/** Stops and starts Asterisk (channels are lost, as in a real restart). */
export async function restartAsterisk(): Promise<AsteriskLab> {
  return parseLabEnv(await runScript(['restart'], 3 * 60_000));
}

/** Runs one Asterisk CLI command (asterisk -rx) and returns its output. */
export async function asteriskCli(command: string): Promise<string> {
  return runScript(['cli', command], 30_000);
}
