import { mapInWindows } from '../../../src/shared/windows';

describe('mapInWindows', () => {
  it('runs `size` calls at a time, one window after the other, and keeps the order of the items', async () => {
    let running = 0;
    const log: string[] = [];
    const out = await mapInWindows([5, 1, 4, 2, 3], 2, async (n) => {
      running += 1;
      log.push(`start ${n} (${running} running)`);
      await new Promise((r) => setTimeout(r, n));
      running -= 1;
      log.push(`end ${n}`);
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    // Window [5, 1], then [4, 2], then [3]: a window starts only when the one before has finished.
    expect(log).toEqual([
      'start 5 (1 running)', 'start 1 (2 running)', 'end 1', 'end 5',
      'start 4 (1 running)', 'start 2 (2 running)', 'end 2', 'end 4',
      'start 3 (1 running)', 'end 3',
    ]);
  });

  it('gives an empty list for no items and passes a rejection on', async () => {
    expect(await mapInWindows([], 3, () => Promise.resolve(1))).toEqual([]);
    await expect(mapInWindows([1, 2], 1, (n) => (n === 2 ? Promise.reject(new Error('no 2')) : Promise.resolve(n)))).rejects.toThrow('no 2');
  });
});
