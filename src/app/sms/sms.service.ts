/**
 * Text messages to citizens (短信). Notices of an order (received with its number, the reply, the
 * filing, a coming callback, the unit's failed calls under `smsIfNeverReached`) are first kept in
 * the outbox, queued, under a key that makes each notice of an order one message however often it is
 * asked for. A dispatcher, run periodically by the Background helper, takes due messages one at a
 * time (a lease keeps two instances off the same message) and submits them to the gateway: taken →
 * `sent`; refused, timed out or the gateway down → queued again after an exponential back-off, and
 * after the last try `failed`. Nothing is lost in an outage: the message waits in the database.
 * Delivery receipts turn `sent` into `delivered` or `failed`. No SMS at night: a message due outside
 * the sending hours waits for the next morning. Numbers appear in logs masked, always.
 */
import type { Actor } from '../../domain/access';
import { maskPhone } from '../../domain/access';
import { nextSendingSlot, retryDelayMs, smsKey, smsText, type SmsHours, type SmsKind, type SmsRetryPolicy } from '../../domain/sms';
import type { WorkOrder } from '../../domain/work-order';
import type { Background } from '../../shared/background';
import { NotFoundError } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import type { WorkOrderEmitter } from '../work-orders/lifecycle/work-order.events';
import type { Clock, WorkOrderRepository } from '../work-orders/work-orders.ports';
import type { RegulationService } from '../work-orders/lifecycle/regulation.service';
import { canSee, handlesOrder } from '../work-orders/lifecycle/work-order.policy';
import { SmsSendError, type DeliveryReceipt, type SmsGateway, type SmsMessage, type SmsOutbox } from './sms.ports';

export interface SmsOptions {
  /** How messages are signed: 【name】. */
  readonly hotlineName: string;
  readonly hours: SmsHours;
  readonly retry: SmsRetryPolicy;
  /** Messages submitted per minute at most by this instance (the gateway's contracted rate). */
  readonly maxPerMinute: number;
  /** How often the dispatcher looks for due messages. */
  readonly dispatchIntervalMs: number;
  /** How long a taken message is this instance's before another may take it (longer than a submission may take). */
  readonly leaseMs: number;
}

export const DEFAULT_SMS_OPTIONS: SmsOptions = {
  hotlineName: '12345热线',
  hours: { from: '08:00', to: '21:00' },
  retry: { maxAttempts: 6, baseDelayMs: 30_000, maxDelayMs: 30 * 60_000 },
  maxPerMinute: 600,
  dispatchIntervalMs: 5000,
  leaseMs: 60_000,
};

export interface SmsServiceDeps {
  readonly outbox: SmsOutbox;
  /** Without a gateway (no SMS configured) nothing is sent; the orders' messages can still be read. */
  readonly gateway: SmsGateway | null;
  readonly orders: Pick<WorkOrderRepository, 'get'>;
  readonly regulation: Pick<RegulationService, 'preset' | 'activePreset'>;
  readonly background: Background;
  readonly clock: Clock;
  readonly log: Logger;
  /** Told when a `neverReached` message was taken by the gateway (the order records the SMS contact). */
  readonly onNeverReachedSent?: (orderId: string, messageId: string) => Promise<void>;
}

export interface DispatchResult {
  readonly sent: number;
  readonly retried: number;
  readonly failed: number;
}

/** Receipts that came before their submission's answer was written are tried again this often, this many times. */
const EARLY_RECEIPT_RETRY_MS = 1000;
const EARLY_RECEIPT_TRIES = 10;

/** A message as shown to one actor: a confidential caller's number and text for the order's handlers only. */
export type SmsView = Omit<SmsMessage, 'to' | 'text'> & { readonly to: string; readonly text: string | null; readonly masked: boolean };

export class SmsService {
  readonly opts: SmsOptions;
  private stopped = false;

  constructor(private readonly deps: SmsServiceDeps, opts: Partial<SmsOptions> = {}) {
    this.opts = { ...DEFAULT_SMS_OPTIONS, ...opts };
    deps.gateway?.onReceipt((r) => deps.background.run('sms.receipt', () => this.receipt(r, 1), { gatewayMessageId: r.messageId }));
  }

  /** Queues the notices that work-order events call for. */
  subscribe(events: WorkOrderEmitter): () => void {
    const bg = this.deps.background;
    // A draft (受理中) is not taken yet: the citizen is told when it is submitted (accept).
    const onCreated = bg.handler('sms.notice', (e: { orderId: string; to: string }) => (e.to === 'DRAFT' ? undefined : this.notify(e.orderId, 'received')));
    const onChanged = bg.handler('sms.notice', (e: { orderId: string; action: string; from: string; to: string; rev: number }) => this.onChange(e));
    const onCallback = bg.handler('sms.notice', (e: { orderId: string; dueAt: Date }) => this.notify(e.orderId, 'callback', e.dueAt.toISOString()));
    events.on('workOrder:created', onCreated);
    events.on('workOrder:changed', onChanged);
    events.on('workOrder:callbackDue', onCallback);
    return () => {
      events.off('workOrder:created', onCreated);
      events.off('workOrder:changed', onChanged);
      events.off('workOrder:callbackDue', onCallback);
    };
  }

  private async onChange(e: { orderId: string; action: string; from: string; to: string; rev: number }): Promise<void> {
    // Each entry into a state is its own occasion (a redone order is answered again).
    if (e.to === 'PENDING_FEEDBACK' && e.from !== 'PENDING_FEEDBACK') await this.notify(e.orderId, 'replied', String(e.rev));
    if (e.to === 'CLOSED' && e.from !== 'CLOSED') await this.notify(e.orderId, 'closed', String(e.rev));
    if (e.action === 'accept' && e.from === 'DRAFT') await this.notify(e.orderId, 'received');
    if (e.action === 'recordContactAttempt') await this.afterContactAttempt(e.orderId);
  }

  /** A failed call to the citizen before first contact, under a preset that then wants an SMS (once per dispatch). */
  private async afterContactAttempt(orderId: string): Promise<void> {
    const stored = await this.deps.orders.get(orderId);
    if (!stored) return;
    const o = stored.order;
    const preset = this.deps.regulation.preset(o.presetId) ?? this.deps.regulation.activePreset();
    const last = o.contactAttempts[o.contactAttempts.length - 1];
    if (!preset.firstContact.smsIfNeverReached || o.firstContactAt || !last || last.channel !== 'phone' || last.reached) return;
    await this.queue(o, 'neverReached', String(o.dispatchCount));
  }

  /** Queues one notice of an order (idempotent per order, kind and occasion); false when nothing was queued. */
  async notify(orderId: string, kind: SmsKind, occasion = ''): Promise<boolean> {
    const stored = await this.deps.orders.get(orderId);
    if (!stored) return false;
    return this.queue(stored.order, kind, occasion);
  }

  private async queue(o: WorkOrder, kind: SmsKind, occasion: string): Promise<boolean> {
    const phone = o.caller.phone?.trim();
    if (!phone || !/^\+?\d{5,20}$/.test(phone)) return false;
    // A citizen who declined callbacks is not told one is coming.
    if (kind === 'callback' && o.caller.callbackConsent === 'declined') return false;
    const now = new Date(this.deps.clock());
    const text = smsText(kind, { hotlineName: this.opts.hotlineName, orderNumber: o.number, confidential: o.caller.confidential, category: o.category });
    const queued = await this.deps.outbox.enqueue({
      key: smsKey(o.id, kind, occasion), orderId: o.id, orderNumber: o.number, kind, to: phone, text, confidential: o.caller.confidential,
      createdAt: now, nextAttemptAt: nextSendingSlot(now, this.opts.hours),
    });
    if (queued) this.deps.log.info('sms queued', { orderId: o.id, kind, to: maskPhone(phone) });
    return queued;
  }

  /** Starts the periodic dispatcher (Background helper); returns its stop. */
  start(): { stop(): void } {
    if (!this.deps.gateway) return { stop: () => undefined };
    this.stopped = false;
    const every = this.deps.background.every('sms.dispatch', this.opts.dispatchIntervalMs, () => this.dispatch());
    return {
      stop: () => {
        this.stopped = true;
        every.stop();
      },
    };
  }

  /** Submits the messages due now, up to this run's share of the rate limit. */
  async dispatch(): Promise<DispatchResult> {
    if (!this.deps.gateway) return { sent: 0, retried: 0, failed: 0 };
    const perRun = Math.max(1, Math.floor((this.opts.maxPerMinute * this.opts.dispatchIntervalMs) / 60_000));
    let sent = 0;
    let retried = 0;
    let failed = 0;
    for (let i = 0; i < perRun && !this.stopped; i++) {
      const now = this.deps.clock();
      const m = await this.deps.outbox.claimDue(new Date(now), new Date(now + this.opts.leaseMs));
      if (!m) break;
      const outcome = await this.tryOnce(m);
      if (outcome === 'sent') sent++;
      else if (outcome === 'retry') retried++;
      else failed++;
      // The gateway is down: the others wait for the next run instead of each failing now.
      if (outcome === 'retry') break;
    }
    return { sent, retried, failed };
  }

  private async tryOnce(m: SmsMessage): Promise<'sent' | 'retry' | 'failed'> {
    const gateway = this.deps.gateway;
    if (!gateway) return 'retry';
    const attempts = m.attempts + 1;
    const fields = { smsId: m.id, orderId: m.orderId, kind: m.kind, to: maskPhone(m.to), attempt: attempts };
    try {
      const { messageId } = await gateway.submit({ ref: m.id, to: m.to, text: m.text });
      const at = new Date(this.deps.clock());
      await this.deps.outbox.markSent(m.id, messageId, at);
      this.deps.log.info('sms sent', { ...fields, gatewayMessageId: messageId });
      if (m.kind === 'neverReached' && this.deps.onNeverReachedSent) {
        const record = this.deps.onNeverReachedSent;
        this.deps.background.run('sms.contact-attempt', () => record(m.orderId, messageId), { orderId: m.orderId });
      }
      return 'sent';
    } catch (err) {
      const now = this.deps.clock();
      const error = err instanceof Error ? err.message : String(err);
      const permanent = err instanceof SmsSendError && err.permanent;
      if (permanent || attempts >= this.opts.retry.maxAttempts) {
        await this.deps.outbox.markFailed(m.id, attempts, new Date(now), error);
        this.deps.log.warn('sms failed', { ...fields, err: error, permanent });
        return 'failed';
      }
      const next = nextSendingSlot(new Date(now + retryDelayMs(attempts, this.opts.retry)), this.opts.hours);
      await this.deps.outbox.markRetry(m.id, attempts, next, error);
      this.deps.log.warn('sms not sent, will retry', { ...fields, err: error, nextAttemptAt: next.toISOString() });
      return 'retry';
    }
  }

  private async receipt(r: DeliveryReceipt, attempt: number): Promise<void> {
    const found = await this.deps.outbox.recordReceipt(r.messageId, r.status, new Date(this.deps.clock()), r.detail);
    if (found) {
      this.deps.log.info('sms receipt', { gatewayMessageId: r.messageId, status: r.status, detail: r.detail });
      return;
    }
    // The receipt may come before the answer to the submission was written: try again shortly.
    if (attempt < EARLY_RECEIPT_TRIES) {
      this.deps.background.after('sms.receipt', EARLY_RECEIPT_RETRY_MS, () => this.receipt(r, attempt + 1), { gatewayMessageId: r.messageId });
    } else {
      this.deps.log.warn('sms receipt for an unknown message', { gatewayMessageId: r.messageId, status: r.status });
    }
  }

  /** The order's messages for an actor who may see the order; a confidential caller's number and text masked for non-handlers. */
  async forOrder(actor: Actor, orderId: string): Promise<SmsView[]> {
    const stored = await this.deps.orders.get(orderId);
    if (!stored || !canSee(actor, stored.order)) throw new NotFoundError('work order');
    const sees = !stored.order.caller.confidential || handlesOrder(actor, stored.order);
    return (await this.deps.outbox.forOrder(orderId)).map((m) => (sees ? { ...m, masked: false } : { ...m, to: maskPhone(m.to), text: null, masked: true }));
  }
}
