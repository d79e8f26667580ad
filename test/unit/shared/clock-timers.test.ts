import { clockTimers } from '../../../src/shared/clock';

describe('clockTimers: a timer never fires before its delay by the given clock', () => {
  it('a clock behind Node\'s timers: the timer waits until the clock reaches its deadline', async () => {
    let behind = 0;
    const clock = () => Date.now() - behind;
    const timers = clockTimers(clock);
    const deadline = clock() + 20;
    const firedAt = await new Promise<number>((resolve) => {
      timers.setTimeout(() => resolve(clock()), 20);
      // From now on the clock reads 15 ms less than Node's timers have counted.
      behind = 15;
    });
    expect(firedAt).toBeGreaterThanOrEqual(deadline);
  });

  it('a cleared timer does not fire, also while it waits out the rest', async () => {
    let behind = 0;
    const clock = () => Date.now() - behind;
    const timers = clockTimers(clock);
    let fired = 0;
    const t = timers.setTimeout(() => (fired += 1), 10);
    behind = 40;
    await new Promise((r) => setTimeout(r, 20)); // Node's timer has fired; the clock still lacks ~30 ms
    timers.clearTimeout(t);
    await new Promise((r) => setTimeout(r, 60));
    expect(fired).toBe(0);
  });
});
