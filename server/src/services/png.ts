import { createHash } from 'node:crypto';
import { normalizeSignaturePng, type SignaturePng } from '../pdf/image.ts';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const PREFIX = 'data:image/png;base64,';

/**
 * Decodes a drawn signature's PNG data URL: the bytes must be a PNG (by its first bytes, whatever
 * the URL says) that decodes completely within the pixel limit. Returns the PNG to store (see
 * normalizeSignaturePng) with the SHA-256 of the bytes sent, or a message saying why the image is
 * refused.
 */
export async function decodePngDataUrl(
  dataUrl: string,
  maxBytes: number,
): Promise<(SignaturePng & { sentSha256: string }) | string> {
  if (typeof dataUrl !== 'string' || !dataUrl.startsWith(PREFIX)) return 'Expected a data:image/png;base64 URL';
  const b64 = dataUrl.slice(PREFIX.length);
  if (b64.length > Math.ceil((maxBytes * 4) / 3) + 4) return `The image is larger than ${maxBytes} bytes`;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return 'The image is not valid base64';
  const bytes = new Uint8Array(Buffer.from(b64, 'base64'));
  if (bytes.byteLength > maxBytes) return `The image is larger than ${maxBytes} bytes`;
  // A JPEG or an SVG labelled image/png is refused here, before any decoder sees it.
  if (bytes.byteLength < 8 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) return 'The image is not a PNG';
  const png = await normalizeSignaturePng(bytes);
  if (typeof png === 'string') return png;
  return { ...png, sentSha256: createHash('sha256').update(bytes).digest('hex') };
}
