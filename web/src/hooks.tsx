import { useEffect, useRef, useState, type ReactNode } from 'react';
import { duration } from './time';

/**
 * One clock for every ticking figure on a page (timers, waits, time in state): the figures
 * subscribe and re-render themselves, so the page around them is not rendered again each tick
 * (with 300 agents or a whole 工单 form, that re-render is what kept a 2-core machine's main thread
 * busy and delayed the live events behind it).
 */
const ticks = new Map<number, { listeners: Set<(now: number) => void>; timer: ReturnType<typeof setInterval> }>();

function subscribe(ms: number, l: (now: number) => void): () => void {
  let t = ticks.get(ms);
  if (!t) {
    const listeners = new Set<(now: number) => void>();
    t = { listeners, timer: setInterval(() => { const now = Date.now(); for (const x of listeners) x(now); }, ms) };
    ticks.set(ms, t);
  }
  t.listeners.add(l);
  return () => {
    t.listeners.delete(l);
    if (t.listeners.size === 0) {
      clearInterval(t.timer);
      ticks.delete(ms);
    }
  };
}

/** The current time, ticking every `ms`; use it in small leaf components only. */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => subscribe(ms, setNow), [ms]);
  return now;
}

/** A figure computed from the time, re-rendered alone at each tick: `<Ticking ms={250}>{(now) => …}</Ticking>`. */
export function Ticking({ ms = 1000, children }: { ms?: number; children: (now: number) => ReactNode }): ReactNode {
  const now = useNow(ms);
  return children(now);
}

/** 分:秒 elapsed since `from` (until `to` when it is set), ticking every second. */
export function Elapsed({ from, to = null, plus = 0 }: { from: number; to?: number | null; plus?: number }): ReactNode {
  return <Ticking>{(now) => duration((to ?? now) - from + plus)}</Ticking>;
}

/**
 * Coalesces events that arrive in bursts into one update per animation frame (or per 100 ms when the
 * page is hidden and frames stop): a burst of socket events costs one render, not one each.
 */
export function useFrameBatch<T>(flush: (items: T[]) => void): (item: T) => void {
  const pending = useRef<T[]>([]);
  const scheduled = useRef(false);
  const flushRef = useRef(flush);
  flushRef.current = flush;
  const push = useRef((item: T) => {
    pending.current.push(item);
    if (scheduled.current) return;
    scheduled.current = true;
    let done = false;
    const run = () => {
      if (done) return;
      done = true;
      scheduled.current = false;
      const items = pending.current;
      pending.current = [];
      flushRef.current(items);
    };
    requestAnimationFrame(run);
    setTimeout(run, 100);
  });
  return push.current;
}
