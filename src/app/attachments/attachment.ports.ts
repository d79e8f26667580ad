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
}

export type NewAttachment = Omit<StoredAttachment, 'id' | 'size'>;

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
}

/** Removes metadata (EXIF GPS location, camera serials) from an image stream of the given type. */
export interface ImageCleaner {
  strip(type: FileType): Duplex;
}
