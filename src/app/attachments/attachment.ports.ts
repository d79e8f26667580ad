/** Ports of the evidence files: where the bytes live, and what cleans an image before it is kept. */
import type { Duplex, Readable } from 'node:stream';
import type { AttachmentKind, AttachmentStep, FileType } from '../../domain/attachment';

export interface StoredAttachment {
  readonly id: string;
  readonly orderId: string;
  readonly step: AttachmentStep;
  readonly name: string;
  readonly mime: string;
  readonly kind: AttachmentKind;
  /** Bytes as stored (after any EXIF removal). */
  readonly size: number;
  readonly uploadedAt: Date;
  readonly uploadedBy: string;
  /** The image's metadata (GPS location included) was removed before it was stored. */
  readonly metadataStripped: boolean;
  /** Where the file came from when not uploaded: `call:<callId>` for the recording of the order's call. */
  readonly source?: string;
}

export type NewAttachment = Omit<StoredAttachment, 'id' | 'size'>;

/** The recordings the telephony made of calls (Asterisk's stored recordings, fetched over ARI). */
export interface CallRecordingSource {
  /** The stored recording's bytes; null when the telephony holds no recording of that name (none, or not finished). */
  open(name: string): Promise<Readable | null>;
}

/** Which recording a call has, and who answered it (from the call's record). */
export interface CallRecordingLookup {
  recordingOf(callId: string): Promise<{ readonly name: string; readonly handlingAgentId: string | null } | null>;
}

export interface ByteRange {
  /** First byte, inclusive. */
  readonly start: number;
  /** Last byte, inclusive. */
  readonly end: number;
}

export interface DownloadAudit {
  readonly attachmentId: string;
  readonly orderId: string;
  readonly userId: string;
  readonly role: string;
  readonly at: Date;
  readonly range: ByteRange | null;
}

/** A file deleted by the retention job: what it was, whose, and why (kept after the bytes are gone). */
export interface DeletionAudit {
  readonly attachmentId: string;
  readonly orderId: string;
  readonly name: string;
  readonly kind: AttachmentKind;
  readonly size: number;
  readonly uploadedAt: Date;
  readonly reason: 'retention';
  /** When the order closed, and the retention period counted from then. */
  readonly orderClosedAt: Date;
  readonly retentionDays: number;
  readonly at: Date;
  readonly by: string;
}

export interface AttachmentStore {
  /** Streams `content` into storage; resolves once every byte is stored. A failed stream leaves nothing behind. */
  save(meta: NewAttachment, content: Readable): Promise<StoredAttachment>;
  get(orderId: string, attachmentId: string): Promise<StoredAttachment | null>;
  list(orderId: string): Promise<StoredAttachment[]>;
  /** Stored bytes and files of one order. */
  usage(orderId: string): Promise<{ readonly bytes: number; readonly files: number }>;
  open(attachmentId: string, range: ByteRange | null): Readable;
  remove(attachmentId: string): Promise<void>;
  recordDownload(entry: DownloadAudit): Promise<void>;
  /** Orders that hold at least one file. */
  orderIdsWithFiles(): Promise<string[]>;
  /** Writes the deletion's audit entry (once per file: a second entry for the same file is ignored). */
  recordDeletion(entry: DeletionAudit): Promise<void>;
}

/** Removes metadata (EXIF GPS location, camera serials) from an image stream of the given type. */
export interface ImageCleaner {
  strip(type: FileType): Duplex;
}
