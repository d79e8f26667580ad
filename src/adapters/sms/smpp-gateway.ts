/**
 * SmsGateway over SMPP 3.4 (what Chinese operators' and SMS gateways' bulk interfaces speak), with
 * the `smpp` package (node-smpp). One transceiver session, opened and bound on the first submission
 * and again after any loss; `submit_sm` asks for a delivery receipt, and receipts come back as
 * `deliver_sm` on the same session. Chinese text goes as UCS-2 (data_coding 8); a text longer than
 * one message (70 characters) goes whole in `message_payload`. Every wait is bounded: a connection,
 * bind or submission that takes too long counts as failed and the session is dropped, so the next
 * try starts clean. The password is never logged.
 */
import * as smpp from 'smpp';
import { parseReceiptText, receiptStatus } from '../../domain/sms';
import { SmsSendError, type DeliveryReceipt, type SmsGateway, type SmsSubmission } from '../../app/sms/sms.ports';
import type { Logger } from '../../shared/logger';

export interface SmppGatewayOptions {
  readonly host: string;
  readonly port: number;
  /** SMPP over TLS (ssmpp://). */
  readonly tls?: boolean;
  readonly systemId: string;
  readonly password: string;
  /** The sender shown to citizens (e.g. 12345 or the operator-assigned long number). */
  readonly sourceAddr: string;
  /** Longest wait for connect + bind, and for the answer to one submission. */
  readonly timeoutMs: number;
  /** enquire_link period keeping the session alive (0: none). */
  readonly enquireLinkMs: number;
}

/** Refusals that another try will not change (bad number, bad text): recorded failed at once. */
const PERMANENT = new Set<number>([0x0001, 0x000a, 0x000b, 0x0033, 0x0040, 0x0042, 0x0043, 0x0048, 0x0049, 0x0050, 0x0051]);

const UCS2_SINGLE = 70;

/** deliver_sm esm_class bits 2-5: 0x04 = SMSC delivery receipt. */
const isReceipt = (esmClass: number | undefined): boolean => ((esmClass ?? 0) & 0x3c) === 0x04;

function textOf(v: smpp.PDU['short_message']): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('latin1');
  return typeof v.message === 'string' ? v.message : v.message.toString('latin1');
}

/** SMPP 3.4 message_state → final state of a receipt that carries TLVs only. */
const MESSAGE_STATE: Record<number, 'delivered' | 'failed'> = { 2: 'delivered', 3: 'failed', 4: 'failed', 5: 'failed', 7: 'failed', 8: 'failed' };

export class SmppGateway implements SmsGateway {
  private session: smpp.Session | null = null;
  private bound: Promise<smpp.Session> | null = null;
  private readonly handlers: ((r: DeliveryReceipt) => void)[] = [];
  private stopped = false;

  constructor(private readonly opts: SmppGatewayOptions, private readonly log: Logger) {}

  onReceipt(handler: (r: DeliveryReceipt) => void): void {
    this.handlers.push(handler);
  }

  async submit(m: SmsSubmission): Promise<{ messageId: string }> {
    if (this.stopped) throw new SmsSendError('the SMS gateway connection is stopped', false, 'STOPPED');
    const session = await this.bind();
    const text = [...m.text].length > UCS2_SINGLE ? { message_payload: m.text } : { short_message: m.text };
    const resp = await this.request(
      session,
      (cb) => session.submit_sm({ source_addr: this.opts.sourceAddr, source_addr_ton: 5, destination_addr: m.to, registered_delivery: 1, ...text }, cb),
      'submit_sm',
    );
    if (resp.command_status !== 0) {
      const code = `0x${resp.command_status.toString(16).padStart(4, '0')}`;
      throw new SmsSendError(`the SMSC refused the message (command_status ${code})`, PERMANENT.has(resp.command_status), code);
    }
    if (!resp.message_id) throw new SmsSendError('the SMSC answered without a message id', false, 'NO_ID');
    return { messageId: resp.message_id };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const s = this.session;
    this.drop();
    if (!s) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, this.opts.timeoutMs);
      t.unref();
      s.close(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /** The bound session: the current one, or a new connection and bind. */
  private bind(): Promise<smpp.Session> {
    this.bound ??= this.connectAndBind().catch((err: unknown) => {
      this.drop();
      throw err;
    });
    return this.bound;
  }

  private async connectAndBind(): Promise<smpp.Session> {
    const session = await new Promise<smpp.Session>((resolve, reject) => {
      const tls = this.opts.tls === true;
      const s = smpp.connect({ host: this.opts.host, port: this.opts.port, tls, ...(this.opts.enquireLinkMs > 0 ? { auto_enquire_link_period: this.opts.enquireLinkMs } : {}) });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new SmsSendError(`no connection to the SMSC within ${this.opts.timeoutMs} ms`, false, 'CONNECT_TIMEOUT'));
      }, this.opts.timeoutMs);
      s.once(tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once('error', (err: Error) => {
        clearTimeout(timer);
        reject(new SmsSendError(`cannot reach the SMSC: ${err.message}`, false, 'CONNECT'));
      });
    });
    this.session = session;
    this.watch(session);
    const resp = await this.request(session, (cb) => session.bind_transceiver({ system_id: this.opts.systemId, password: this.opts.password }, cb), 'bind_transceiver');
    if (resp.command_status !== 0) {
      session.destroy();
      throw new SmsSendError(`the SMSC refused the bind (command_status 0x${resp.command_status.toString(16)})`, false, 'BIND');
    }
    this.log.info('smpp bound', { host: this.opts.host, port: this.opts.port, systemId: this.opts.systemId });
    return session;
  }

  private watch(session: smpp.Session): void {
    const lost = (why: string) => () => {
      if (this.session === session) {
        this.log.warn('smpp session lost', { why });
        this.drop();
      }
    };
    session.on('error', (err: Error) => lost(err.message)());
    session.on('close', lost('closed'));
    session.on('unbind', (pdu: smpp.PDU) => {
      session.send(pdu.response());
      lost('unbound by the SMSC')();
      session.close();
    });
    session.on('enquire_link', (pdu: smpp.PDU) => session.send(pdu.response()));
    session.on('deliver_sm', (pdu: smpp.PDU) => {
      session.send(pdu.response());
      if (!isReceipt(pdu.esm_class)) return; // a citizen's reply: not handled here
      const r = this.receiptOf(pdu);
      if (!r) {
        this.log.warn('smpp receipt not understood', { text: textOf(pdu.short_message).slice(0, 120) });
        return;
      }
      for (const h of this.handlers) h(r);
    });
  }

  private receiptOf(pdu: smpp.PDU): DeliveryReceipt | null {
    const parsed = parseReceiptText(textOf(pdu.short_message));
    const messageId = pdu.receipted_message_id ?? parsed?.messageId;
    if (!messageId) return null;
    const status = parsed ? receiptStatus(parsed.stat) : pdu.message_state !== undefined ? (MESSAGE_STATE[pdu.message_state] ?? null) : null;
    if (!status) return null;
    return { messageId, status, detail: parsed ? `stat:${parsed.stat}${parsed.err ? ` err:${parsed.err}` : ''}` : `message_state:${pdu.message_state}` };
  }

  /** Sends one request and waits for its answer, at most timeoutMs (then the session is dropped). */
  private request(session: smpp.Session, send: (cb: smpp.ResponseCallback) => boolean, what: string): Promise<smpp.PDU> {
    return new Promise<smpp.PDU>((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        session.off('close', onClose);
        fn();
      };
      const timer = setTimeout(() => {
        finish(() => reject(new SmsSendError(`no answer to ${what} within ${this.opts.timeoutMs} ms`, false, 'TIMEOUT')));
        // The SMSC may have taken it or not: the session is replaced, and the message tried again.
        if (this.session === session) this.drop();
        session.destroy();
      }, this.opts.timeoutMs);
      const onClose = (): void => finish(() => reject(new SmsSendError(`the SMSC closed the connection during ${what}`, false, 'CLOSED')));
      session.on('close', onClose);
      if (!send((pdu) => finish(() => resolve(pdu)))) finish(() => reject(new SmsSendError(`the connection to the SMSC is not writable (${what})`, false, 'NOT_WRITABLE')));
    });
  }

  private drop(): void {
    this.session = null;
    this.bound = null;
  }
}
