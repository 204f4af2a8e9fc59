import type { PDF } from '@libpdf/core';
import { num, type PageCanvas, type Rgb } from './canvas.ts';
import { lineMetrics } from './fonts.ts';
import { fractionToVisible } from './geometry.ts';
import { fitText, type FittedText } from './layout.ts';

export interface Stamp {
  /** 1-based page number. x, y, width, height: fractions (0..1) of the page's visible box, from its top-left corner. */
  page: number;
  x: number;
  y: number;
  width: number;
  height: number;
  type: 'signature' | 'initials' | 'date_signed' | 'text' | 'checkbox';
  value:
    | { kind: 'drawn'; png: Uint8Array }
    | { kind: 'typed'; text: string }
    | { kind: 'text'; text: string }
    | { kind: 'checkbox'; checked: boolean };
}

const INK: Rgb = [0.05, 0.1, 0.35];

class StampError extends Error {
  override name = 'StampError';
}

/**
 * Reject what cannot be placed (a page the document lacks, a non-number); clamp boxes that reach
 * past the page edge, as a viewer would clip them, so a rounding error never blocks a seal.
 */
export function normalizeStamps(stamps: Stamp[], pageCount: number): Stamp[] {
  return stamps.map((s, i) => {
    const where = `stamp ${i + 1} (${s.type})`;
    if (!Number.isInteger(s.page) || s.page < 1 || s.page > pageCount) {
      throw new StampError(`${where}: page ${s.page} is not in the document (1..${pageCount})`);
    }
    for (const k of ['x', 'y', 'width', 'height'] as const) {
      const v = s[k];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1)
        throw new StampError(`${where}: ${k} must be a fraction between 0 and 1`);
    }
    return { ...s, width: Math.min(s.width, 1 - s.x), height: Math.min(s.height, 1 - s.y) };
  });
}

/** Draw one field value into its box on the page canvas. */
export function drawStamp(
  pdf: PDF,
  canvas: PageCanvas,
  stamp: Stamp,
  images: Map<Uint8Array, ReturnType<PDF['embedPng']>>,
): void {
  const box = fractionToVisible(canvas.frame, stamp);
  if (box.width <= 0 || box.height <= 0) return;
  const v = stamp.value;
  switch (v.kind) {
    case 'drawn': {
      let image = images.get(v.png);
      if (!image) {
        try {
          image = pdf.embedPng(v.png);
        } catch (err) {
          throw new StampError(
            `the drawn ${stamp.type} on page ${stamp.page} is not a readable PNG image: ${(err as Error).message}`,
          );
        }
        images.set(v.png, image);
      }
      const scale = Math.min(box.width / image.width, box.height / image.height);
      const w = image.width * scale;
      const h = image.height * scale;
      canvas.image(image.ref, box.x + (box.width - w) / 2, box.y + (box.height - h) / 2, w, h);
      return;
    }
    case 'checkbox': {
      if (!v.checked) return;
      const s = Math.min(box.width, box.height) * 0.8;
      const x = box.x + (box.width - s) / 2;
      const y = box.y + (box.height - s) / 2;
      canvas.op('q');
      canvas.strokeColor(INK);
      canvas.op(`${num(Math.max(0.6, s * 0.12))} w 1 J 1 j`);
      canvas.op(
        `${num(x + s * 0.12)} ${num(y + s * 0.5)} m ${num(x + s * 0.4)} ${num(y + s * 0.18)} l ${num(x + s * 0.9)} ${num(y + s * 0.85)} l S`,
      );
      canvas.op('Q');
      return;
    }
    case 'typed': {
      // A typed signature or initials: one line, italic, as large as the box allows.
      const pad = Math.min(box.height * 0.1, 4);
      const fitted = fitText(
        v.text,
        'italic',
        { width: box.width - 2 * pad, height: box.height - 2 * pad },
        { maxSize: 36, minSize: 4 },
      );
      drawFitted(canvas, fitted, { ...box, x: box.x + pad, width: box.width - 2 * pad }, 'center');
      return;
    }
    case 'text': {
      const multiline = stamp.type === 'text' && box.height >= 24;
      const pad = Math.min(box.height * 0.08, 2);
      const fitted = fitText(
        v.text,
        'regular',
        { width: box.width - 2 * pad, height: box.height - 2 * pad },
        {
          maxSize: 12,
          minSize: 4,
          multiline,
        },
      );
      drawFitted(canvas, fitted, { ...box, x: box.x + pad, width: box.width - 2 * pad }, 'left');
      return;
    }
  }
}

function drawFitted(
  canvas: PageCanvas,
  fitted: FittedText,
  box: { x: number; y: number; width: number; height: number },
  align: 'left' | 'center',
): void {
  if (fitted.lines.length === 0) return;
  const { ascent, descent } = lineMetrics(fitted.size);
  // Centre the block of lines vertically; each line's glyphs (ascent+descent) centred in its line.
  const glyphHeight = Math.min(ascent + descent, fitted.lineHeight);
  const blockHeight = (fitted.lines.length - 1) * fitted.lineHeight + glyphHeight;
  let top = box.y + (box.height + blockHeight) / 2;
  canvas.fillColor(INK);
  for (const line of fitted.lines) {
    const baseline = top - glyphHeight + (descent * glyphHeight) / (ascent + descent);
    const x = align === 'center' ? box.x + (box.width - line.width) / 2 : box.x;
    canvas.text(line.runs, x, baseline, fitted.size);
    top -= fitted.lineHeight;
  }
}
