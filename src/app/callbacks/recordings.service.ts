/**
 * Listening to a call's recording (an inbound call, or a placed callback): streamed from the
 * telephony, whole or one byte range, for those who may hear it, and every access audited (who, when,
 * which bytes). Who may hear it (domain/access): the agent who answered (or placed the callback), the
 * case's lead unit, supervisors and administrators; a confidential case's recording only its handlers.
 * Anyone else gets 404, as for a call that does not exist.
 */
import type { Readable } from 'node:stream';
import { Transform, type TransformCallback } from 'node:stream';
import { AppError, NotFoundError } from '../../shared/errors';
import { isHandling, requirePermission, seesRecording, type Actor } from '../../domain/access';
import type { CallRecordingRef, RecordingAccess, RecordingAudit, RecordingCatalogue, RecordingStore } from './callbacks.ports';

export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface RecordingStream {
  readonly callId: string;
  readonly name: string;
  readonly size: number;
  readonly range: ByteRange | null;
  readonly body: Readable;
}

/** Who may hear a recording: a confidential case's only its handlers. */
export function hearsRecording(actor: Actor, ref: Pick<CallRecordingRef, 'confidential' | 'handlers'>): boolean {
  return ref.confidential ? isHandling(actor, ref.handlers) : seesRecording(actor, ref.handlers);
}

/** Passes bytes start…end (inclusive) of what flows through, counted from the first byte. */
class ByteWindow extends Transform {
  private at = 0;
  constructor(private readonly range: ByteRange) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const from = this.at;
    this.at += chunk.length;
    const start = Math.max(this.range.start - from, 0);
    const end = Math.min(this.range.end + 1 - from, chunk.length);
    if (end > start) this.push(chunk.subarray(start, end));
    if (this.at > this.range.end) {
      // Nothing more is wanted: end here rather than read the rest of the file.
      this.push(null);
    }
    done();
  }
}

export class RecordingService {
  constructor(
    private readonly deps: {
      readonly catalogue: RecordingCatalogue;
      readonly store: RecordingStore;
      readonly audit: RecordingAudit;
      readonly clock: () => number;
    },
  ) {}

  /** Opens the recording (whole, or the one range `range` picks once the size is known) and audits the access. */
  async open(actor: Actor, callId: string, range: (size: number) => ByteRange | null | 'unsatisfiable'): Promise<RecordingStream> {
    requirePermission(actor, 'calls:read');
    const ref = await this.deps.catalogue.find(callId);
    if (!ref || !hearsRecording(actor, ref)) throw new NotFoundError('recording');
    const file = await this.deps.store.open(ref.name);
    if (!file) throw new NotFoundError('recording');
    const wanted = range(file.size);
    if (wanted === 'unsatisfiable') {
      file.body.destroy();
      throw new AppError('VALIDATION.FIELD', `range not satisfiable: the recording has ${file.size} bytes`, 416, { field: 'range', size: file.size });
    }
    await this.deps.audit.listened({ callId, recording: ref.name, userId: actor.userId, role: actor.role, at: this.deps.clock(), range: wanted });
    const body = wanted ? file.body.pipe(new ByteWindow(wanted)) : file.body;
    if (wanted) body.on('end', () => file.body.destroy());
    return { callId, name: ref.name, size: file.size, range: wanted, body };
  }

  /** Who listened to the call's recording, and when (supervisors and administrators). */
  async listens(actor: Actor, callId: string): Promise<RecordingAccess[]> {
    requirePermission(actor, 'calls:monitor');
    return this.deps.audit.listensOf(callId);
  }
}
