import { PDF } from '@libpdf/core';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { PdfRejectedError } from './errors.ts';

/** Long side of the stored image: ~2000 px keeps a photographed page or receipt readable when zoomed. */
export const IMAGE_MAX_SIDE = 2000;
/** JPEG quality of the stored image: visually clean for photos and scans, a fraction of a camera file's size. */
export const IMAGE_JPEG_QUALITY = 80;
/** Above this many pixels an image is refused before it is decoded (decompression bombs; 12–50 MP photos pass). */
export const IMAGE_MAX_PIXELS = 80_000_000;

// One libvips worker thread per image: a large photo must not take every core from the
// signing requests the same small server is answering.
sharp.concurrency(1);

/** A4 in points, and the white margin around an attachment image. */
const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 28;

export type ImageKind = 'png' | 'jpeg';

/** PNG or JPEG by its first bytes (never by the file name). */
export function imageKind(bytes: Uint8Array): ImageKind | undefined {
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 8 && png.every((b, i) => bytes[i] === b)) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return undefined;
}

function damaged(kind: ImageKind, why: string): PdfRejectedError {
  return new PdfRejectedError(
    'image_damaged',
    `This ${kind.toUpperCase()} image cannot be read (${why}). Take the photo or scan again and upload the new file.`,
  );
}

export interface ImagePdf {
  pdf: Uint8Array;
  /** Pixel size of the image as stored (upright, downscaled). */
  width: number;
  height: number;
}

/**
 * A photo or scan as a one-page PDF: turned upright from its EXIF orientation, downscaled so its
 * long side is at most IMAGE_MAX_SIDE px, recompressed as JPEG, and fitted on an A4 page (portrait
 * or landscape, as the image is) so attachment pages print and read like the contract around them.
 */
export async function imageToPdf(bytes: Uint8Array, kind: ImageKind, maxPixels = IMAGE_MAX_PIXELS): Promise<ImagePdf> {
  let meta: Metadata;
  try {
    // The header only: no pixel is decoded here, so the pixel limit is checked below with a clear message.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw damaged(kind, (err as Error).message.replace(/\s+/g, ' ').slice(0, 120));
  }
  const { width = 0, height = 0 } = meta;
  if (!width || !height) throw damaged(kind, 'it has no pixel size');
  // Checked from the header, before a single pixel is decoded.
  if (width * height > maxPixels) {
    throw new PdfRejectedError(
      'image_too_many_pixels',
      `The image is ${width} × ${height} pixels (${((width * height) / 1e6).toFixed(0)} megapixels); the limit is ` +
        `${(maxPixels / 1e6).toFixed(0)} megapixels. Save it at a smaller size and upload again.`,
    );
  }
  let jpeg: { data: Buffer; info: OutputInfo };
  try {
    jpeg = await sharp(bytes, { limitInputPixels: maxPixels, failOn: 'warning' })
      .rotate()
      .resize(IMAGE_MAX_SIDE, IMAGE_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: IMAGE_JPEG_QUALITY })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw damaged(kind, (err as Error).message.replace(/\s+/g, ' ').slice(0, 120));
  }
  const { width: w, height: h } = jpeg.info;
  const page = w > h ? { width: A4.height, height: A4.width } : A4;
  const scale = Math.min((page.width - 2 * MARGIN) / w, (page.height - 2 * MARGIN) / h);
  const pdf = PDF.create();
  const image = pdf.embedJpeg(new Uint8Array(jpeg.data));
  const p = pdf.addPage({ width: page.width, height: page.height });
  p.drawImage(image, {
    x: (page.width - w * scale) / 2,
    y: (page.height - h * scale) / 2,
    width: w * scale,
    height: h * scale,
  });
  return { pdf: await pdf.save(), width: w, height: h };
}
