/**
 * ImageCleaner with sharp (libvips, shipped as npm packages): the image is re-encoded in its own
 * format without its metadata (EXIF with the GPS location, XMP, IPTC), turned upright first by its
 * EXIF orientation so removing the orientation tag does not turn the photo. libvips' pixel limit
 * refuses decompression bombs.
 */
import type { Duplex } from 'node:stream';
import sharp from 'sharp';
import type { ImageCleaner } from '../../app/attachments/attachment.ports';
import type { FileType } from '../../domain/attachment';

export const sharpImageCleaner: ImageCleaner = {
  strip(type: FileType): Duplex {
    const s = sharp({ failOn: 'error' }).rotate();
    switch (type.mime) {
      case 'image/png':
        return s.png();
      case 'image/webp':
        return s.webp({ quality: 90 });
      default:
        return s.jpeg({ quality: 90, mozjpeg: false });
    }
  },
};
