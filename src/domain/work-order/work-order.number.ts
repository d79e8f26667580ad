import { toLocalDate } from '../calendar/local-time';

export const WORK_ORDER_NUMBER_PATTERN = /^([A-Z]{2,4})(\d{8})-(\d{6})$/;
const MAX_SEQ = 999_999;

/**
 * `WO20261123-000123`: prefix, local (Asia/Shanghai) date of acceptance, and a per-day sequence
 * from the caller (a counter in the database). Fixed width, so string order is date order.
 */
export function formatWorkOrderNumber(acceptedAt: Date, sequence: number, prefix = 'WO'): string {
  if (!/^[A-Z]{2,4}$/.test(prefix)) throw new RangeError(`prefix must be 2–4 capital letters: ${prefix}`);
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > MAX_SEQ) {
    throw new RangeError(`sequence must be 1…${MAX_SEQ}, got ${sequence}`);
  }
  const day = toLocalDate(acceptedAt).replace(/-/g, '');
  return `${prefix}${day}-${String(sequence).padStart(6, '0')}`;
}

export interface ParsedWorkOrderNumber {
  readonly prefix: string;
  /** YYYY-MM-DD */
  readonly date: string;
  readonly sequence: number;
}

export function parseWorkOrderNumber(value: string): ParsedWorkOrderNumber | undefined {
  const m = WORK_ORDER_NUMBER_PATTERN.exec(value);
  if (!m || m[1] === undefined || m[2] === undefined || m[3] === undefined) return undefined;
  const d = m[2];
  return { prefix: m[1], date: `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`, sequence: Number(m[3]) };
}
