/**
 * Asterisk's stored recordings over ARI (`GET /ari/recordings/stored/{name}/file`, Asterisk 14+),
 * streamed: a call's recording is copied into the database as the order's evidence without being
 * held whole in memory. The request is bounded until the answer's headers come; the body then
 * streams as fast as the database takes it.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { CallRecordingSource } from '../../app/attachments/attachment.ports';
import type { RecordingStore } from '../../app/callbacks/callbacks.ports';

export interface AriRecordingsOptions {
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly requestTimeoutMs: number;
}

export class AriStoredRecordings implements CallRecordingSource {
  private readonly store: AriRecordingStore;

  constructor(opts: AriRecordingsOptions) {
    this.store = new AriRecordingStore(opts);
  }

  async open(name: string): Promise<Readable | null> {
    return (await this.store.open(name))?.body ?? null;
  }
}

/**
 * The same stored recordings for listening and retention: the size (the answer's Content-Length,
 * which Asterisk sends for a stored file; counted from the bytes when absent) with the bytes, and
 * deletion (`DELETE /ari/recordings/stored/{name}`; one already gone is fine).
 */
export class AriRecordingStore implements RecordingStore {
  constructor(private readonly opts: AriRecordingsOptions) {}

  async open(name: string): Promise<{ size: number; body: Readable } | null> {
    const res = await this.request('GET', name);
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      throw new Error(`Asterisk answered ${res.status} for the stored recording`);
    }
    const length = Number(res.headers.get('content-length'));
    if (Number.isInteger(length) && length >= 0) return { size: length, body: Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>) };
    const bytes = Buffer.from(await res.arrayBuffer());
    return { size: bytes.length, body: Readable.from([bytes]) };
  }

  async delete(name: string): Promise<void> {
    const res = await this.request('DELETE', name);
    await res.body?.cancel();
    if (!res.ok && res.status !== 404) throw new Error(`Asterisk answered ${res.status} deleting the stored recording`);
  }

  private async request(method: 'GET' | 'DELETE', name: string): Promise<Response> {
    const url = `${this.opts.url.replace(/\/+$/, '')}/ari/recordings/stored/${encodeURIComponent(name)}${method === 'GET' ? '/file' : ''}`;
    const auth = Buffer.from(`${this.opts.username}:${this.opts.password}`).toString('base64');
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error(`no answer from Asterisk within ${this.opts.requestTimeoutMs} ms`)), this.opts.requestTimeoutMs);
    try {
      return await fetch(url, { method, headers: { authorization: `Basic ${auth}` }, signal: abort.signal });
    } finally {
      clearTimeout(timer);
    }
  }
}
