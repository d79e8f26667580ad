import { BackgroundTasks } from '../../../src/shared/background';
import type { Logger } from '../../../src/shared/logger';

function recordingLogger(): { log: Logger; errors: Array<{ message: string; fields: Record<string, unknown> | undefined }> } {
  const errors: Array<{ message: string; fields: Record<string, unknown> | undefined }> = [];
  const log: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: (message, fields) => errors.push({ message, fields }),
    child: () => log,
  };
  return { log, errors };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('BackgroundTasks', () => {
  it('a rejection or a throw is caught, logged with the task and its context, and counted', async () => {
    const { log, errors } = recordingLogger();
    const sut = new BackgroundTasks(log, () => 1000);
    sut.run('db.write', () => Promise.reject(new Error('no database')), { callId: 'c1' });
    sut.run('db.write', () => {
      throw new Error('bug');
    });
    sut.run('db.write', () => 'fine');
    await settle();
    expect(sut.stats().get('db.write')).toEqual({ succeeded: 1, failed: 2, lastSuccessAt: 1000, lastFailureAt: 1000 });
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ message: 'background task failed', fields: expect.objectContaining({ task: 'db.write', callId: 'c1', err: expect.objectContaining({ message: 'no database' }) }) }),
        expect.objectContaining({ message: 'background task failed', fields: expect.objectContaining({ task: 'db.write', err: expect.objectContaining({ message: 'bug' }) }) }),
      ]),
    );
  });

  it('a handler never throws into its emitter, and runs its work at once, in order', async () => {
    const sut = new BackgroundTasks(recordingLogger().log);
    const seen: number[] = [];
    const h = sut.handler('event', (n: number) => {
      seen.push(n);
      if (n === 2) throw new Error('bad event');
    });
    expect(() => [1, 2, 3].forEach((n) => h(n))).not.toThrow();
    expect(seen).toEqual([1, 2, 3]);
    await settle();
    expect(sut.stats().get('event')).toMatchObject({ succeeded: 2, failed: 1 });
  });

  it('a periodic task keeps its schedule after failures (the next tick is the retry) and never overlaps itself', async () => {
    jest.useFakeTimers();
    try {
      const sut = new BackgroundTasks(recordingLogger().log);
      let calls = 0;
      let release: () => void = () => undefined;
      const t = sut.every('purge', 100, () => {
        calls += 1;
        if (calls <= 2) return Promise.reject(new Error('database down'));
        if (calls === 3) return new Promise<void>((r) => (release = r));
        return undefined;
      });
      await jest.advanceTimersByTimeAsync(300);
      expect(calls).toBe(3);
      // Tick 3 is still running: ticks 4 and 5 are skipped.
      await jest.advanceTimersByTimeAsync(200);
      expect(calls).toBe(3);
      release();
      await jest.advanceTimersByTimeAsync(100);
      expect(calls).toBe(4);
      t.stop();
      await jest.advanceTimersByTimeAsync(1000);
      expect(calls).toBe(4);
      expect(sut.stats().get('purge')).toMatchObject({ failed: 2 });
    } finally {
      jest.useRealTimers();
    }
  });
});
