/**
 * Asterisk's stored recordings over ARI (`GET /ari/recordings/stored/{name}/file`, Asterisk 14+),
 * streamed: a call's recording is copied into the database as the order's evidence without being
 * held whole in memory. The request is bounded until the answer's headers come; the body then
 * streams as fast as the database takes it.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { CallRecordingSource } from '../../app/attachments/attachment.ports';

export interface AriRecordingsOptions {
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly requestTimeoutMs: number;
}

export class AriStoredRecordings implements CallRecordingSource {
  constructor(private readonly opts: AriRecordingsOptions) {}

  async open(name: string): Promise<Readable | null> {
    const url = `${this.opts.url.replace(/\/+$/, '')}/ari/recordings/stored/${encodeURIComponent(name)}/file`;
    const auth = Buffer.from(`${this.opts.username}:${this.opts.password}`).toString('base64');
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error(`no answer from Asterisk within ${this.opts.requestTimeoutMs} ms`)), this.opts.requestTimeoutMs);
    try {
      const res = await fetch(url, { headers: { authorization: `Basic ${auth}` }, signal: abort.signal });
      clearTimeout(timer);
      if (res.status === 404) {
        await res.body?.cancel();
        return null;
      }
      if (!res.ok || !res.body) {
        await res.body?.cancel();
        throw new Error(`Asterisk answered ${res.status} for the stored recording`);
      }
      return Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>);
    } finally {
      clearTimeout(timer);
    }
  }
}
