import { PdfArray, PdfDict, PdfNumber, type PDF, type PDFPage, type PdfObject } from '@libpdf/core';

export type Rotation = 0 | 90 | 180 | 270;

/** Visible size of a page in points, after CropBox and /Rotate, as a viewer shows it. */
export interface PageBox {
  width: number;
  height: number;
  rotation: Rotation;
}

/** A rectangle in user space (x0,y0 lower-left, x1,y1 upper-right). */
interface UserRect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * Everything needed to draw on a page in "visible" coordinates: origin at the bottom-left of
 * the page as displayed, y up, units in points. `matrix` maps visible coordinates to user space
 * (the operands of a `cm` operator).
 */
export interface PageFrame extends PageBox {
  visibleRect: UserRect;
  matrix: [number, number, number, number, number, number];
}

const US_LETTER: UserRect = { x0: 0, y0: 0, x1: 612, y1: 792 };

/** Inheritable page attributes (MediaBox, CropBox, Rotate, Resources) looked up the /Parent chain. */
function inheritedAttribute(pdf: PDF, page: PDFPage, key: string): PdfObject | undefined {
  const resolve = (ref: Parameters<PDF['getObject']>[0]) => pdf.getObject(ref);
  let dict: PdfDict | undefined = page.dict;
  const seen = new Set<PdfDict>();
  while (dict && !seen.has(dict)) {
    seen.add(dict);
    const value = dict.get(key, resolve);
    if (value !== undefined) return value;
    const parent = dict.get('Parent', resolve);
    dict = parent instanceof PdfDict ? parent : undefined;
  }
  return undefined;
}

function readRect(value: PdfObject | undefined, pdf: PDF): UserRect | undefined {
  if (!(value instanceof PdfArray) || value.length < 4) return undefined;
  const nums: number[] = [];
  for (let i = 0; i < 4; i++) {
    let item = value.at(i);
    if (item && !(item instanceof PdfNumber) && 'objectNumber' in item)
      item = pdf.getObject(item as never) ?? undefined;
    if (!(item instanceof PdfNumber) || !Number.isFinite(item.value)) return undefined;
    nums.push(item.value);
  }
  const [a, b, c, d] = nums as [number, number, number, number];
  const rect = { x0: Math.min(a, c), y0: Math.min(b, d), x1: Math.max(a, c), y1: Math.max(b, d) };
  if (rect.x1 - rect.x0 <= 0 || rect.y1 - rect.y0 <= 0) return undefined;
  return rect;
}

function intersect(a: UserRect, b: UserRect): UserRect | undefined {
  const r = { x0: Math.max(a.x0, b.x0), y0: Math.max(a.y0, b.y0), x1: Math.min(a.x1, b.x1), y1: Math.min(a.y1, b.y1) };
  return r.x1 > r.x0 && r.y1 > r.y0 ? r : undefined;
}

function pageRotation(pdf: PDF, page: PDFPage): Rotation {
  const value = inheritedAttribute(pdf, page, 'Rotate');
  if (!(value instanceof PdfNumber) || !Number.isInteger(value.value)) return 0;
  const r = ((value.value % 360) + 360) % 360;
  return r === 90 || r === 180 || r === 270 ? r : 0;
}

/** The visible region in user space: CropBox clipped to MediaBox (as viewers and pdfinfo do). */
function visibleRect(pdf: PDF, page: PDFPage): UserRect {
  const media = readRect(inheritedAttribute(pdf, page, 'MediaBox'), pdf) ?? US_LETTER;
  const crop = readRect(inheritedAttribute(pdf, page, 'CropBox'), pdf);
  return (crop && intersect(crop, media)) ?? media;
}

export function pageFrame(pdf: PDF, page: PDFPage): PageFrame {
  const r = visibleRect(pdf, page);
  const rotation = pageRotation(pdf, page);
  const w = r.x1 - r.x0;
  const h = r.y1 - r.y0;
  const sideways = rotation === 90 || rotation === 270;
  // Visible (displayed, y-up) -> user space. /Rotate turns the page clockwise when shown.
  const matrix: PageFrame['matrix'] =
    rotation === 0
      ? [1, 0, 0, 1, r.x0, r.y0]
      : rotation === 90
        ? [0, 1, -1, 0, r.x1, r.y0]
        : rotation === 180
          ? [-1, 0, 0, -1, r.x1, r.y1]
          : [0, -1, 1, 0, r.x0, r.y1];
  return { width: sideways ? h : w, height: sideways ? w : h, rotation, visibleRect: r, matrix };
}

/** Fractions of the visible page from its top-left corner → a rectangle in visible coordinates (y up). */
export function fractionToVisible(
  frame: PageBox,
  f: { x: number; y: number; width: number; height: number },
): { x: number; y: number; width: number; height: number } {
  const width = f.width * frame.width;
  const height = f.height * frame.height;
  return { x: f.x * frame.width, y: frame.height - f.y * frame.height - height, width, height };
}

/** Inverse of the page matrix: user-space point → visible coordinates. */
export function userToVisible(frame: PageFrame, ux: number, uy: number): { x: number; y: number } {
  const [a, b, c, d, e, f] = frame.matrix;
  const det = a * d - b * c;
  const dx = ux - e;
  const dy = uy - f;
  return { x: (d * dx - c * dy) / det, y: (-b * dx + a * dy) / det };
}
