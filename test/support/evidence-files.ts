/** Real files for the evidence tests, made in the test: a JPEG with a GPS EXIF block, a PDF, fillers. */
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';

/** 31°14'23.45"N: the latitude written into the test photo. */
export const GPS_LATITUDE: readonly [number, number][] = [[31, 1], [14, 1], [2345, 100]];

/** An EXIF APP1 segment (little-endian TIFF) whose IFD0 points (tag 0x8825) to a GPS IFD with a latitude. */
function exifWithGps(): Buffer {
  const tiff = Buffer.alloc(80);
  tiff.write('II', 0, 'ascii');
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(8, 4); // IFD0 at 8
  tiff.writeUInt16LE(1, 8); // one entry
  tiff.writeUInt16LE(0x8825, 10); // GPSInfo
  tiff.writeUInt16LE(4, 12); // LONG
  tiff.writeUInt32LE(1, 14);
  tiff.writeUInt32LE(26, 18); // GPS IFD at 26
  tiff.writeUInt32LE(0, 22); // no next IFD
  tiff.writeUInt16LE(2, 26); // two entries
  tiff.writeUInt16LE(0x0001, 28); // GPSLatitudeRef
  tiff.writeUInt16LE(2, 30); // ASCII
  tiff.writeUInt32LE(2, 32);
  tiff.write('N\0', 36, 'ascii');
  tiff.writeUInt16LE(0x0002, 40); // GPSLatitude
  tiff.writeUInt16LE(5, 42); // RATIONAL
  tiff.writeUInt32LE(3, 44);
  tiff.writeUInt32LE(56, 48); // values at 56
  tiff.writeUInt32LE(0, 52);
  GPS_LATITUDE.forEach(([n, d], i) => {
    tiff.writeUInt32LE(n, 56 + i * 8);
    tiff.writeUInt32LE(d, 60 + i * 8);
  });
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'binary'), tiff]);
  const head = Buffer.alloc(4);
  head.writeUInt16BE(0xffe1, 0);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

/** A real JPEG photo (decodable) carrying a GPS location in its EXIF. */
export async function jpegWithGps(width = 320, height = 240): Promise<Buffer> {
  const plain = await sharp({ create: { width, height, channels: 3, background: { r: 40, g: 160, b: 90 } } }).jpeg().toBuffer();
  return Buffer.concat([plain.subarray(0, 2), exifWithGps(), plain.subarray(2)]);
}

/** The GPS latitude of a JPEG's EXIF (tag 0x8825 → 0x0002), or null when it has none. */
export function gpsLatitudeOf(jpeg: Buffer): [number, number][] | null {
  let at = 2;
  while (at + 4 <= jpeg.length && jpeg[at] === 0xff) {
    const marker = jpeg[at + 1] ?? 0;
    if (marker === 0xda || marker === 0xd9) break; // image data: no more metadata segments
    const len = jpeg.readUInt16BE(at + 2);
    const seg = jpeg.subarray(at + 4, at + 2 + len);
    if (marker === 0xe1 && seg.subarray(0, 6).toString('binary') === 'Exif\0\0') {
      const t = seg.subarray(6);
      const le = t.toString('ascii', 0, 2) === 'II';
      const u16 = (o: number) => (le ? t.readUInt16LE(o) : t.readUInt16BE(o));
      const u32 = (o: number) => (le ? t.readUInt32LE(o) : t.readUInt32BE(o));
      const entries = (ifd: number) => Array.from({ length: u16(ifd) }, (_, i) => ifd + 2 + i * 12);
      const gpsEntry = entries(u32(4)).find((e) => u16(e) === 0x8825);
      if (gpsEntry !== undefined) {
        const lat = entries(u32(gpsEntry + 8)).find((e) => u16(e) === 0x0002);
        if (lat !== undefined) {
          const off = u32(lat + 8);
          return [0, 1, 2].map((i) => [u32(off + i * 8), u32(off + i * 8 + 4)] as [number, number]);
        }
      }
    }
    at += 2 + len;
  }
  return null;
}

/** A small valid PDF of one page (padded with a comment to `size` bytes when given). */
export function pdf(size = 0): Buffer {
  const body = '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n';
  const pad = Math.max(0, size - body.length - 6);
  return Buffer.concat([Buffer.from(body), Buffer.from('%'), randomBytes(pad).map((b) => (b === 10 || b === 13 ? 32 : b)), Buffer.from('\n%%EOF')]);
}
