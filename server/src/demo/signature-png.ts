import { crc32, deflateSync } from 'node:zlib';

/**
 * Draws a handwritten-looking signature into a transparent PNG, with no image library: the
 * demo seed signs its completed envelope with a real drawn PNG, as a signer pad would send.
 */
export function drawnSignaturePng(seed = 1, width = 480, height = 160): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  const ink = [20, 36, 90];
  const stamp = (cx: number, cy: number, radius: number) => {
    const r2 = (radius + 1) ** 2;
    for (let y = Math.max(0, Math.floor(cy - radius - 1)); y <= Math.min(height - 1, Math.ceil(cy + radius + 1)); y++) {
      for (
        let x = Math.max(0, Math.floor(cx - radius - 1));
        x <= Math.min(width - 1, Math.ceil(cx + radius + 1));
        x++
      ) {
        const d2 = (x - cx) ** 2 + (y - cy) ** 2;
        if (d2 > r2) continue;
        const alpha = Math.max(0, Math.min(1, radius + 0.5 - Math.sqrt(d2)));
        const i = (y * width + x) * 4;
        const a = Math.max(rgba[i + 3]!, Math.round(alpha * 255));
        rgba.set([ink[0]!, ink[1]!, ink[2]!, a], i);
      }
    }
  };
  // A looping stroke with a flourish: a sum of sines, slanted, then an underline.
  const steps = 1400;
  for (let s = 0; s <= steps; s++) {
    const t = s / steps;
    const x = width * (0.08 + 0.78 * t) + 14 * Math.sin(t * Math.PI * 14 + seed);
    const y =
      height * 0.48 -
      height * 0.22 * Math.sin(t * Math.PI * 7 + seed * 0.7) * Math.sin(t * Math.PI) -
      height * 0.1 * Math.cos(t * Math.PI * 14 + seed);
    stamp(x, y, 1.6 + 1.1 * Math.sin(t * Math.PI));
  }
  for (let s = 0; s <= 400; s++) {
    const t = s / 400;
    stamp(width * (0.12 + 0.74 * t), height * (0.8 - 0.06 * t) + 3 * Math.sin(t * Math.PI * 2), 1.4);
  }
  return encodePng(width, height, rgba);
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** A minimal RGBA PNG encoder (filter 0 on every row). */
export function encodePng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 6, 0, 0, 0], 8);
  const raw = new Uint8Array((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) raw.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
  const parts = [
    new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', new Uint8Array()),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function pngDataUrl(png: Uint8Array): string {
  return `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
}
