/** V8 CPU profiles (Chromium's Profiler domain) summed by function (self time) and by source (a page's chunks by name). */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
export interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function sourceOf(url: string): string {
  if (url === '') return '(native / GC / idle)';
  const m = /\/assets\/([A-Za-z]+)[-.]/.exec(url);
  return m ? `chunk ${m[1]}` : url.replace(/^.*\//, '');
}

export function summarise(p: Profile): { byFn: Map<string, number>; bySource: Map<string, number>; total: number } {
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  const byFn = new Map<string, number>();
  const bySource = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    const n = nodes.get(id);
    if (!n) return;
    const f = n.callFrame;
    if (f.functionName === '(idle)') return;
    total += dt;
    const fn = `${f.functionName || '(anonymous)'} ${sourceOf(f.url)}:${f.lineNumber + 1}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + dt);
    const src = f.functionName.startsWith('(') ? f.functionName : sourceOf(f.url);
    bySource.set(src, (bySource.get(src) ?? 0) + dt);
  });
  return { byFn, bySource, total };
}

export const top = (m: Map<string, number>, n: number) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
