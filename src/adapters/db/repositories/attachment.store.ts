/**
 * AttachmentStore over GridFS (bucket `attachments`: `attachments.files` + `attachments.chunks`),
 * so MongoDB in production and FerretDB v2 in the lab hold the files with the orders; the file's
 * facts live in the files document's `metadata`. Downloads are audited in `attachment_downloads`,
 * deletions by the retention job in `attachment_deletions` (one entry per file, `_id` = its id).
 * A failed upload deletes whatever chunks it wrote.
 */
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import mongoose, { type Collection, type Connection } from 'mongoose';
import type { AttachmentStore, ByteRange, DeletionAudit, DownloadAudit, NewAttachment, StoredAttachment } from '../../../app/attachments/attachment.ports';

const BUCKET = 'attachments';
const { GridFSBucket, ObjectId } = mongoose.mongo;

type Meta = Omit<NewAttachment, 'name'>;

interface FileDoc {
  _id: InstanceType<typeof ObjectId>;
  length: number;
  filename: string;
  metadata: Meta;
}

const toStored = (d: FileDoc): StoredAttachment => ({ id: d._id.toHexString(), name: d.filename, size: d.length, ...d.metadata });

function objectId(id: string): InstanceType<typeof ObjectId> | null {
  return /^[0-9a-f]{24}$/.test(id) ? new ObjectId(id) : null;
}

export class GridFsAttachmentStore implements AttachmentStore {
  private gridFs: InstanceType<typeof GridFSBucket> | null = null;
  private readonly files: Collection<FileDoc>;
  private readonly chunks: Collection;
  private readonly downloads: Collection<DownloadAudit>;
  private readonly deletions: Collection<DeletionAudit & { _id: string }>;

  constructor(private readonly conn: Connection) {
    this.files = conn.collection(`${BUCKET}.files`) as unknown as Collection<FileDoc>;
    this.chunks = conn.collection(`${BUCKET}.chunks`) as unknown as Collection;
    this.downloads = conn.collection('attachment_downloads') as unknown as Collection<DownloadAudit>;
    this.deletions = conn.collection('attachment_deletions') as unknown as Collection<DeletionAudit & { _id: string }>;
  }

  /** Made on first use: the module is built before the connection opens. */
  private get bucket(): InstanceType<typeof GridFSBucket> {
    if (!this.gridFs) {
      if (!this.conn.db) throw new Error('the database connection is not open');
      this.gridFs = new GridFSBucket(this.conn.db, { bucketName: BUCKET });
    }
    return this.gridFs;
  }

  async init(): Promise<void> {
    await this.files.createIndex({ 'metadata.orderId': 1, uploadDate: 1 });
    await this.chunks.createIndex({ files_id: 1, n: 1 }, { unique: true });
    await this.downloads.createIndex({ attachmentId: 1, at: 1 });
    await this.deletions.createIndex({ orderId: 1, at: 1 });
  }

  async save(meta: NewAttachment, content: Readable): Promise<StoredAttachment> {
    const { name, ...rest } = meta;
    const upload = this.bucket.openUploadStream(name, { metadata: rest });
    try {
      await pipeline(content, upload);
    } catch (err) {
      await this.chunks.deleteMany({ files_id: upload.id }).catch(() => undefined);
      await this.files.deleteOne({ _id: upload.id }).catch(() => undefined);
      throw err;
    }
    const doc = await this.files.findOne({ _id: upload.id });
    if (!doc) throw new Error('stored file vanished');
    return toStored(doc);
  }

  async get(orderId: string, attachmentId: string): Promise<StoredAttachment | null> {
    const _id = objectId(attachmentId);
    if (!_id) return null;
    const doc = await this.files.findOne({ _id, 'metadata.orderId': orderId });
    return doc ? toStored(doc) : null;
  }

  async list(orderId: string): Promise<StoredAttachment[]> {
    const docs = await this.files.find({ 'metadata.orderId': orderId }).sort({ uploadDate: 1, _id: 1 }).toArray();
    return docs.map(toStored);
  }

  async usage(orderId: string): Promise<{ bytes: number; files: number }> {
    const docs = await this.files.find({ 'metadata.orderId': orderId }, { projection: { length: 1 } }).toArray();
    return { bytes: docs.reduce((s, d) => s + d.length, 0), files: docs.length };
  }

  open(attachmentId: string, range: ByteRange | null): Readable {
    const _id = objectId(attachmentId);
    if (!_id) throw new Error(`not an attachment id: ${attachmentId}`);
    // GridFS `end` is exclusive.
    return this.bucket.openDownloadStream(_id, range ? { start: range.start, end: range.end + 1 } : {});
  }

  async remove(attachmentId: string): Promise<void> {
    const _id = objectId(attachmentId);
    if (!_id) return;
    await this.chunks.deleteMany({ files_id: _id });
    await this.files.deleteOne({ _id });
  }

  async recordDownload(entry: DownloadAudit): Promise<void> {
    await this.downloads.insertOne({ ...entry });
  }

  async orderIdsWithFiles(): Promise<string[]> {
    return (await this.files.distinct('metadata.orderId')).filter((id): id is string => typeof id === 'string');
  }

  async recordDeletion(entry: DeletionAudit): Promise<void> {
    try {
      await this.deletions.insertOne({ _id: entry.attachmentId, ...entry });
    } catch (err) {
      // Written by an earlier run that stopped before the file was gone: the first entry stands.
      if ((err as { code?: number }).code !== 11000) throw err;
    }
  }

  /** The deletion entries of one order's files (tests, audits). */
  async deletionsOf(orderId: string): Promise<DeletionAudit[]> {
    return (await this.deletions.find({ orderId }, { projection: { _id: 0 } }).sort({ at: 1, attachmentId: 1 }).toArray()) as DeletionAudit[];
  }

  /** Used by tests and retention: the audit entries of one file, oldest first. */
  async downloadsOf(attachmentId: string): Promise<DownloadAudit[]> {
    return (await this.downloads.find({ attachmentId }, { projection: { _id: 0 } }).sort({ at: 1 }).toArray()) as DownloadAudit[];
  }
}
