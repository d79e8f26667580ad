/**
 * The lab's call hint (scripts/place-call.ts, run as docs/calling.md says, in child processes) against the
 * product as main.ts wires it: the default options make one complete call (the phone hangs up after
 * a few seconds, the caller's digit comes after the rating prompt), a second digit after an invalid
 * first one is the rating, and the phone options that never answer or answer 486 are what they say.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { eventually } from '../../support/eventually';
import { agentPortFor } from '../../support/sipp';
import { addAgents, completedCall, setAgentStates, startSystem, type RunningSystem } from '../../support/system-harness';

const ROOT = path.resolve(__dirname, '../../..');

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function placeCallScript(args: string[]): Run {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'scripts/place-call.ts', ...args], { cwd: ROOT, env: process.env });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out, exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

async function phone(args: string[]): Promise<Run> {
  const run = placeCallScript(['--agent', '1001', ...args]);
  await eventually(() => run.output().includes(`127.0.0.1:${agentPortFor(1001)}`), 30_000, 100);
  return run;
}

async function stopPhone(run: Run): Promise<void> {
  run.child.kill('SIGTERM');
  await run.exited;
}

describe('scripts/place-call.ts', () => {
  let sut: RunningSystem;

  beforeAll(async () => {
    sut = await startSystem('place_call', { WRAPUP_MS: '1000' });
    await addAgents(sut, [1001]);
  });

  afterAll(async () => {
    await sut?.stop(5000);
  });

  it('with the default options: one complete call, rated 1 after the prompt, hung up by the hotline', async () => {
    await setAgentStates(sut, { ready: [1001] });
    const agent = await phone([]);
    try {
      const caller = placeCallScript(['--from', '13700000501']);
      expect(await caller.exited).toBe(0);
      const rec = await completedCall(sut, '13700000501');
      expect(rec).toMatchObject({ outcome: 'answered', agentId: 'agent-1001', endReason: 'completed', hungUpBy: 'system' });
      expect(rec.detail).toMatchObject({ conversationEndedBy: 'agent', rating: { status: 'rated', digit: '1', invalidDigits: [] } });
    } finally {
      await stopPhone(agent);
    }
  }, 120_000);

  it('--digit 9 --second-digit 2: the invalid digit gets the re-prompt, the second one is the rating', async () => {
    await setAgentStates(sut, { ready: [1001] });
    const agent = await phone([]);
    try {
      const caller = placeCallScript(['--from', '13700000502', '--digit', '9', '--second-digit', '2']);
      expect(await caller.exited).toBe(0);
      const rec = await completedCall(sut, '13700000502');
      expect(rec.detail).toMatchObject({ rating: { status: 'rated', digit: '2', invalidDigits: ['9'] } });
    } finally {
      await stopPhone(agent);
    }
  }, 120_000);

  it('--never-answer and --busy: the phone rings until the limit, or answers 486', async () => {
    await setAgentStates(sut, { ready: [1001] });
    const never = await phone(['--never-answer']);
    try {
      const caller = placeCallScript(['--from', '13700000503', '--digit', 'none', '--hangup-after-ms', '22000']);
      expect(await caller.exited).toBe(0);
      const rec = await completedCall(sut, '13700000503');
      expect(rec.attempts[0]).toMatchObject({ agentId: 'agent-1001', outcome: 'no-answer' });
    } finally {
      await stopPhone(never);
    }
    await setAgentStates(sut, { ready: [1001] });
    const busy = await phone(['--busy']);
    try {
      const caller = placeCallScript(['--from', '13700000504', '--digit', 'none', '--hangup-after-ms', '12000']);
      expect(await caller.exited).toBe(0);
      const rec = await completedCall(sut, '13700000504');
      expect(rec.attempts[0]).toMatchObject({ agentId: 'agent-1001', outcome: 'busy' });
    } finally {
      await stopPhone(busy);
    }
  }, 120_000);
});
