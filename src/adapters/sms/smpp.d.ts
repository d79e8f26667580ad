/** The part of the `smpp` package (node-smpp, no published types) that the SMPP adapter and its tests use. */
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  export interface PDU {
    readonly command: string;
    readonly command_status: number;
    readonly sequence_number: number;
    readonly esm_class?: number;
    readonly message_id?: string;
    readonly system_id?: string;
    readonly password?: string;
    readonly source_addr?: string;
    readonly destination_addr?: string;
    readonly data_coding?: number;
    readonly registered_delivery?: number;
    readonly short_message?: { readonly message: string | Buffer } | Buffer | string;
    readonly message_payload?: { readonly message: string | Buffer } | Buffer | string;
    readonly receipted_message_id?: string;
    readonly message_state?: number;
    response(options?: Record<string, unknown>): PDU;
    isResponse(): boolean;
  }

  export type ResponseCallback = (pdu: PDU) => void;

  export interface Session extends EventEmitter {
    readonly socket: Socket;
    send(pdu: PDU, responseCallback?: ResponseCallback, sendCallback?: ResponseCallback): boolean;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
    pause(): void;
    resume(): void;
    bind_transceiver(options: Record<string, unknown>, cb?: ResponseCallback): boolean;
    submit_sm(options: Record<string, unknown>, cb?: ResponseCallback): boolean;
    deliver_sm(options: Record<string, unknown>, cb?: ResponseCallback): boolean;
    enquire_link(options?: Record<string, unknown> | ResponseCallback, cb?: ResponseCallback): boolean;
    unbind(options?: Record<string, unknown> | ResponseCallback, cb?: ResponseCallback): boolean;
  }

  export interface Server extends NetServer {
    readonly sessions: Session[];
  }

  export const PDU: new (command: string, options?: Record<string, unknown>) => PDU;
  export function connect(options: { host: string; port: number; tls?: boolean; auto_enquire_link_period?: number }, listener?: () => void): Session;
  export function createServer(listener: (session: Session) => void): Server;

  export const ESME_ROK: number;
  export const ESME_RBINDFAIL: number;
  export const ESME_RSYSERR: number;
  export const ESME_RTHROTTLED: number;
  export const ESME_RMSGQFUL: number;
  export const ESME_RINVDSTADR: number;
  export const ESME_RSUBMITFAIL: number;
}
