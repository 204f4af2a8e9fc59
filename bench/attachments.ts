/**
 * Attachments benchmark: a 12-megapixel camera JPEG turned into a one-page PDF (decode with
 * EXIF orientation, downscale to 2000 px, JPEG q80, A4 page), and two attachments appended to the
 * 19-page fixture as an incremental update. Goals: ≤ 1000 ms and ≤ 150 ms (median, warm).
 * Run: `node --import tsx bench/attachments.ts`.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { appendAttachments } from '../server/src/pdf/attach.ts';
import { imageToPdf } from '../server/src/pdf/image.ts';
import { fixturesDir } from '../server/src/seed.ts';

const WARMUP = 1;
const ITERATIONS = 5;

export interface AttachmentsBenchRow {
  name: string;
  medianMs: number;
  goalMs: number;
  ratio: number;
  note: string;
}

async function median(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const row = (name: string, ms: number, goalMs: number, note: string): AttachmentsBenchRow => ({
  name,
  medianMs: Math.round(ms),
  goalMs,
  ratio: Math.round((ms / goalMs) * 100) / 100,
  note,
});

export async function benchAttachments(): Promise<AttachmentsBenchRow[]> {
  const [w, h] = [4000, 3000];
  // Noise is JPEG's worst case: the largest upload and the most work per pixel.
  const photo = new Uint8Array(
    await sharp(randomBytes(w * h * 3), { raw: { width: w, height: h, channels: 3 } })
      .jpeg({ quality: 90 })
      .withMetadata({ orientation: 6 })
      .toBuffer(),
  );
  let stored = 0;
  const convert = await median(async () => {
    stored = (await imageToPdf(photo, 'jpeg')).pdf.byteLength;
  });
  const contract = new Uint8Array(await readFile(path.join(fixturesDir(), 'us_constitution.pdf')));
  const image = (await imageToPdf(photo, 'jpeg')).pdf;
  const form = new Uint8Array(await readFile(path.join(fixturesDir(), 'sample_form.pdf')));
  const attach = await median(() => appendAttachments(contract, [image, form]));
  return [
    row(
      '12 MP JPEG → one-page PDF',
      convert,
      1000,
      `${(photo.byteLength / 1e6).toFixed(1)} MB → ${(stored / 1e6).toFixed(2)} MB`,
    ),
    row('append 2 attachments to 19 pages', attach, 150, 'incremental update'),
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  console.table(await benchAttachments());
}
