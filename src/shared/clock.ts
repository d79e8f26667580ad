/**
 * The time source every service is given: ms since epoch. A plain function, so production passes
 * `Date.now` and tests a closure over their own time (docs/adr/0022).
 */
export type Clock = () => number;

/** A timer set by `clockTimers`, for clearing it. */
export interface ClockTimer {
  handle: ReturnType<typeof setTimeout> | null;
}

/**
 * Timers that never fire before their delay has passed by `clock`. Node runs timers on a monotonic
 * clock and may fire one a millisecond before `Date.now()` says its delay is over; code that then
 * compares the clock with the deadline it set (a wrap-up's length, a hold's end) would find it not
 * yet reached. Such a timer waits out the rest.
 */
export function clockTimers(clock: Clock): {
  setTimeout(fn: () => void, ms: number): ClockTimer;
  clearTimeout(timer: ClockTimer): void;
} {
  return {
    setTimeout(fn, ms) {
      const at = clock() + ms;
      const timer: ClockTimer = { handle: null };
      const arm = (delay: number): void => {
        timer.handle = setTimeout(() => {
          const left = at - clock();
          if (left > 0) arm(left);
          else fn();
        }, delay);
      };
      arm(ms);
      return timer;
    },
    clearTimeout(timer) {
      if (timer.handle !== null) clearTimeout(timer.handle);
    },
  };
}
