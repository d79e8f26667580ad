/**
 * Evidence files of a work order. Upload: `multipart/form-data` with one part named `file`, the
 * step it supports in `?step=` (return, extension, reply, completion, intake); the part is streamed
 * through the checks into the database, never held whole in memory. Download: the same access as
 * the order (404 otherwise), `Content-Disposition: attachment`, single byte ranges (206/416).
 * 400 empty or malformed, 413 over the per-file or per-order limit, 415 a type not allowed.
 */
import busboy from 'busboy';
import type { Request } from 'express';
import { z } from 'zod';
import { ATTACHMENT_STEPS } from '../../../domain/attachment';
import type { AttachmentService } from '../../../app/attachments/attachment.service';
import type { StoredAttachment } from '../../../app/attachments/attachment.ports';
import { ValidationError } from '../../../shared/errors';
import { authOf, requireAuth, type Authenticator } from '../auth.middleware';
import { DocumentedRouter } from '../route-table';
import { id, parse, singleRange } from '../validate';
import { attachmentResponse } from '../response-schemas';

const orderParams = z.strictObject({ orderId: id });
const fileParams = z.strictObject({ orderId: id, attachmentId: id });
const uploadQuery = z.strictObject({ step: z.enum(ATTACHMENT_STEPS) });

const view = (a: StoredAttachment) => ({
  id: a.id, orderId: a.orderId, step: a.step, name: a.name, mime: a.mime, kind: a.kind, size: a.size,
  uploadedAt: a.uploadedAt, uploadedBy: a.uploadedBy, metadataStripped: a.metadataStripped, source: a.source ?? null,
});

/** Parses the multipart request and hands its single `file` part to `onFile`; settles when both are done. */
function receiveFile<T>(req: Request, maxFileBytes: number, onFile: (name: string, stream: NodeJS.ReadableStream & import('node:stream').Readable) => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      // One byte past the limit is enough for the service to refuse the file as too large.
      bb = busboy({ headers: req.headers, limits: { files: 1, fields: 0, parts: 1, fileSize: maxFileBytes + 1 }, defParamCharset: 'utf8' });
    } catch {
      reject(new ValidationError('body', 'expected multipart/form-data with one part named file'));
      return;
    }
    let result: Promise<T> | null = null;
    bb.on('file', (field, stream, info) => {
      if (field !== 'file' || result) {
        stream.resume();
        return;
      }
      result = onFile(info.filename ?? '', stream);
      result.catch(() => undefined);
    });
    bb.on('error', (err: unknown) => reject(new ValidationError('body', `malformed multipart body: ${err instanceof Error ? err.message : String(err)}`)));
    bb.on('close', () => {
      if (!result) reject(new ValidationError('body.file', 'required: one part named file'));
      else result.then(resolve, reject);
    });
    req.pipe(bb);
  });
}

export function attachmentsRouter(auth: Authenticator, attachments: AttachmentService, maxFileBytes: number): DocumentedRouter {
  const r = new DocumentedRouter();
  const authed = requireAuth(auth);
  r.route(
    {
      method: 'post', path: '/api/work-orders/:orderId/attachments', response: attachmentResponse, tag: 'work-orders', params: orderParams, query: uploadQuery, status: 201, errors: [409, 413, 415],
      summary: 'Upload one evidence file (multipart part `file`) for a step of the order; checked by content, images stripped of their location',
    },
    authed,
    async (req, res) => {
      const p = parse(orderParams, req.params, 'params');
      const q = parse(uploadQuery, req.query, 'query');
      const actor = authOf(res).actor;
      const stored = await receiveFile(req, maxFileBytes, (fileName, content) => attachments.upload(actor, { orderId: p.orderId, step: q.step, fileName, content }));
      res.status(201).json(view(stored));
    },
  );
  r.route(
    {
      method: 'post', path: '/api/work-orders/:orderId/attachments/call-recording', response: attachmentResponse, tag: 'work-orders', params: orderParams, status: 201, errors: [409, 413],
      summary: 'Attach the recording of the call the order was made from (201; 200 when already attached); for those who may hear the call',
    },
    authed,
    async (req, res) => {
      const p = parse(orderParams, req.params, 'params');
      const r = await attachments.attachCallRecording(authOf(res).actor, p.orderId);
      res.status(r.created ? 201 : 200).json(view(r.attachment));
    },
  );
  r.route(
    { method: 'get', path: '/api/work-orders/:orderId/attachments', response: z.array(attachmentResponse), tag: 'work-orders', params: orderParams, summary: 'The order\'s files (same access as the order; a confidential order\'s: its handlers only)' },
    authed,
    async (req, res) => {
      const p = parse(orderParams, req.params, 'params');
      res.json((await attachments.list(authOf(res).actor, p.orderId)).map(view));
    },
  );
  r.route(
    {
      method: 'get', path: '/api/work-orders/:orderId/attachments/:attachmentId', tag: 'work-orders', params: fileParams, errors: [416],
      contentType: 'application/octet-stream', response: { type: 'string', format: 'binary', description: 'The file, with its own Content-Type' },
      summary: 'Download one file (Content-Disposition: attachment; a single Range gives 206); every download is audited',
    },
    authed,
    async (req, res) => {
      const p = parse(fileParams, req.params, 'params');
      const d = await attachments.download(authOf(res).actor, p.orderId, p.attachmentId, (size) => singleRange(req, size));
      res.attachment(d.attachment.name);
      res.type(d.attachment.mime);
      res.setHeader('Accept-Ranges', 'bytes');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      if (d.range) {
        res.status(206);
        res.setHeader('Content-Range', `bytes ${d.range.start}-${d.range.end}/${d.attachment.size}`);
        res.setHeader('Content-Length', String(d.range.end - d.range.start + 1));
      } else {
        res.setHeader('Content-Length', String(d.attachment.size));
      }
      d.body.on('error', () => res.destroy());
      d.body.pipe(res);
    },
  );
  return r;
}
