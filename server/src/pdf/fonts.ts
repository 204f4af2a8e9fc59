import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import path from 'node:path';
import fontkit from '@pdf-lib/fontkit';
import type { Font, Glyph } from '@pdf-lib/fontkit';

/**
 * Unicode fonts for everything we print (stamped values and the certificate page).
 * Font files are read and parsed once per process; shaping results and encoded subsets are
 * cached, because the same labels and names recur across seals.
 */
export type FaceKey = 'sans' | 'sansBold' | 'sansItalic' | 'sansBoldItalic' | 'jp' | 'arabic';
export type TextStyle = 'regular' | 'bold' | 'italic' | 'boldItalic';

const FACE_FILES: Record<FaceKey, [pkg: string, file: string]> = {
  sans: ['@expo-google-fonts/noto-sans', '400Regular/NotoSans_400Regular.ttf'],
  sansBold: ['@expo-google-fonts/noto-sans', '700Bold/NotoSans_700Bold.ttf'],
  sansItalic: ['@expo-google-fonts/noto-sans', '400Regular_Italic/NotoSans_400Regular_Italic.ttf'],
  sansBoldItalic: ['@expo-google-fonts/noto-sans', '700Bold_Italic/NotoSans_700Bold_Italic.ttf'],
  jp: ['@expo-google-fonts/noto-sans-jp', '400Regular/NotoSansJP_400Regular.ttf'],
  arabic: ['@expo-google-fonts/noto-sans-arabic', '400Regular/NotoSansArabic_400Regular.ttf'],
};

const require = createRequire(import.meta.url);
const faces = new Map<FaceKey, Font>();

function face(key: FaceKey): Font {
  let font = faces.get(key);
  if (!font) {
    const [pkg, file] = FACE_FILES[key];
    const dir = path.dirname(require.resolve(`${pkg}/package.json`));
    font = fontkit.create(readFileSync(path.join(dir, file)));
    faces.set(key, font);
  }
  return font;
}

/**
 * Parse the fonts and run the shaper once, off the request path (about 300 ms the first time in
 * a process), so that the first seal is not the one that pays for it.
 */
export function warmUpFonts(): void {
  for (const style of ['regular', 'bold', 'italic', 'boldItalic'] as const)
    shapeLine('Zoë Łukasz-Müller Юлия Ἀθηνᾶ 山田太郎 محمد 0123456789', style);
}

type Script = 'latin' | 'arabic' | 'cjk' | 'neutral';

export function scriptOf(cp: number): Script {
  if (
    (cp >= 0x0600 && cp <= 0x06ff) ||
    (cp >= 0x0750 && cp <= 0x077f) ||
    (cp >= 0x0870 && cp <= 0x08ff) ||
    (cp >= 0xfb50 && cp <= 0xfdff) ||
    (cp >= 0xfe70 && cp <= 0xfeff)
  )
    return 'arabic';
  if (
    (cp >= 0x1100 && cp <= 0x11ff) ||
    (cp >= 0x2e80 && cp <= 0x2fdf) ||
    (cp >= 0x3000 && cp <= 0x30ff) ||
    (cp >= 0x3100 && cp <= 0x9fff) ||
    (cp >= 0xac00 && cp <= 0xd7af) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xffef) ||
    (cp >= 0x20000 && cp <= 0x3ffff)
  )
    return 'cjk';
  // Digits, spaces and punctuation take the script of their neighbours.
  if (cp < 0x80 && !((cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a))) return 'neutral';
  if ((cp >= 0x2000 && cp <= 0x206f) || cp === 0xa0) return 'neutral';
  return 'latin';
}

function primaryFace(script: Script, style: TextStyle): FaceKey {
  if (script === 'arabic') return 'arabic';
  if (script === 'cjk') return 'jp';
  return style === 'bold'
    ? 'sansBold'
    : style === 'italic'
      ? 'sansItalic'
      : style === 'boldItalic'
        ? 'sansBoldItalic'
        : 'sans';
}

const FALLBACKS: FaceKey[] = ['sans', 'jp', 'arabic'];

/** Glyph coverage by face and code point: fontkit's cmap lookup is slow for every character of every line. */
const coverage = new Map<FaceKey, Map<number, boolean>>();

function hasGlyph(key: FaceKey, cp: number): boolean {
  let known = coverage.get(key);
  if (!known) {
    known = new Map();
    coverage.set(key, known);
  }
  let has = known.get(cp);
  if (has === undefined) {
    has = face(key).hasGlyphForCodePoint(cp);
    known.set(cp, has);
  }
  return has;
}

interface ShapedGlyph {
  /** Glyph id in the full font. */
  id: number;
  /** The text this glyph stands for (for ToUnicode / copy-paste). */
  text: string;
  /** Advance, offsets in font units. */
  advance: number;
  xOffset: number;
  yOffset: number;
}

export interface ShapedRun {
  face: FaceKey;
  rtl: boolean;
  text: string;
  glyphs: ShapedGlyph[];
  /** Advance width in font units. */
  advance: number;
  unitsPerEm: number;
}

const shapeCache = new Map<string, ShapedRun>();
const SHAPE_CACHE_LIMIT = 4000;

function shapeRun(key: FaceKey, text: string, rtl: boolean): ShapedRun {
  const cacheKey = `${key}\u0000${text}`;
  const hit = shapeCache.get(cacheKey);
  if (hit) return hit;
  const font = face(key);
  const run = font.layout(text);
  // fontkit caches one Glyph object per id, with the code points of whoever asked first: a glyph
  // first loaded as a component of another (Latin A inside Cyrillic А) or by id (widths) has
  // none, and its text would vanish from ToUnicode. So a glyph the text maps to directly takes
  // its character from the text; only other glyphs (ligatures, shaped forms) use fontkit's.
  const direct = new Map<number, string>();
  for (const ch of text) {
    const id = font.glyphForCodePoint(ch.codePointAt(0)!).id;
    if (!direct.has(id)) direct.set(id, ch);
  }
  const glyphs: ShapedGlyph[] = [];
  let advance = 0;
  run.glyphs.forEach((g: Glyph, i: number) => {
    const pos = run.positions[i];
    const a = pos?.xAdvance ?? g.advanceWidth;
    glyphs.push({
      id: g.id,
      text: direct.get(g.id) ?? String.fromCodePoint(...(g.codePoints ?? [])),
      advance: a,
      xOffset: pos?.xOffset ?? 0,
      yOffset: pos?.yOffset ?? 0,
    });
    advance += a;
  });
  const shaped: ShapedRun = { face: key, rtl, text, glyphs, advance, unitsPerEm: font.unitsPerEm };
  if (shapeCache.size >= SHAPE_CACHE_LIMIT) shapeCache.clear();
  shapeCache.set(cacheKey, shaped);
  return shaped;
}

/**
 * Characters we never print: control characters, and format characters such as bidi overrides
 * (which could make a name display as something else) — except the zero-width (non-)joiners
 * that shaping needs.
 */
const INVISIBLE = /(?![\u200c\u200d])[\p{Cc}\p{Cf}]/gu;

export function cleanText(text: string): string {
  return text
    .normalize('NFC')
    .replace(/[\t\r\n]+/g, ' ')
    .replace(INVISIBLE, '');
}

/**
 * Split a single line of text into runs, each drawn with one font, and shape them. Runs are
 * returned in visual order, left to right: the paragraph direction is left-to-right and an
 * Arabic run (with the spaces and punctuation inside it) is reversed by the shaper, with
 * numbers inside it kept left-to-right.
 */
export function shapeLine(text: string, style: TextStyle = 'regular'): ShapedRun[] {
  const chars = Array.from(text);
  if (chars.length === 0) return [];
  const scripts = chars.map((c) => scriptOf(c.codePointAt(0)!));
  // Resolve neutrals: inside an Arabic stretch they are Arabic (digits excepted); otherwise they
  // follow the previous strong character (or the next one at the start).
  const prevStrong: (Script | undefined)[] = [];
  let last: Script | undefined;
  for (let i = 0; i < scripts.length; i++) {
    prevStrong[i] = last;
    if (scripts[i] !== 'neutral') last = scripts[i];
  }
  let next: Script | undefined;
  for (let i = scripts.length - 1; i >= 0; i--) {
    const own = scripts[i]!;
    if (own !== 'neutral') {
      next = own;
      continue;
    }
    const prev = prevStrong[i];
    const isDigit = chars[i]! >= '0' && chars[i]! <= '9';
    if (prev === 'arabic' && next === 'arabic' && !isDigit) scripts[i] = 'arabic';
    else if (prev && prev !== 'arabic') scripts[i] = prev;
    else if (next && next !== 'arabic') scripts[i] = next;
    else scripts[i] = 'latin';
  }
  // Pick a face per character, falling back when the primary face lacks the glyph.
  const faceKeys = chars.map((c, i) => {
    const cp = c.codePointAt(0)!;
    const primary = primaryFace(scripts[i]!, style);
    if (hasGlyph(primary, cp)) return primary;
    for (const fb of FALLBACKS) if (fb !== primary && hasGlyph(fb, cp)) return fb;
    return primary;
  });
  const runs: ShapedRun[] = [];
  let start = 0;
  for (let i = 1; i <= chars.length; i++) {
    if (i < chars.length && faceKeys[i] === faceKeys[start]) continue;
    const key = faceKeys[start]!;
    const runText = chars.slice(start, i).join('');
    runs.push(shapeRun(key, runText, key === 'arabic'));
    start = i;
  }
  // Consecutive right-to-left runs (Arabic letters, digits between them) are shown in reverse order.
  const ordered: ShapedRun[] = [];
  for (let i = 0; i < runs.length;) {
    if (!runs[i]!.rtl) {
      ordered.push(runs[i]!);
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < runs.length && (runs[j + 1]!.rtl || (isNumberRun(runs[j + 1]!) && runs[j + 2]?.rtl))) j++;
    ordered.push(...runs.slice(i, j + 1).reverse());
    i = j + 1;
  }
  return ordered;
}

function isNumberRun(run: ShapedRun): boolean {
  return /^[0-9.,:\-/ ]+$/.test(run.text);
}

export function runsWidth(runs: ShapedRun[], size: number): number {
  let w = 0;
  for (const r of runs) w += (r.advance / r.unitsPerEm) * size;
  return w;
}

export function lineMetrics(size: number): { ascent: number; descent: number } {
  const f = face('sans');
  return { ascent: (f.ascent / f.unitsPerEm) * size, descent: (-f.descent / f.unitsPerEm) * size };
}

// ---------------------------------------------------------------------------------------------
// Subsets

export interface EncodedSubset {
  bytes: Uint8Array;
  /** `bytes` deflated, ready for a /FlateDecode FontFile2 stream. */
  deflated: Uint8Array;
  /** old glyph id → glyph id in the subset */
  newId: Map<number, number>;
  /** widths (1/1000 em) by new glyph id */
  widths: number[];
}

const subsetCache = new Map<string, EncodedSubset>();
const SUBSET_CACHE_LIMIT = 64;

function encodeStream(stream: ReturnType<ReturnType<Font['createSubset']>['encodeStream']>): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const parts: Uint8Array[] = [];
    stream.on('data', (d: Uint8Array) => parts.push(Uint8Array.from(d))); // chunks may share a reused buffer: copy
    stream.on('end', () => resolve(Buffer.concat(parts)));
    (stream as unknown as { on(e: 'error', cb: (err: unknown) => void): void }).on('error', reject);
  });
}

/**
 * fontkit 1.x writes a short-format `loca` (offsets / 2) but copies glyph records of odd length
 * unpadded, which shifts every later glyph and blanks it out. Pad each glyph record to 4 bytes.
 */
function padGlyphsInSubsets(subset: object): void {
  type Internals = { glyf: Uint8Array[]; offset: number; _addGlyph(gid: number): number; __csPadded?: boolean };
  const proto = Object.getPrototypeOf(subset) as Internals;
  if (proto.__csPadded || typeof proto._addGlyph !== 'function') return;
  const addGlyph = proto._addGlyph;
  proto._addGlyph = function (this: Internals, gid: number) {
    const result = addGlyph.call(this, gid);
    const last = this.glyf[this.glyf.length - 1];
    const pad = last ? (4 - (last.length % 4)) % 4 : 0;
    if (last && pad) {
      // Same Buffer implementation as fontkit's own (its bundled polyfill), which its stream accepts.
      const padded = (last.constructor as unknown as { alloc(n: number): Uint8Array }).alloc(last.length + pad);
      padded.set(last);
      this.glyf[this.glyf.length - 1] = padded;
      this.offset += pad;
    }
    return result;
  };
  proto.__csPadded = true;
}

/** Encode a TrueType subset holding exactly `glyphIds` (plus .notdef), cached by glyph set. */
export async function subsetFor(key: FaceKey, glyphIds: number[]): Promise<EncodedSubset> {
  const ids = [...new Set(glyphIds)].filter((id) => id !== 0).sort((a, b) => a - b);
  const cacheKey = `${key}:${ids.join(',')}`;
  const hit = subsetCache.get(cacheKey);
  if (hit) {
    subsetCache.delete(cacheKey);
    subsetCache.set(cacheKey, hit);
    return hit;
  }
  const font = face(key);
  const subset = font.createSubset();
  padGlyphsInSubsets(subset);
  const newId = new Map<number, number>([[0, 0]]);
  for (const id of ids) newId.set(id, subset.includeGlyph(id));
  const bytes = await encodeStream(subset.encodeStream());
  const widths: number[] = [];
  for (const [oldId, nid] of newId)
    widths[nid] = Math.round((font.getGlyph(oldId).advanceWidth * 1000) / font.unitsPerEm);
  const result: EncodedSubset = { bytes, deflated: new Uint8Array(deflateSync(bytes, { level: 9 })), newId, widths };
  if (subsetCache.size >= SUBSET_CACHE_LIMIT) subsetCache.delete(subsetCache.keys().next().value!);
  subsetCache.set(cacheKey, result);
  return result;
}

export function fontDescriptorMetrics(key: FaceKey) {
  const f = face(key);
  const s = 1000 / f.unitsPerEm;
  return {
    postscriptName: (f.postscriptName ?? 'NotoSans').replace(/[^A-Za-z0-9-]/g, ''),
    ascent: Math.round(f.ascent * s),
    descent: Math.round(f.descent * s),
    capHeight: Math.round((f.capHeight || f.ascent * 0.7) * s),
    italicAngle: f.italicAngle || 0,
    bbox: [f.bbox.minX, f.bbox.minY, f.bbox.maxX, f.bbox.maxY].map((v) => Math.round(v * s)),
  };
}
