/**
 * Evidence files of a work order (附件): what a file is, judged by its first bytes (a name or a
 * browser's content type proves nothing), how its name is made safe, and which step it supports.
 */

/** The step of the order a file supports; `intake` is anything added while taking the case. */
export const ATTACHMENT_STEPS = ['intake', 'return', 'extension', 'reply', 'completion'] as const;
export type AttachmentStep = (typeof ATTACHMENT_STEPS)[number];

export type AttachmentKind = 'photo' | 'recording' | 'document';

export interface FileType {
  readonly mime: string;
  readonly ext: string;
  readonly kind: AttachmentKind;
}

/** Bytes needed to recognise every accepted type. */
export const SNIFF_BYTES = 16;

const startsWith = (b: Uint8Array, sig: readonly number[], at = 0): boolean =>
  b.length >= at + sig.length && sig.every((v, i) => b[at + i] === v);
const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

/** The accepted types, recognised by magic bytes; anything else is refused. */
export function sniffFileType(head: Uint8Array): FileType | null {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return { mime: 'image/jpeg', ext: 'jpg', kind: 'photo' };
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { mime: 'image/png', ext: 'png', kind: 'photo' };
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return { mime: 'image/webp', ext: 'webp', kind: 'photo' };
  if (startsWith(head, ascii('%PDF-'))) return { mime: 'application/pdf', ext: 'pdf', kind: 'document' };
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WAVE'), 8)) return { mime: 'audio/wav', ext: 'wav', kind: 'recording' };
  if (startsWith(head, ascii('ID3')) || startsWith(head, [0xff, 0xfb]) || startsWith(head, [0xff, 0xf3]) || startsWith(head, [0xff, 0xf2])) {
    return { mime: 'audio/mpeg', ext: 'mp3', kind: 'recording' };
  }
  if (startsWith(head, ascii('OggS'))) return { mime: 'audio/ogg', ext: 'ogg', kind: 'recording' };
  return null;
}

const MAX_NAME_CHARS = 120;

/**
 * A name safe to store and to send back in Content-Disposition: the last path segment only, no
 * control or reserved characters, no leading dots, at most 120 characters, and the extension of
 * the type the bytes proved (so `photo.jpg` that is a PDF is served as `photo.pdf`).
 */
export function sanitizeFileName(raw: string, type: FileType): string {
  const last = raw.split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const cleaned = last.normalize('NFC').replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').replace(/^[.\s]+/, '').trim();
  const dot = cleaned.lastIndexOf('.');
  const stem = (dot > 0 ? cleaned.slice(0, dot) : cleaned).slice(0, MAX_NAME_CHARS - type.ext.length - 1).trim();
  return `${stem === '' ? 'file' : stem}.${type.ext}`;
}

export interface AttachmentLimits {
  readonly maxFileBytes: number;
  readonly maxOrderBytes: number;
  readonly maxOrderFiles: number;
}

/** Why a file is refused; each has its own HTTP status at the edge. */
export type AttachmentRefusal = 'EMPTY' | 'TOO_LARGE' | 'ORDER_FULL' | 'TYPE_NOT_ALLOWED';
