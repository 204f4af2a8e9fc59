const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const PREFIX = 'data:image/png;base64,';

/** Decodes a PNG data URL; returns the bytes, or a message saying why they are refused. */
export function decodePngDataUrl(dataUrl: string, maxBytes: number): Uint8Array | string {
  if (typeof dataUrl !== 'string' || !dataUrl.startsWith(PREFIX)) return 'Expected a data:image/png;base64 URL';
  const b64 = dataUrl.slice(PREFIX.length);
  if (b64.length > Math.ceil((maxBytes * 4) / 3) + 4) return `The image is larger than ${maxBytes} bytes`;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return 'The image is not valid base64';
  const bytes = new Uint8Array(Buffer.from(b64, 'base64'));
  if (bytes.byteLength > maxBytes) return `The image is larger than ${maxBytes} bytes`;
  if (bytes.byteLength < 45 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) return 'The image is not a PNG';
  // The first chunk must be IHDR with a sane size.
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = String.fromCharCode(...bytes.subarray(12, 16));
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  if (type !== 'IHDR' || width === 0 || height === 0 || width > 8192 || height > 8192) {
    return 'The image is not a valid PNG';
  }
  const tail = String.fromCharCode(...bytes.subarray(bytes.byteLength - 8, bytes.byteLength - 4));
  if (tail !== 'IEND') return 'The PNG is truncated';
  return bytes;
}
