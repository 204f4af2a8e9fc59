import { cleanText, runsWidth, shapeLine, scriptOf, type ShapedRun, type TextStyle } from './fonts.ts';

interface Line {
  runs: ShapedRun[];
  /** Width at the size the line was laid out for. */
  width: number;
}

/** Break opportunities: spaces, and between CJK characters. */
function tokenize(text: string): string[] {
  const tokens: string[] = [];
  let current = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (ch === ' ') {
      if (current) tokens.push(current);
      tokens.push(' ');
      current = '';
    } else if (scriptOf(cp) === 'cjk') {
      if (current) tokens.push(current);
      tokens.push(ch);
      current = '';
    } else current += ch;
  }
  if (current) tokens.push(current);
  return tokens;
}

function measure(text: string, style: TextStyle, size: number): number {
  return runsWidth(shapeLine(text, style), size);
}

/**
 * Greedy word wrap. Tokens are measured one by one (kerning across a space is ignored); words
 * longer than the line are broken between characters. Each line is then shaped as a whole.
 */
export function wrap(raw: string, style: TextStyle, size: number, maxWidth: number): Line[] {
  const text = cleanText(raw).replace(/ +/g, ' ').trim();
  if (!text) return [];
  const space = measure(' ', style, size);
  const lines: string[] = [];
  let current = '';
  let width = 0;
  let pendingSpace = false;
  const push = () => {
    if (current) lines.push(current);
    current = '';
    width = 0;
    pendingSpace = false;
  };
  for (const token of tokenize(text)) {
    if (token === ' ') {
      pendingSpace = current !== '';
      continue;
    }
    const w = measure(token, style, size);
    const extra = pendingSpace ? space : 0;
    if (current && width + extra + w <= maxWidth) {
      current += (pendingSpace ? ' ' : '') + token;
      width += extra + w;
      pendingSpace = false;
      continue;
    }
    if (current) push();
    if (w <= maxWidth) {
      current = token;
      width = w;
      continue;
    }
    // A single token wider than the line (a long e-mail, hash or URL): break it anywhere.
    for (const ch of token) {
      const cw = measure(ch, style, size);
      if (current && width + cw > maxWidth) push();
      current += ch;
      width += cw;
    }
  }
  push();
  return lines.map((l) => {
    const runs = shapeLine(l, style);
    return { runs, width: runsWidth(runs, size) };
  });
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
