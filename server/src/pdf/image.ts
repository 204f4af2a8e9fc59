import { PDF } from '@libpdf/core';
import { crc32 } from 'node:zlib';
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

/**
 * Signature and initials images: refused above these, from the header and again while decoding. A
 * pad 40rem wide at 3:1 (2:1 for initials) is at most 2560 × 1280 px even at 4 device pixels per
 * CSS pixel, so a real drawing passes; an 8192 × 8192 all-zero PNG (a 261 KB decompression bomb)
 * does not.
 */
export const SIGNATURE_MAX_SIDE = 4096;
export const SIGNATURE_MAX_PIXELS = 2048 * 2048;
/** A stored signature fits inside this box: larger drawings are scaled down, never up. */
export const SIGNATURE_STORED_BOX = { width: 2000, height: 800 } as const;

export interface SignaturePng {
  /** The PNG to store: decoded in full, in the plain form below, with no metadata. */
  png: Uint8Array;
  width: number;
  height: number;
  /** Whether these are the bytes that were sent (already plain) or an encoding of their pixels. */
  reencoded: boolean;
}

interface PngChunk {
  type: string;
  /** The chunk's data. */
  data: Uint8Array;
  /** The whole chunk: length, type, data, CRC. */
  raw: Uint8Array;
}

/** The chunks of a PNG, or undefined when a length runs past the end, a CRC is wrong or bytes follow IEND. */
function pngChunks(bytes: Uint8Array): PngChunk[] | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: PngChunk[] = [];
  let at = 8;
  while (at + 12 <= bytes.byteLength) {
    const length = view.getUint32(at);
    const end = at + 12 + length;
    if (end > bytes.byteLength) return undefined;
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (crc32(bytes.subarray(at + 4, end - 4)) !== view.getUint32(end - 4)) return undefined;
    chunks.push({ type, data: bytes.subarray(at + 8, end - 4), raw: bytes.subarray(at, end) });
    at = end;
    if (type === 'IEND') return at === bytes.byteLength ? chunks : undefined;
  }
  return undefined;
}

/** Only what drawing needs: no text, time, EXIF, ICC, gamma or density chunks. */
const PLAIN_CHUNKS = new Set(['IHDR', 'PLTE', 'tRNS', 'IDAT', 'IEND']);

/**
 * The plain form every PDF writer reads alike: 8-bit RGB or RGBA, not interlaced, nothing but
 * IHDR, IDAT and IEND. A signature pad's canvas export already is; anything else is re-encoded.
 */
function isPlain(chunks: PngChunk[]): boolean {
  const [ihdr] = chunks;
  if (ihdr?.type !== 'IHDR' || ihdr.data.byteLength !== 13) return false;
  const [depth, colour, , , interlace] = ihdr.data.subarray(8);
  return (
    depth === 8 &&
    (colour === 2 || colour === 6) &&
    interlace === 0 &&
    chunks.every((c) => c.type === 'IHDR' || c.type === 'IDAT' || c.type === 'IEND')
  );
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/**
 * Decodes a signature PNG completely, so that only an image any reader (and the seal) can draw is
 * stored. A plain PNG within the stored box is kept byte for byte (the hash a signer's browser
 * computes stays the hash in the audit trail); any other is re-encoded from its pixels, scaled
 * into the box, with its metadata dropped. Returns why it is refused instead, in words for the
 * signer.
 */
export async function normalizeSignaturePng(bytes: Uint8Array): Promise<SignaturePng | string> {
  const chunks = pngChunks(bytes);
  if (!chunks) return 'The PNG is damaged or truncated';
  let meta: Metadata;
  try {
    // The header only: the pixel limit is checked below, before a single pixel is decoded.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    return 'The image is not a readable PNG';
  }
  const { format, width = 0, height = 0 } = meta;
  if (format !== 'png') return 'The image is not a PNG';
  if (!width || !height) return 'The PNG has no pixel size';
  if (width > SIGNATURE_MAX_SIDE || height > SIGNATURE_MAX_SIDE || width * height > SIGNATURE_MAX_PIXELS) {
    return (
      `The image is ${width} × ${height} pixels; a signature may have at most ${SIGNATURE_MAX_SIDE} pixels ` +
      `on a side and ${(SIGNATURE_MAX_PIXELS / 1e6).toFixed(1)} million in all`
    );
  }
  const fits = width <= SIGNATURE_STORED_BOX.width && height <= SIGNATURE_STORED_BOX.height;
  const decoder = () =>
    // failOn 'warning': a truncated stream, a bad checksum, extra or missing image data is refused,
    // not drawn half-way.
    sharp(bytes, { limitInputPixels: SIGNATURE_MAX_PIXELS, failOn: 'warning' });
  try {
    if (fits && isPlain(chunks)) {
      await decoder().raw().toBuffer();
      return { png: bytes, width, height, reencoded: false };
    }
    const out = await decoder()
      .resize(SIGNATURE_STORED_BOX.width, SIGNATURE_STORED_BOX.height, { fit: 'inside', withoutEnlargement: true })
      .png()
      .toBuffer({ resolveWithObject: true });
    const encoded = new Uint8Array(out.data);
    // libvips writes a density (pHYs) chunk of its own: keep only what drawing needs.
    const plain = pngChunks(encoded)?.filter((c) => PLAIN_CHUNKS.has(c.type));
    if (!plain) return 'The PNG cannot be encoded again';
    const png = concat([encoded.subarray(0, 8), ...plain.map((c) => c.raw)]);
    return { png, width: out.info.width, height: out.info.height, reencoded: true };
  } catch {
    return 'The PNG is damaged or truncated and cannot be drawn';
  }
}
