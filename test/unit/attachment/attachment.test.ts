import { sanitizeFileName, sniffFileType } from '../../../src/domain/attachment';
import { checkReturn } from '../../../src/domain/work-order';

const bytes = (...b: (number | string)[]): Uint8Array =>
  Uint8Array.from(b.flatMap((x) => (typeof x === 'string' ? [...x].map((c) => c.charCodeAt(0)) : [x])));

describe('sniffFileType (magic bytes, not names)', () => {
  it.each([
    [bytes(0xff, 0xd8, 0xff, 0xe1), 'image/jpeg', 'photo'],
    [bytes(0x89, 'PNG', 0x0d, 0x0a, 0x1a, 0x0a), 'image/png', 'photo'],
    [bytes('RIFF', 0, 0, 0, 0, 'WEBPVP8 '), 'image/webp', 'photo'],
    [bytes('%PDF-1.7'), 'application/pdf', 'document'],
    [bytes('RIFF', 0, 0, 0, 0, 'WAVEfmt '), 'audio/wav', 'recording'],
    [bytes('ID3', 4, 0), 'audio/mpeg', 'recording'],
    [bytes('OggS', 0), 'audio/ogg', 'recording'],
  ])('%#: %s', (head, mime, kind) => {
    expect(sniffFileType(head)).toMatchObject({ mime, kind });
  });
  it('refuses anything else, and too-short heads', () => {
    expect(sniffFileType(bytes('MZ', 0x90, 0))).toBeNull();
    expect(sniffFileType(bytes('<html>'))).toBeNull();
    expect(sniffFileType(bytes('RIFF', 0, 0, 0, 0, 'AVI '))).toBeNull();
    expect(sniffFileType(bytes(0xff, 0xd8))).toBeNull();
    expect(sniffFileType(new Uint8Array(0))).toBeNull();
  });
});

describe('sanitizeFileName', () => {
  const jpeg = { mime: 'image/jpeg', ext: 'jpg', kind: 'photo' as const };
  const pdf = { mime: 'application/pdf', ext: 'pdf', kind: 'document' as const };
  it('keeps the last path segment, Chinese intact, and the extension the content proved', () => {
    expect(sanitizeFileName('../../etc/现场照片 青浦.jpg', jpeg)).toBe('现场照片 青浦.jpg');
    expect(sanitizeFileName('C:\\Users\\a\\依据.JPG', jpeg)).toBe('依据.jpg');
    expect(sanitizeFileName('photo.jpg', pdf)).toBe('photo.pdf');
  });
  it('drops control and reserved characters, leading dots, and caps the length', () => {
    expect(sanitizeFileName('..\u0000a"b<c>\r\n.pdf', pdf)).toBe('_a_b_c___.pdf');
    expect(sanitizeFileName('.htaccess', pdf)).toBe('htaccess.pdf');
    expect(sanitizeFileName('', pdf)).toBe('file.pdf');
    expect(sanitizeFileName('../', pdf)).toBe('file.pdf');
    expect(sanitizeFileName(`${'长'.repeat(300)}.pdf`, pdf)).toHaveLength(120);
  });
});

describe('return evidence: a photo when the preset asks for one', () => {
  const policy = { maxCount: null, forbidden: [], evidenceRequired: true, photoRequired: true, siteCheckLimit: null, source: 'test' };
  const order = { status: 'PENDING_SIGN', leadUnitId: 'u1', leadDesignated: false, forcedDispatch: false, dispatchCount: 1, returns: [], deadlines: {} };
  const ctx = { preset: { return: policy } } as never;
  it('refuses documents only and accepts a photo among them', () => {
    expect(checkReturn(order as never, { explanation: '不属于本单位', evidence: [{ kind: 'document' }] }, ctx)?.code).toBe('WORK_ORDER.RETURN_EVIDENCE_MISSING');
    expect(checkReturn(order as never, { explanation: '不属于本单位', evidence: [{ kind: 'document' }, { kind: 'photo' }] }, ctx)).toBeUndefined();
    const noPhotoRule = { preset: { return: { ...policy, photoRequired: false } } } as never;
    expect(checkReturn(order as never, { explanation: '不属于本单位', evidence: [{ kind: 'document' }] }, noPhotoRule)).toBeUndefined();
  });
});
