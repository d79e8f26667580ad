/** Ports of the text messages to citizens: the gateway that sends them and the outbox that keeps every one. */
import type { SmsKind, SmsStatus } from '../../domain/sms';

export interface SmsSubmission {
  /** Our id of the message (the outbox's), for logs. */
  readonly ref: string;
  /** The citizen's number, as on the order. */
  readonly to: string;
  readonly text: string;
}

/** A submission the gateway refused or could not make; `permanent` ones are not tried again. */
export class SmsSendError extends Error {
  constructor(message: string, readonly permanent: boolean, readonly code: string) {
    super(message);
    this.name = 'SmsSendError';
  }
}

export interface DeliveryReceipt {
  /** The gateway's id of the message (from the submission's answer). */
  readonly messageId: string;
  readonly status: 'delivered' | 'failed';
  /** The gateway's words for it (`stat` / `err` of the receipt). */
  readonly detail: string;
}

/** The operator's SMS gateway (SMPP in production). */
export interface SmsGateway {
  /** Submits one message; resolves with the gateway's message id once it took the message, or throws SmsSendError. */
  submit(m: SmsSubmission): Promise<{ readonly messageId: string }>;
  /** Delivery receipts as the gateway reports them (at any time, over the same connection). */
  onReceipt(handler: (r: DeliveryReceipt) => void): void;
  /** Closes the connection. */
  stop(): Promise<void>;
}

/** One message as the outbox keeps it. */
export interface SmsMessage {
  readonly id: string;
  /** Idempotency key (domain/sms smsKey): one message per notice of an order. */
  readonly key: string;
  readonly orderId: string;
  readonly orderNumber: string;
  readonly kind: SmsKind;
  readonly to: string;
  readonly text: string;
  /** The caller is confidential: number and text shown to the order's handlers only. */
  readonly confidential: boolean;
  readonly status: SmsStatus;
  /** Submissions tried so far. */
  readonly attempts: number;
  /** A queued message is not tried before this (back-off, sending hours). */
  readonly nextAttemptAt: Date;
  readonly createdAt: Date;
  readonly sentAt: Date | null;
  /** When the receipt said delivered or failed, or the last try failed for good. */
  readonly finishedAt: Date | null;
  readonly gatewayMessageId: string | null;
  /** Why the last try, or the delivery, failed. */
  readonly lastError: string | null;
}

export type NewSmsMessage = Pick<SmsMessage, 'key' | 'orderId' | 'orderNumber' | 'kind' | 'to' | 'text' | 'confidential' | 'createdAt' | 'nextAttemptAt'>;

export interface SmsOutbox {
  /** Keeps a new message queued; false when one with the same key is already kept (nothing changes). */
  enqueue(m: NewSmsMessage): Promise<boolean>;
  /**
   * Takes the next queued message due at `now` for one try: no other instance takes it until
   * `leaseUntil` (a try that died with its process is taken again after that).
   */
  claimDue(now: Date, leaseUntil: Date): Promise<SmsMessage | null>;
  markSent(id: string, gatewayMessageId: string, at: Date): Promise<void>;
  /** A failed try: queued again for `nextAttemptAt`. */
  markRetry(id: string, attempts: number, nextAttemptAt: Date, error: string): Promise<void>;
  /** Failed for good (last try, or a permanent refusal). */
  markFailed(id: string, attempts: number, at: Date, error: string): Promise<void>;
  /** A delivery receipt for a sent message; false when no message has that gateway id. */
  recordReceipt(gatewayMessageId: string, status: 'delivered' | 'failed', at: Date, detail: string): Promise<boolean>;
  forOrder(orderId: string): Promise<SmsMessage[]>;
}
