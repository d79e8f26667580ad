/** The JSON of /api/reports/work-orders and its trend (see the OpenAPI document). */
export interface Rate {
  numerator: number;
  denominator: number;
  value: number | null;
}

export interface BeijingScore {
  completion: number | null;
  feedback: number | null;
  satisfaction: number | null;
  complaints: number;
  total: number | null;
}

export interface UnitReport {
  unitId: string;
  dispatched: number;
  kpis: Record<'onTimeCompletion' | 'feedback' | 'satisfaction' | 'response' | 'resolution' | 'callback' | 'timelySign' | 'returns' | 'redo', Rate>;
  upheldComplaints: number;
  annual?: {
    aggregation: 'monthlyAverage' | 'pooled';
    onTimeCompletion: { monthlyAverage: number | null; pooled: Rate };
    beijing: { monthlyAverage: BeijingScore; pooled: BeijingScore };
  };
  beijing: BeijingScore;
  yanji: {
    items: Record<'sign' | 'return' | 'completion' | 'extension' | 'reply' | 'satisfaction' | 'noRedo' | 'noRepeat', number>;
    handling: number;
    supervision: number;
    total: number;
  };
  rank: number | null;
}

export interface TopicRow {
  key: string;
  count: number;
  previousCount: number;
  change: number;
  changeRate: number | null;
}

export interface WorkOrderReport {
  period: { kind: string; label: string; from: string; to: string };
  asOf: string;
  units: UnitReport[];
  hotTopics: { categories: TopicRow[]; areas: TopicRow[] };
}

export interface TrendPoint {
  key: string;
  dispatched: number;
  onTimeCompletion: Rate;
  feedback: Rate;
  satisfaction: Rate;
  callback: Rate;
}

export interface WorkOrderTrend {
  granularity: 'day' | 'week';
  unitId: string | null;
  points: TrendPoint[];
}

export type PeriodKind = 'month' | 'quarter' | 'year';

export const pct2 = (r: Rate | number | null | undefined): string => {
  const v = typeof r === 'object' && r !== null ? r.value : r;
  return v === null || v === undefined ? '—' : `${(v * 100).toFixed(2)}%`;
};
export const score = (v: number | null | undefined, digits = 3): string => (v === null || v === undefined ? '—' : v.toFixed(digits));

/** 2026-05 → 2026年5月, 2026-Q2 → 2026年第2季度, 2026 → 2026年. */
export function periodText(kind: string, label: string): string {
  const [y, rest] = label.split('-');
  if (kind === 'month') return `${y}年${Number(rest)}月`;
  if (kind === 'quarter') return `${y}年第${(rest ?? '').replace('Q', '')}季度`;
  return `${y}年`;
}
