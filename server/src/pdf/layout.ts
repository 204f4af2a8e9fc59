import { cleanText, runsWidth, shapeLine, scriptOf, type ShapedRun, type TextStyle } from './fonts.ts';

interface Line {
  runs: ShapedRun[];
  /** Width at the size the line was laid out for. */
  width: number;
}

/** Widths at size 1 of words already measured: contracts repeat the same words thousands of times. */
const widthCache = new Map<string, number>();
const WIDTH_CACHE_LIMIT = 20000;

function measure(text: string, style: TextStyle, size: number): number {
  const key = `${style}\u0000${text}`;
  let unit = widthCache.get(key);
  if (unit === undefined) {
    unit = runsWidth(shapeLine(text, style), 1);
    if (widthCache.size >= WIDTH_CACHE_LIMIT) widthCache.clear();
    widthCache.set(key, unit);
  }
  return unit * size;
}

/**
 * Greedy word wrap of text in one style: words are measured one by one (kerning across a space is
 * ignored); words longer than the line are broken between characters. Each line is then shaped
 * as a whole.
 */
export function wrap(raw: string, style: TextStyle, size: number, maxWidth: number): Line[] {
  return wrapRich([{ text: raw, style }], size, maxWidth).map((l) => ({
    runs: l.segments[0]?.runs ?? [],
    width: l.width,
  }));
}

export interface FittedText {
  lines: Line[];
  size: number;
  lineHeight: number;
}

/**
 * The largest size (≤ maxSize, ≥ minSize) at which the text fits the box, wrapped when
 * `multiline`. If it cannot fit even at minSize, the lines that fit are kept and the last one
 * ends with an ellipsis.
 */
export function fitText(
  raw: string,
  style: TextStyle,
  box: { width: number; height: number },
  opts: { maxSize?: number; minSize?: number; multiline?: boolean; lineGap?: number } = {},
): FittedText {
  const lineGap = opts.lineGap ?? 1.2;
  const minSize = opts.minSize ?? 4;
  let size = Math.max(minSize, Math.min(opts.maxSize ?? 14, box.height / lineGap));
  const text = cleanText(raw).replace(/ +/g, ' ').trim();
  for (;;) {
    const lineHeight = size * lineGap;
    if (opts.multiline) {
      const lines = wrap(text, style, size, box.width);
      if (lines.length * lineHeight <= box.height + 0.01 || size <= minSize) {
        const max = Math.max(1, Math.floor((box.height + 0.01) / lineHeight));
        if (lines.length <= max) return { lines, size, lineHeight };
        const kept = lines.slice(0, max);
        kept[max - 1] = ellipsize(
          lines
            .slice(max - 1)
            .map((l) => l.runs.map((r) => r.text).join(''))
            .join(' '),
          style,
          size,
          box.width,
        );
        return { lines: kept, size, lineHeight };
      }
    } else {
      const runs = shapeLine(text, style);
      const width = runsWidth(runs, size);
      if (width <= box.width || size <= minSize) {
        if (width <= box.width) return { lines: text ? [{ runs, width }] : [], size, lineHeight };
        return { lines: [ellipsize(text, style, size, box.width)], size, lineHeight };
      }
      // Jump close to the fitting size, then refine.
      size = Math.max(minSize, Math.min(size * 0.95, (size * box.width) / width));
      continue;
    }
    size = Math.max(minSize, size * 0.92);
  }
}

function ellipsize(text: string, style: TextStyle, size: number, maxWidth: number): Line {
  const chars = Array.from(text);
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(chars.slice(0, mid).join('').trimEnd() + '…', style, size) <= maxWidth) lo = mid;
    else hi = mid - 1;
  }
  const runs = shapeLine(chars.slice(0, lo).join('').trimEnd() + '…', style);
  return { runs, width: runsWidth(runs, size) };
}

export interface StyledText {
  text: string;
  style: TextStyle;
}

/** A wrapped line of mixed styles: one shaped segment per style change, `x` from the line start. */
export interface RichLine {
  segments: Array<{ runs: ShapedRun[]; x: number }>;
  width: number;
}

interface Word {
  pieces: StyledText[];
  spaceBefore: boolean;
}

/** Words of styled text: break opportunities at spaces and between CJK characters, as in `wrap`. */
function styledWords(parts: readonly StyledText[]): Word[] {
  const words: Word[] = [];
  let current: Word | undefined;
  let pendingSpace = false;
  const append = (word: Word, ch: string, style: TextStyle) => {
    const last = word.pieces.at(-1);
    if (last && last.style === style) last.text += ch;
    else word.pieces.push({ text: ch, style });
  };
  for (const part of parts) {
    for (const ch of cleanText(part.text)) {
      if (ch === ' ') {
        current = undefined;
        pendingSpace = words.length > 0;
      } else if (scriptOf(ch.codePointAt(0)!) === 'cjk') {
        current = undefined;
        words.push({ pieces: [{ text: ch, style: part.style }], spaceBefore: pendingSpace });
        pendingSpace = false;
      } else {
        if (!current) {
          current = { pieces: [], spaceBefore: pendingSpace };
          words.push(current);
          pendingSpace = false;
        }
        append(current, ch, part.style);
      }
    }
  }
  return words;
}

/**
 * Greedy word wrap of text in several styles (bold and italic runs inside a paragraph). Words are
 * measured one by one, as in `wrap`; each line is then shaped per style segment, so bidi ordering
 * and shaping work within a segment.
 */
export function wrapRich(parts: readonly StyledText[], size: number, maxWidth: number): RichLine[] {
  const lines: RichLine[] = [];
  let items: StyledText[] = [];
  let width = 0;
  const push = () => {
    if (items.length) lines.push(shapeRich(items, size));
    items = [];
    width = 0;
  };
  const add = (text: string, style: TextStyle, w: number) => {
    const last = items.at(-1);
    if (last && last.style === style) last.text += text;
    else items.push({ text, style });
    width += w;
  };
  for (const word of styledWords(parts)) {
    const widths = word.pieces.map((p) => measure(p.text, p.style, size));
    const w = widths.reduce((a, b) => a + b, 0);
    const space = word.spaceBefore && items.length ? measure(' ', items.at(-1)!.style, size) : 0;
    if (items.length && width + space + w <= maxWidth) {
      if (space) add(' ', items.at(-1)!.style, space);
      word.pieces.forEach((p, i) => add(p.text, p.style, widths[i]!));
      continue;
    }
    push();
    if (w <= maxWidth) {
      word.pieces.forEach((p, i) => add(p.text, p.style, widths[i]!));
      continue;
    }
    // A single word wider than the line: break it anywhere.
    for (const p of word.pieces) {
      for (const ch of p.text) {
        const cw = measure(ch, p.style, size);
        if (items.length && width + cw > maxWidth) push();
        add(ch, p.style, cw);
      }
    }
  }
  push();
  return lines;
}

function shapeRich(items: StyledText[], size: number): RichLine {
  const segments: RichLine['segments'] = [];
  let x = 0;
  for (const item of items) {
    const runs = shapeLine(item.text, item.style);
    segments.push({ runs, x });
    x += runsWidth(runs, size);
  }
  return { segments, width: x };
}
