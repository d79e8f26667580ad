/**
 * An operator's SMS gateway (SMSC) for tests: the `smpp` package's server side over real TCP on
 * loopback. It checks the bind's credentials, answers `submit_sm` with a message id and then sends a
 * delivery receipt as `deliver_sm`, as an operator's gateway does. A test can make it refuse
 * submissions, stay silent (no answer: a timeout), send a failed receipt, or go down and come back
 * on the same port (an outage).
 */
import type { AddressInfo } from 'node:net';
import * as smpp from 'smpp';

export interface Submission {
  readonly messageId: string | null;
  readonly systemId: string;
  readonly to: string;
  readonly from: string;
  readonly dataCoding: number;
  readonly text: string;
  readonly registeredDelivery: number;
  /** What the gateway did with it. */
  readonly answer: 'accepted' | 'refused' | 'silent';
}

export type SmscMode = 'accept' | 'refuse' | 'silent';

function decoded(v: smpp.PDU['short_message']): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('latin1');
  return typeof v.message === 'string' ? v.message : v.message.toString('latin1');
}

export class TestSmsc {
  readonly submissions: Submission[] = [];
  readonly binds: { systemId: string; ok: boolean }[] = [];
  /** What the next submissions get; `modeQueue` first, then `mode`. */
  mode: SmscMode = 'accept';
  readonly modeQueue: SmscMode[] = [];
  /** Receipt `stat:` per destination number (default DELIVRD). */
  readonly receiptStat = new Map<string, string>();
  private server: smpp.Server | null = null;
  private port = 0;
  private seq = 0;

  constructor(readonly systemId: string, private readonly password: string) {}

  get address(): { host: string; port: number } {
    return { host: '127.0.0.1', port: this.port };
  }

  async start(): Promise<void> {
    const server = smpp.createServer((session) => this.serve(session));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** The gateway goes down: every session is cut and nothing listens on the port until start(). */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const s of [...server.sessions]) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private serve(session: smpp.Session): void {
    session.on('error', () => undefined);
    let systemId = '';
    session.on('bind_transceiver', (pdu: smpp.PDU) => {
      const ok = pdu.system_id === this.systemId && pdu.password === this.password;
      this.binds.push({ systemId: pdu.system_id ?? '', ok });
      if (!ok) {
        session.send(pdu.response({ command_status: smpp.ESME_RBINDFAIL }));
        session.close();
        return;
      }
      systemId = pdu.system_id ?? '';
      session.send(pdu.response({ system_id: 'TEST-SMSC' }));
    });
    session.on('enquire_link', (pdu: smpp.PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: smpp.PDU) => {
      session.send(pdu.response());
      session.close();
    });
    session.on('deliver_sm_resp', () => undefined);
    session.on('submit_sm', (pdu: smpp.PDU) => {
      const mode = this.modeQueue.shift() ?? this.mode;
      const to = pdu.destination_addr ?? '';
      const text = decoded(pdu.message_payload ?? pdu.short_message);
      if (mode === 'silent') {
        this.submissions.push({ messageId: null, systemId, to, from: pdu.source_addr ?? '', dataCoding: pdu.data_coding ?? 0, text, registeredDelivery: pdu.registered_delivery ?? 0, answer: 'silent' });
        return;
      }
      if (mode === 'refuse') {
        this.submissions.push({ messageId: null, systemId, to, from: pdu.source_addr ?? '', dataCoding: pdu.data_coding ?? 0, text, registeredDelivery: pdu.registered_delivery ?? 0, answer: 'refused' });
        session.send(pdu.response({ command_status: smpp.ESME_RSYSERR }));
        return;
      }
      this.seq += 1;
      const messageId = `SMSC${String(this.seq).padStart(8, '0')}`;
      this.submissions.push({ messageId, systemId, to, from: pdu.source_addr ?? '', dataCoding: pdu.data_coding ?? 0, text, registeredDelivery: pdu.registered_delivery ?? 0, answer: 'accepted' });
      session.send(pdu.response({ message_id: messageId }), () => {
        if ((pdu.registered_delivery ?? 0) & 0x01) {
          const stat = this.receiptStat.get(to) ?? 'DELIVRD';
          const date = '2612070900';
          session.deliver_sm({
            source_addr: to, destination_addr: pdu.source_addr ?? '', esm_class: 0x04,
            short_message: `id:${messageId} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} submit date:${date} done date:${date} stat:${stat} err:${stat === 'DELIVRD' ? '000' : '001'} text:`,
            receipted_message_id: messageId,
          });
        }
      });
    });
  }
}
