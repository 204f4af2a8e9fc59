import type { FieldType } from '@countersign/core';

/** A field's box as fractions (0..1) of its page's visible box, from the top-left corner. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A snapping guide: a vertical line at `x = at` or a horizontal one at `y = at` (fractions). */
export interface Guide {
  axis: 'x' | 'y';
  at: number;
}

/** Keyboard step: 1/200 of the page (about 3 pt on Letter); with Alt, 1/1000. */
export const STEP = 1 / 200;
export const FINE_STEP = 1 / 1000;
/** Smallest field side, so a field can never vanish by resizing. */
export const MIN_SIZE = 0.01;
/** How close (CSS px) an edge must come to a guide to snap to it. */
export const SNAP_PX = 8;

/** Size of a newly placed field, per type, as fractions of a Letter page. */
export const DEFAULT_SIZE: Record<FieldType, { width: number; height: number }> = {
  signature: { width: 0.3, height: 0.06 },
  initials: { width: 0.1, height: 0.05 },
  date_signed: { width: 0.2, height: 0.03 },
  text: { width: 0.3, height: 0.03 },
  checkbox: { width: 0.03, height: 0.025 },
};

const clamp = (v: number, min: number, max: number) => Math.min(Math.max(v, min), max);

/** Keeps a box inside its page: sizes between MIN_SIZE and 1, then the corner pulled in. */
export function clampBox(box: Box): Box {
  const width = clamp(box.width, MIN_SIZE, 1);
  const height = clamp(box.height, MIN_SIZE, 1);
  return { x: clamp(box.x, 0, 1 - width), y: clamp(box.y, 0, 1 - height), width, height };
}

export function moveBy(box: Box, dx: number, dy: number): Box {
  return clampBox({ ...box, x: box.x + dx, y: box.y + dy });
}

/** Grows or shrinks from the bottom-right corner; the top-left corner stays. */
export function resizeBy(box: Box, dw: number, dh: number): Box {
  return {
    ...box,
    width: clamp(box.width + dw, MIN_SIZE, 1 - box.x),
    height: clamp(box.height + dh, MIN_SIZE, 1 - box.y),
  };
}

/** The lines a box can snap to on one axis: page edges and centre, other fields' edges and centres. */
function lines(others: Box[], axis: 'x' | 'y'): number[] {
  const size = axis === 'x' ? 'width' : 'height';
  return [0, 0.5, 1, ...others.flatMap((o) => [o[axis], o[axis] + o[size] / 2, o[axis] + o[size]])];
}

/** The nearest line within `tolerance` of any of `edges` (offsets from the box's start), if any. */
function nearest(start: number, offsets: number[], candidates: number[], tolerance: number) {
  let best: { start: number; at: number; distance: number } | undefined;
  for (const offset of offsets) {
    for (const at of candidates) {
      const distance = Math.abs(start + offset - at);
      if (distance <= tolerance && (!best || distance < best.distance)) best = { start: at - offset, at, distance };
    }
  }
  return best;
}

/**
 * Snaps a moving box's left/centre/right and top/middle/bottom to the nearest guide within
 * the tolerances (fractions of the page's width and height); returns the guides it used.
 */
export function snapMove(box: Box, others: Box[], tolX: number, tolY: number): { box: Box; guides: Guide[] } {
  const guides: Guide[] = [];
  let { x, y } = box;
  const sx = nearest(box.x, [0, box.width / 2, box.width], lines(others, 'x'), tolX);
  if (sx) {
    x = sx.start;
    guides.push({ axis: 'x', at: sx.at });
  }
  const sy = nearest(box.y, [0, box.height / 2, box.height], lines(others, 'y'), tolY);
  if (sy) {
    y = sy.start;
    guides.push({ axis: 'y', at: sy.at });
  }
  return { box: clampBox({ ...box, x, y }), guides };
}

/** Snaps a box being resized: its right and bottom edges go to the nearest guide. */
export function snapResize(box: Box, others: Box[], tolX: number, tolY: number): { box: Box; guides: Guide[] } {
  const guides: Guide[] = [];
  let { width, height } = box;
  const right = nearest(box.x + box.width, [0], lines(others, 'x'), tolX);
  if (right && right.at - box.x >= MIN_SIZE) {
    width = right.at - box.x;
    guides.push({ axis: 'x', at: right.at });
  }
  const bottom = nearest(box.y + box.height, [0], lines(others, 'y'), tolY);
  if (bottom && bottom.at - box.y >= MIN_SIZE) {
    height = bottom.at - box.y;
    guides.push({ axis: 'y', at: bottom.at });
  }
  return { box: { ...box, width, height }, guides };
}

/** Space kept between a placed field and the page edge or another field. */
export const PLACE_GAP = 0.01;
/** Grid step (fraction of the page) of the search for a free spot. */
const PLACE_GRID = 0.01;

const overlaps = (a: Box, b: Box, gap: number) =>
  a.x < b.x + b.width + gap && b.x < a.x + a.width + gap && a.y < b.y + b.height + gap && b.y < a.y + a.height + gap;

/**
 * Where a new field of `size` goes on a page holding `others`: at `preferred` when that overlaps
 * nothing, else the first free spot below it in the same column, else the first free spot of a
 * grid scanned row by row from the top-left. Undefined when no spot on the page is free.
 */
export function findFreeBox(
  size: { width: number; height: number },
  others: readonly Box[],
  preferred: { x: number; y: number },
): Box | undefined {
  const free = (x: number, y: number): Box | undefined => {
    const box = clampBox({ x, y, ...size });
    return others.some((o) => overlaps(box, o, PLACE_GAP)) ? undefined : box;
  };
  const maxX = 1 - PLACE_GAP - size.width;
  const maxY = 1 - PLACE_GAP - size.height;
  const first = free(preferred.x, preferred.y);
  if (first) return first;
  for (let y = preferred.y; y <= maxY + 1e-9; y += PLACE_GRID) {
    const box = free(preferred.x, y);
    if (box) return box;
  }
  for (let y = PLACE_GAP; y <= maxY + 1e-9; y += PLACE_GRID) {
    for (let x = PLACE_GAP; x <= maxX + 1e-9; x += PLACE_GRID) {
      const box = free(x, y);
      if (box) return box;
    }
  }
  return undefined;
}
