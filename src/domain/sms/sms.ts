/**
 * Text messages to citizens (短信): which notices there are, their Chinese wording, when one may go
 * out (no SMS at night, as no survey call), and how long a failed submission waits before the next
 * try. Pure rules; the SMS port and its SMPP adapter send them.
 */
import { nextCallingSlot } from '../work-order/survey';

/**
 * - `received`: the order was taken, with its number (受理告知).
 * - `replied`: the order was handled and the result is ready for the citizen (办结答复).
 * - `closed`: the order was filed (办结归档).
 * - `callback`: a callback (回访) is due: the citizen may expect the hotline's call.
 * - `neverReached`: the unit could not reach the citizen by phone (青浦 / 北京 `smsIfNeverReached`).
 */
export type SmsKind = 'received' | 'replied' | 'closed' | 'callback' | 'neverReached';

export const SMS_KINDS: readonly SmsKind[] = ['received', 'replied', 'closed', 'callback', 'neverReached'];

export interface SmsContext {
  /** How the hotline signs its messages, e.g. 12345政务服务便民热线. */
  readonly hotlineName: string;
  /** The order number the citizen quotes when calling back. */
  readonly orderNumber: string;
  /**
   * A confidential caller (保密): the text names neither the matter nor the units (the phone may be
   * seen by others), only the order number, as the masking policy keeps the case to its handlers.
   */
  readonly confidential: boolean;
  /** The order's category (投诉, 求助, …), named only for callers who are not confidential. */
  readonly category?: string;
}

/** The message text. Short enough for one UCS-2 message where it can be (70 characters). */
export function smsText(kind: SmsKind, c: SmsContext): string {
  const sign = `【${c.hotlineName}】`;
  const matter = c.confidential || !c.category ? '您的诉求' : `您反映的${c.category}事项`;
  switch (kind) {
    case 'received':
      return `${sign}${matter}已受理，工单号${c.orderNumber}，我们将按时限办理并答复您。`;
    case 'replied':
      return `${sign}工单${c.orderNumber}已办理完毕，承办单位已答复，如有疑问请致电本热线。`;
    case 'closed':
      return `${sign}工单${c.orderNumber}已办结归档，感谢您对热线工作的支持。`;
    case 'callback':
      return `${sign}我们将就工单${c.orderNumber}的办理情况对您回访，请留意来电。`;
    case 'neverReached':
      return `${sign}承办单位多次致电未能联系到您，请就工单${c.orderNumber}致电本热线。`;
  }
}

/** Idempotency key of one notice of one order: the same notice is never queued twice. */
export function smsKey(orderId: string, kind: SmsKind, occasion = ''): string {
  return occasion === '' ? `${orderId}:${kind}` : `${orderId}:${kind}:${occasion}`;
}

export interface SmsHours {
  /** Sending hours on Beijing time, HH:MM, from (inclusive) to (exclusive). */
  readonly from: string;
  readonly to: string;
}

/** Parses `08:00-21:00`; null when it is not that form or does not run forwards within one day. */
export function parseSmsHours(v: string): SmsHours | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/.exec(v.trim());
  if (!m) return null;
  const from = `${m[1]}:${m[2]}`;
  const to = `${m[3]}:${m[4]}`;
  return from < to ? { from, to } : null;
}

/** The first moment at or after `at` within the sending hours (no SMS at night). */
export function nextSendingSlot(at: Date, hours: SmsHours): Date {
  return nextCallingSlot(at, { hoursFrom: hours.from, hoursTo: hours.to });
}

export interface SmsRetryPolicy {
  /** Submissions at most, the first included; after the last failure the message is recorded failed. */
  readonly maxAttempts: number;
  /** Wait after the first failure; each further failure doubles it, up to `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** Wait before try `failures + 1` after `failures` failed submissions (1, 2, …): exponential back-off. */
export function retryDelayMs(failures: number, p: SmsRetryPolicy): number {
  const n = Math.max(1, failures);
  return Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** Math.min(n - 1, 30));
}

/** What happened to a message: queued (waiting for its next try), sent (the SMSC took it), delivered, failed. */
export type SmsStatus = 'queued' | 'sent' | 'delivered' | 'failed';

/**
 * A delivery receipt's final state (SMPP 3.4 appendix B `stat:`): DELIVRD is delivered; EXPIRED,
 * DELETED, UNDELIV, REJECTD and UNKNOWN are failed; ENROUTE / ACCEPTD are not final (null).
 */
export function receiptStatus(stat: string): 'delivered' | 'failed' | null {
  const s = stat.trim().toUpperCase();
  if (s === 'DELIVRD') return 'delivered';
  if (['EXPIRED', 'DELETED', 'UNDELIV', 'REJECTD', 'UNKNOWN'].includes(s)) return 'failed';
  return null;
}

/** Parses the text of an SMPP delivery receipt: `id:… sub:… dlvrd:… submit date:… done date:… stat:… err:…`. */
export function parseReceiptText(text: string): { readonly messageId: string; readonly stat: string; readonly err: string | null } | null {
  const id = /(?:^|\s)id:(\S+)/i.exec(text);
  const stat = /(?:^|\s)stat:(\S+)/i.exec(text);
  if (!id?.[1] || !stat?.[1]) return null;
  const err = /(?:^|\s)err:(\S+)/i.exec(text);
  return { messageId: id[1], stat: stat[1], err: err?.[1] ?? null };
}
