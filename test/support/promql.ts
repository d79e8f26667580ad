/**
 * The metric names a PromQL expression reads: what is left once strings, label matchers, range
 * selectors, `by (...)` / `without (...)` groupings, numbers, functions and keywords are removed.
 * Enough for the dashboards' queries; not a PromQL parser.
 */
const FUNCTIONS_AND_KEYWORDS = new Set([
  'sum', 'min', 'max', 'avg', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'group',
  'rate', 'irate', 'increase', 'delta', 'idelta', 'deriv', 'histogram_quantile', 'clamp_min', 'clamp_max',
  'abs', 'time', 'vector', 'scalar', 'label_replace', 'absent', 'changes', 'resets', 'round', 'max_over_time',
  'min_over_time', 'avg_over_time', 'sum_over_time', 'and', 'or', 'unless', 'on', 'ignoring', 'offset', 'bool',
]);

export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, ' ')
    .replace(/\b\d+(\.\d+)?\b/g, ' ');
  const names = (stripped.match(/[A-Za-z_:][A-Za-z0-9_:]*/g) ?? []).filter((t) => !FUNCTIONS_AND_KEYWORDS.has(t));
  return [...new Set(names)];
}

/** Every sample name a Prometheus text exposition can be queried by (a histogram's _bucket, _sum, _count too). */
export function exportedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const m of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = m as unknown as [string, string, string];
    names.add(name);
    if (type === 'histogram') ['_bucket', '_sum', '_count'].forEach((s) => names.add(name + s));
    if (type === 'summary') ['_sum', '_count'].forEach((s) => names.add(name + s));
  }
  return names;
}
