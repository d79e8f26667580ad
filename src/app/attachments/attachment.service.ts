/**
 * Evidence files of work orders: upload (streamed, checked by content, limited per file and per
 * order, images cleaned of their location), list, and download under the order's access rules
 * (a unit sees only its orders' files; a confidential order's files only its handlers). Every
 * download is audited.
 */
import { PassThrough, Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { seesRecording, type Actor } from '../../domain/access';
import {
  SNIFF_BYTES, sanitizeFileName, sniffFileType, type AttachmentLimits, type AttachmentRefusal, type AttachmentStep, type FileType,
} from '../../domain/attachment';
import { TERMINAL_STATUSES, type AttachmentRef, type WorkOrder } from '../../domain/work-order';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../../shared/errors';
import type { Logger } from '../../shared/logger';
import type { WorkOrderRepository } from '../work-orders/work-orders.ports';
import { canSee, handlesOrder, orderHandlers } from '../work-orders/lifecycle/work-order.policy';
import type { AttachmentStore, ByteRange, CallRecordingLookup, CallRecordingSource, ImageCleaner, StoredAttachment } from './attachment.ports';

export interface AttachmentServiceDeps {
  readonly orders: Pick<WorkOrderRepository, 'get'>;
  readonly store: AttachmentStore;
  readonly images: ImageCleaner;
  readonly limits: AttachmentLimits;
  /** Keep images' EXIF (GPS location included) as uploaded; default false: removed. */
  readonly keepImageMetadata?: boolean;
  readonly clock: () => number;
  readonly log: Logger;
  /** The calls' recordings (telephony) and which recording a call has (its record); without them none can be attached. */
  readonly recordings?: { readonly source: CallRecordingSource; readonly calls: CallRecordingLookup };
}

/** `source` of a file copied from a call's recording. */
const CALL_SOURCE = 'call:';

const REFUSAL_STATUS: Record<AttachmentRefusal, number> = { EMPTY: 400, TOO_LARGE: 413, ORDER_FULL: 413, TYPE_NOT_ALLOWED: 415 };

export class AttachmentRefused extends AppError {
  constructor(readonly reason: AttachmentRefusal, message: string) {
    super('VALIDATION.FIELD', message, REFUSAL_STATUS[reason], { field: 'file', reasonCode: `ATTACHMENT.${reason}` });
  }
}

/** Counts bytes through; fails the stream past `max`. */
class ByteLimit extends Transform {
  count = 0;
  constructor(private readonly max: number, private readonly refusal: () => AttachmentRefused) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.count += chunk.length;
    if (this.count > this.max) done(this.refusal());
    else done(null, chunk);
  }
}

/** Reads the first `n` bytes (or all, when shorter) and gives back a stream of the whole content. */
async function peek(content: Readable, n: number): Promise<{ head: Buffer; whole: Readable; release: () => Promise<void> }> {
  // Not destroyed when the checks stop early: the rest of the request is drained instead (see upload).
  const iterator = content.iterator({ destroyOnReturn: false }) as AsyncIterator<Buffer>;
  const first: Buffer[] = [];
  let have = 0;
  let ended = false;
  while (have < n) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    first.push(next.value);
    have += next.value.length;
  }
  const head = Buffer.concat(first);
  async function* rest(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (ended) return;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield next.value;
    }
  }
  // Detaches the reader (without destroying the source) so that resume() can drain what is left.
  const release = async (): Promise<void> => {
    await iterator.return?.();
  };
  return { head, whole: Readable.from(rest(), { objectMode: false }), release };
}

export interface UploadInput {
  readonly orderId: string;
  readonly step: AttachmentStep;
  readonly fileName: string;
  readonly content: Readable;
  /** Set for a file that was not uploaded (the recording of the order's call). */
  readonly source?: string;
}

export interface Download {
  readonly attachment: StoredAttachment;
  readonly range: ByteRange | null;
  readonly body: Readable;
}

export class AttachmentService {
  constructor(private readonly deps: AttachmentServiceDeps) {}

  async upload(actor: Actor, input: UploadInput): Promise<StoredAttachment> {
    const { limits } = this.deps;
    let release: (() => Promise<void>) | null = null;
    try {
      const order = await this.visibleOrder(actor, input.orderId);
      if (TERMINAL_STATUSES.has(order.status)) throw new ConflictError(`the order is ${order.status}: no more files`, { reasonCode: 'ATTACHMENT.ORDER_CLOSED' });
      const usage = await this.deps.store.usage(order.id);
      if (usage.files >= limits.maxOrderFiles || usage.bytes >= limits.maxOrderBytes) {
        throw new AttachmentRefused('ORDER_FULL', `the order already holds ${usage.files} files (${usage.bytes} bytes); limits: ${limits.maxOrderFiles} files, ${limits.maxOrderBytes} bytes`);
      }
      const peeked = await peek(input.content, SNIFF_BYTES);
      release = peeked.release;
      const { head, whole } = peeked;
      if (head.length === 0) throw new AttachmentRefused('EMPTY', 'the file is empty');
      const type = sniffFileType(head);
      if (!type) throw new AttachmentRefused('TYPE_NOT_ALLOWED', 'file type not allowed: JPEG, PNG, WebP, PDF, WAV, MP3 or Ogg only (judged by content, not by name)');
      const roomInOrder = limits.maxOrderBytes - usage.bytes;
      const limit = new ByteLimit(Math.min(limits.maxFileBytes, roomInOrder), () =>
        roomInOrder < limits.maxFileBytes
          ? new AttachmentRefused('ORDER_FULL', `the order has room for ${roomInOrder} more bytes (limit ${limits.maxOrderBytes} per order)`)
          : new AttachmentRefused('TOO_LARGE', `a file may be at most ${limits.maxFileBytes} bytes`),
      );
      const strip = type.kind === 'photo' && !this.deps.keepImageMetadata;
      const stored = await this.deps.store.save(
        {
          orderId: order.id, step: input.step, name: sanitizeFileName(input.fileName, type), mime: type.mime, kind: type.kind,
          uploadedAt: new Date(this.deps.clock()), uploadedBy: actor.userId, metadataStripped: strip,
          ...(input.source !== undefined ? { source: input.source } : {}),
        },
        this.cleaned(whole, limit, type, strip),
      );
      // Two uploads racing on one order may both have passed the first check: the later one gives way.
      const after = await this.deps.store.usage(order.id);
      if (after.bytes > limits.maxOrderBytes || after.files > limits.maxOrderFiles) {
        await this.deps.store.remove(stored.id);
        throw new AttachmentRefused('ORDER_FULL', `the order's limits (${limits.maxOrderFiles} files, ${limits.maxOrderBytes} bytes) were reached`);
      }
      this.deps.log.info('attachment stored', { orderId: order.id, attachmentId: stored.id, step: stored.step, mime: stored.mime, size: stored.size, userId: actor.userId });
      return stored;
    } finally {
      // Whatever was refused, the rest of the request is read and dropped so the client gets its answer.
      await release?.().catch(() => undefined);
      input.content.resume();
    }
  }

  /** The content as it will be stored: counted against the limits, and cleaned when it is an image. */
  private cleaned(whole: Readable, limit: ByteLimit, type: FileType, strip: boolean): Readable {
    const out = strip ? this.deps.images.strip(type) : new PassThrough();
    const result = new PassThrough();
    out.pipe(result);
    const fail = (err: unknown): void => {
      // A decoder failure on a file that passed the magic-byte check is the client's bad file (400).
      result.destroy(err instanceof AppError ? err : new ValidationError('file', `the file could not be read as the ${type.mime} its first bytes claim`));
    };
    // The image encoder reports late errors on its readable side, after the pipeline has settled.
    out.on('error', fail);
    pipeline(whole, limit, out).catch(fail);
    return result;
  }

  async list(actor: Actor, orderId: string): Promise<StoredAttachment[]> {
    const order = await this.visibleOrder(actor, orderId);
    this.requireFileAccess(actor, order);
    const files = await this.deps.store.list(order.id);
    const calls = [...new Set(files.flatMap((f) => (f.source?.startsWith(CALL_SOURCE) ? [f.source] : [])))];
    if (calls.length === 0) return files;
    // A call's recording is listed only for those who may hear it.
    const heard = new Set<string>();
    for (const s of calls) if (await this.hearsCall(actor, order, s.slice(CALL_SOURCE.length))) heard.add(s);
    return files.filter((f) => !f.source?.startsWith(CALL_SOURCE) || heard.has(f.source));
  }

  /** Opens a file for download (whole, or one byte range) and records who downloaded it. */
  async download(actor: Actor, orderId: string, attachmentId: string, range: ByteRange | 'all' | ((size: number) => ByteRange | null | 'unsatisfiable')): Promise<Download> {
    const order = await this.visibleOrder(actor, orderId);
    this.requireFileAccess(actor, order);
    const attachment = await this.deps.store.get(order.id, attachmentId);
    if (!attachment) throw new NotFoundError('attachment');
    if (attachment.source?.startsWith(CALL_SOURCE) && !(await this.hearsCall(actor, order, attachment.source.slice(CALL_SOURCE.length)))) throw new NotFoundError('attachment');
    const wanted = typeof range === 'function' ? range(attachment.size) : range === 'all' ? null : range;
    if (wanted === 'unsatisfiable') {
      throw new AppError('VALIDATION.FIELD', `range not satisfiable: the file has ${attachment.size} bytes`, 416, { field: 'range', size: attachment.size });
    }
    await this.deps.store.recordDownload({ attachmentId, orderId: order.id, userId: actor.userId, role: actor.role, at: new Date(this.deps.clock()), range: wanted });
    return { attachment, range: wanted, body: this.deps.store.open(attachmentId, wanted) };
  }

  /**
   * Attaches the recording of the call the order was made from, in one action: the telephony's stored
   * recording is streamed into the order's files (kind recording, step intake) through the same checks
   * and limits as an upload. Idempotent: a recording already attached is answered again (`created`
   * false). For those who may hear the call (domain/access seesRecording: the agent who answered or
   * made the order, the lead unit, supervisors, administrators); 404 for anyone else, 409 when the
   * order has no call, the call no recording, or the recording is not finished yet.
   */
  async attachCallRecording(actor: Actor, orderId: string): Promise<{ readonly attachment: StoredAttachment; readonly created: boolean }> {
    const order = await this.visibleOrder(actor, orderId);
    this.requireFileAccess(actor, order);
    const rec = this.deps.recordings;
    if (!order.callId) throw new ConflictError('the order was not made from a call', { reasonCode: 'ATTACHMENT.NO_CALL' });
    if (!(await this.hearsCall(actor, order, order.callId))) throw new NotFoundError('work order');
    const call = rec ? await rec.calls.recordingOf(order.callId) : null;
    if (!rec || !call) throw new ConflictError('the call has no recording', { reasonCode: 'ATTACHMENT.NO_RECORDING' });
    const source = `${CALL_SOURCE}${order.callId}`;
    const first = async (): Promise<StoredAttachment | undefined> => (await this.deps.store.list(order.id)).find((f) => f.source === source);
    const existing = await first();
    if (existing) return { attachment: existing, created: false };
    const content = await rec.source.open(call.name);
    if (!content) throw new ConflictError('the recording is not available yet (the call may still be going on)', { reasonCode: 'ATTACHMENT.RECORDING_NOT_READY' });
    const stored = await this.upload(actor, { orderId: order.id, step: 'intake', fileName: `通话录音 ${order.number}`, content, source });
    // Two requests at once may both have copied it: the later copy gives way to the first.
    const kept = await first();
    if (kept && kept.id !== stored.id) {
      await this.deps.store.remove(stored.id);
      return { attachment: kept, created: false };
    }
    this.deps.log.info('call recording attached', { orderId: order.id, callId: order.callId, attachmentId: stored.id, size: stored.size, userId: actor.userId });
    return { attachment: stored, created: true };
  }

  /** The call's recording is for those who handle its case (domain/access seesRecording). */
  private async hearsCall(actor: Actor, order: WorkOrder, callId: string): Promise<boolean> {
    const call = await this.deps.recordings?.calls.recordingOf(callId);
    return seesRecording(actor, { ...orderHandlers(order), handlingAgentId: call?.handlingAgentId ?? null });
  }

  /**
   * The stored files an action names (evidence of a return, files of a reply), with their stored
   * names and kinds; 400 names an id that is not a file of this order.
   */
  async resolveRefs(orderId: string, refs: readonly AttachmentRef[], field: string): Promise<AttachmentRef[]> {
    if (refs.length === 0) return [];
    const files = new Map((await this.deps.store.list(orderId)).map((f) => [f.id, f]));
    return refs.map((ref) => {
      const f = files.get(ref.id);
      if (!f) throw new ValidationError(field, `attachment ${ref.id} is not a file of this order: upload it first`);
      return { id: f.id, name: f.name, kind: f.kind };
    });
  }

  private async visibleOrder(actor: Actor, orderId: string): Promise<WorkOrder> {
    const stored = await this.deps.orders.get(orderId);
    if (!stored || !canSee(actor, stored.order)) throw new NotFoundError('work order');
    return stored.order;
  }

  /** A confidential order's files are the case's: its handlers only (others get 404, as for an unknown order). */
  private requireFileAccess(actor: Actor, order: WorkOrder): void {
    if (order.caller.confidential && !handlesOrder(actor, order)) throw new NotFoundError('work order');
  }
}

