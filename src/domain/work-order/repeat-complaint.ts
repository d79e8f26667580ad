import type { RepeatComplaintPolicy } from './presets/preset.schema';
import type { Category } from './work-order.types';

/** An earlier order the repository found for the same phone (query by normalized phone + window). */
export interface RepeatCandidate {
  readonly id: string;
  readonly phone: string;
  readonly category: Category;
  readonly areaCode: string;
  readonly acceptedAt: Date;
  /** Root of the chain the candidate already belongs to. */
  readonly repeatOf?: string;
}

export interface RepeatQuery {
  readonly id: string;
  readonly phone: string;
  readonly category: Category;
  readonly areaCode: string;
  readonly at: Date;
}

export interface RepeatLink {
  /** First order of the chain; the new order's `repeatOf`. */
  readonly rootOrderId: string;
  /** Most recent earlier order. */
  readonly previousOrderId: string;
  /** Earlier matching orders within the window: this order is repeat #N. */
  readonly repeatNumber: number;
  /** Threshold reached as the policy reads it: mark 疑难 and escalate (青浦 2020 第十三条: 重复投诉5次以上). */
  readonly escalate: boolean;
  readonly matchedOrderIds: readonly string[];
}

const DAY_MS = 86_400_000;

/** Digits only, without the +86 / 0086 country prefix, so "+86 138-0013-8000" matches "13800138000". */
export function normalizePhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.startsWith('0086')) return digits.slice(4);
  if (digits.startsWith('86') && digits.length === 13) return digits.slice(2);
  return digits;
}

/** Start of the look-back window, for the repository query. */
export function repeatWindowStart(at: Date, policy: Pick<RepeatComplaintPolicy, 'windowDays'>): Date {
  return new Date(at.getTime() - policy.windowDays * DAY_MS);
}

/**
 * Links a new order to earlier ones with the same caller phone, category and area (属地) inside
 * the window. Returns undefined when there is no earlier match or no usable phone.
 */
export function findRepeatLink(
  query: RepeatQuery,
  candidates: readonly RepeatCandidate[],
  policy: Pick<RepeatComplaintPolicy, 'windowDays' | 'threshold'> & Partial<Pick<RepeatComplaintPolicy, 'thresholdCounts'>>,
): RepeatLink | undefined {
  const phone = normalizePhone(query.phone);
  if (phone === '') return undefined;
  const from = repeatWindowStart(query.at, policy).getTime();
  const matches = candidates
    .filter(
      (c) =>
        c.id !== query.id &&
        normalizePhone(c.phone) === phone &&
        c.category === query.category &&
        c.areaCode === query.areaCode &&
        c.acceptedAt.getTime() >= from &&
        c.acceptedAt.getTime() < query.at.getTime(),
    )
    .sort((a, b) => a.acceptedAt.getTime() - b.acceptedAt.getTime() || a.id.localeCompare(b.id));
  const first = matches[0];
  const last = matches[matches.length - 1];
  if (!first || !last) return undefined;
  return {
    rootOrderId: first.repeatOf ?? first.id,
    previousOrderId: last.id,
    repeatNumber: matches.length,
    // `allComplaints` counts the new order too; `earlierOrders` (default) only those before it.
    escalate: (policy.thresholdCounts === 'allComplaints' ? matches.length + 1 : matches.length) >= policy.threshold,
    matchedOrderIds: matches.map((m) => m.id),
  };
}
