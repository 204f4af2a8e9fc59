import {
  PdfArray,
  PdfDict,
  PdfName,
  PdfNumber,
  PdfRef,
  PdfStream,
  PdfString,
  type PDF,
  type PDFPage,
} from '@libpdf/core';
import { deflateSync } from 'node:zlib';
import { fontDescriptorMetrics, subsetFor, type EncodedSubset, type FaceKey, type ShapedRun } from './fonts.ts';
import type { PageFrame } from './geometry.ts';

const enc = new TextEncoder();

/**
 * A stream compressed here with node's native zlib (much faster than the library's JavaScript
 * deflate); @libpdf/core leaves streams that already carry a /Filter as they are.
 */
function flateStream(data: Uint8Array, entries: Record<string, PdfNumber | PdfName> = {}): PdfStream {
  if (data.length < 64) return new PdfStream(PdfDict.of(entries), data);
  const compressed = deflateSync(data, { level: 6 });
  return new PdfStream(
    PdfDict.of({ ...entries, Filter: PdfName.of('FlateDecode') }),
    new Uint8Array(compressed.buffer, compressed.byteOffset, compressed.byteLength),
  );
}

/**
 * Fonts used in one document. Glyph usage is collected while drawing; `finalize` builds one
 * subset per face and the Type0/CIDFontType2 objects (Identity-H, CID = glyph id in subset),
 * with a ToUnicode map so the printed text can be searched and copied.
 */
export class DocumentFonts {
  private readonly used = new Map<FaceKey, Map<number, string>>();
  private readonly refs = new Map<FaceKey, PdfRef>();
  private readonly subsets = new Map<FaceKey, EncodedSubset>();

  constructor(private readonly pdf: PDF) {}

  /** Record the glyphs of a run; returns the (pre-allocated) font dictionary reference. */
  use(run: ShapedRun): PdfRef {
    let glyphs = this.used.get(run.face);
    if (!glyphs) {
      glyphs = new Map();
      this.used.set(run.face, glyphs);
    }
    for (const g of run.glyphs) if (!glyphs.has(g.id) || !glyphs.get(g.id)) glyphs.set(g.id, g.text);
    let ref = this.refs.get(run.face);
    if (!ref) {
      ref = this.pdf.register(new PdfDict());
      this.refs.set(run.face, ref);
    }
    return ref;
  }

  newGlyphId(faceKey: FaceKey, oldId: number): number {
    const subset = this.subsets.get(faceKey);
    if (!subset) throw new Error(`font ${faceKey} not finalized`);
    return subset.newId.get(oldId) ?? 0;
  }

  /** Width (1/1000 em) of a glyph of the finalized subset. */
  glyphWidth(faceKey: FaceKey, newId: number): number {
    return this.subsets.get(faceKey)?.widths[newId] ?? 0;
  }

  async finalize(): Promise<void> {
    for (const [key, glyphs] of this.used) {
      const subset = await subsetFor(key, [...glyphs.keys()]);
      this.subsets.set(key, subset);
      const m = fontDescriptorMetrics(key);
      const tag = subsetTag(key, glyphs);
      const baseFont = `${tag}+${m.postscriptName}`;
      const fontFile = this.pdf.register(
        new PdfStream(
          PdfDict.of({ Length1: PdfNumber.of(subset.bytes.length), Filter: PdfName.of('FlateDecode') }),
          subset.deflated,
        ),
      );
      const descriptor = this.pdf.register(
        PdfDict.of({
          Type: PdfName.of('FontDescriptor'),
          FontName: PdfName.of(baseFont),
          Flags: PdfNumber.of(key === 'sansItalic' || key === 'sansBoldItalic' ? 4 | 64 : 4),
          FontBBox: new PdfArray(m.bbox.map((v) => PdfNumber.of(v))),
          ItalicAngle: PdfNumber.of(m.italicAngle),
          Ascent: PdfNumber.of(m.ascent),
          Descent: PdfNumber.of(m.descent),
          CapHeight: PdfNumber.of(m.capHeight),
          StemV: PdfNumber.of(key === 'sansBold' || key === 'sansBoldItalic' ? 140 : 80),
          FontFile2: fontFile,
        }),
      );
      const w: PdfNumber[] = [];
      subset.widths.forEach((width) => w.push(PdfNumber.of(width ?? 0)));
      const cidFont = this.pdf.register(
        PdfDict.of({
          Type: PdfName.of('Font'),
          Subtype: PdfName.of('CIDFontType2'),
          BaseFont: PdfName.of(baseFont),
          CIDSystemInfo: PdfDict.of({
            Registry: PdfString.fromString('Adobe'),
            Ordering: PdfString.fromString('Identity'),
            Supplement: PdfNumber.of(0),
          }),
          FontDescriptor: descriptor,
          W: new PdfArray([PdfNumber.of(0), new PdfArray(w)]),
          CIDToGIDMap: PdfName.of('Identity'),
        }),
      );
      const toUnicode = this.pdf.register(flateStream(toUnicodeCMap(subset, glyphs)));
      const type0 = this.pdf.getObject(this.refs.get(key)!) as PdfDict;
      type0.set('Type', PdfName.of('Font'));
      type0.set('Subtype', PdfName.of('Type0'));
      type0.set('BaseFont', PdfName.of(baseFont));
      type0.set('Encoding', PdfName.of('Identity-H'));
      type0.set('DescendantFonts', new PdfArray([cidFont]));
      type0.set('ToUnicode', toUnicode);
    }
  }
}

function subsetTag(key: FaceKey, glyphs: Map<number, string>): string {
  // Deterministic 6-letter tag from the glyph set, so equal subsets get equal names.
  let h = 2166136261;
  for (const ch of key) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  for (const id of [...glyphs.keys()].sort((a, b) => a - b)) h = Math.imul(h ^ id, 16777619);
  let tag = '';
  for (let i = 0; i < 6; i++) {
    tag += String.fromCharCode(65 + ((h >>> 0) % 26));
    h = Math.imul(h ^ i, 16777619);
  }
  return tag;
}

function utf16Hex(text: string): string {
  let hex = '';
  for (let i = 0; i < text.length; i++) hex += text.charCodeAt(i).toString(16).padStart(4, '0');
  return hex;
}

function toUnicodeCMap(subset: EncodedSubset, glyphs: Map<number, string>): Uint8Array {
  const entries: string[] = [];
  for (const [oldId, text] of glyphs) {
    if (!text) continue;
    const nid = subset.newId.get(oldId);
    if (nid === undefined || nid === 0) continue;
    entries.push(`<${nid.toString(16).padStart(4, '0')}> <${utf16Hex(text)}>`);
  }
  const lines = [
    '/CIDInit /ProcSet findresource begin',
    '12 dict begin',
    'begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Adobe-Identity-UCS def',
    '/CMapType 2 def',
    '1 begincodespacerange',
    '<0000> <FFFF>',
    'endcodespacerange',
  ];
  for (let i = 0; i < entries.length; i += 100) {
    const chunk = entries.slice(i, i + 100);
    lines.push(`${chunk.length} beginbfchar`, ...chunk, 'endbfchar');
  }
  lines.push('endcmap', 'CMapName currentdict /CMap defineresource pop', 'end', 'end');
  return enc.encode(lines.join('\n'));
}

export type Rgb = [number, number, number];

type Part = string | { runs: ShapedRun[]; x: number; y: number; size: number; fonts: Map<FaceKey, string> };

export function num(n: number): string {
  if (!Number.isFinite(n)) return '0';
  const r = Math.round(n * 1000) / 1000;
  return Object.is(r, -0) ? '0' : String(r);
}

/**
 * Draws on one page in its visible coordinate system (origin bottom-left of the page as shown,
 * y up), whatever its /Rotate and CropBox. Content is kept as parts until `flush`, because glyph
 * ids are only known once the document's font subsets are built.
 */
export class PageCanvas {
  private readonly parts: Part[] = [];
  private readonly fontNames = new Map<FaceKey, string>();
  private resources: PdfDict | undefined;

  constructor(
    private readonly pdf: PDF,
    readonly page: PDFPage,
    readonly frame: PageFrame,
    private readonly fonts: DocumentFonts,
    /** Set on pages we create ourselves: no need to protect pre-existing content. */
    private readonly fresh = false,
  ) {}

  op(s: string): void {
    this.parts.push(s);
  }

  fillColor([r, g, b]: Rgb): void {
    this.parts.push(`${num(r)} ${num(g)} ${num(b)} rg`);
  }

  strokeColor([r, g, b]: Rgb): void {
    this.parts.push(`${num(r)} ${num(g)} ${num(b)} RG`);
  }

  rect(x: number, y: number, w: number, h: number, mode: 'f' | 'S'): void {
    this.parts.push(`${num(x)} ${num(y)} ${num(w)} ${num(h)} re ${mode}`);
  }

  line(x1: number, y1: number, x2: number, y2: number, width: number): void {
    this.parts.push(`${num(width)} w ${num(x1)} ${num(y1)} m ${num(x2)} ${num(y2)} l S`);
  }

  /** Draw shaped runs with the baseline starting at (x, y). */
  text(runs: ShapedRun[], x: number, y: number, size: number): void {
    for (const run of runs) {
      if (!this.fontNames.has(run.face)) {
        const ref = this.fonts.use(run);
        this.fontNames.set(run.face, this.addResource('Font', `CsF${run.face}`, ref));
      } else this.fonts.use(run);
    }
    this.parts.push({ runs, x, y, size, fonts: this.fontNames });
  }

  image(ref: PdfRef, x: number, y: number, w: number, h: number): void {
    const name = this.addResource('XObject', 'CsIm', ref);
    this.parts.push(`q ${num(w)} 0 0 ${num(h)} ${num(x)} ${num(y)} cm /${name} Do Q`);
  }

  private pageResources(): PdfDict {
    if (this.resources) return this.resources;
    const resolve = (ref: PdfRef) => this.pdf.getObject(ref);
    let res = this.page.dict.get('Resources', resolve);
    if (!(res instanceof PdfDict)) {
      // Inherited resources: copy them onto the page so the page's own content keeps its fonts.
      let node = this.page.dict.get('Parent', resolve);
      let inherited: PdfDict | undefined;
      for (let depth = 0; node instanceof PdfDict && depth < 64; depth++) {
        const r = node.get('Resources', resolve);
        if (r instanceof PdfDict) {
          inherited = r;
          break;
        }
        node = node.get('Parent', resolve);
      }
      res = inherited ? inherited.clone() : new PdfDict();
      this.page.dict.set('Resources', res);
    }
    this.resources = res as PdfDict;
    return this.resources;
  }

  private addResource(kind: 'Font' | 'XObject', prefix: string, ref: PdfRef): string {
    const resolve = (r: PdfRef) => this.pdf.getObject(r);
    const res = this.pageResources();
    let sub = res.get(kind, resolve);
    if (!(sub instanceof PdfDict)) {
      sub = new PdfDict();
      res.set(kind, sub);
    } else if (res.get(kind) instanceof PdfRef) {
      // Shared sub-dictionary: give this page its own copy before adding to it.
      sub = (sub as PdfDict).clone();
      res.set(kind, sub);
    }
    const dict = sub as PdfDict;
    for (const [k, v] of dict)
      if (v instanceof PdfRef && v.objectNumber === ref.objectNumber && v.generation === ref.generation) return k.value;
    let name = prefix;
    for (let i = 1; dict.has(name); i++) name = `${prefix}${i}`;
    dict.set(name, ref);
    return name;
  }

  get isEmpty(): boolean {
    return this.parts.length === 0;
  }

  /** Serialize and append to the page's content (after `DocumentFonts.finalize`). */
  flush(): void {
    if (this.parts.length === 0) return;
    const [a, b, c, d, e, f] = this.frame.matrix;
    const out: string[] = ['q', `${num(a)} ${num(b)} ${num(c)} ${num(d)} ${num(e)} ${num(f)} cm`];
    for (const part of this.parts) {
      if (typeof part === 'string') out.push(part);
      else out.push(this.serializeText(part));
    }
    out.push('Q');
    const stream = this.pdf.register(flateStream(enc.encode(out.join('\n'))));
    const resolve = (r: PdfRef) => this.pdf.getObject(r);
    const existing = this.page.dict.get('Contents');
    if (this.fresh || existing === undefined) {
      this.page.dict.set('Contents', stream);
      return;
    }
    // Wrap the original content in q … Q so whatever graphics state it leaves behind does not
    // move or recolour what we add.
    const open = this.pdf.register(new PdfStream(new PdfDict(), enc.encode('q\n')));
    const close = this.pdf.register(new PdfStream(new PdfDict(), enc.encode('\nQ\n')));
    const items: PdfRef[] = [];
    const resolved = existing instanceof PdfRef ? resolve(existing) : existing;
    if (resolved instanceof PdfArray) {
      for (const item of resolved) if (item instanceof PdfRef) items.push(item);
    } else if (existing instanceof PdfRef) items.push(existing);
    else if (existing instanceof PdfStream) items.push(this.pdf.register(existing));
    this.page.dict.set('Contents', new PdfArray([open, ...items, close, stream]));
  }

  private serializeText(part: Exclude<Part, string>): string {
    const out: string[] = [];
    let x = part.x;
    for (const run of part.runs) {
      const scale = part.size / run.unitsPerEm;
      const name = part.fonts.get(run.face)!;
      const body: string[] = [];
      let rise = 0;
      let tj: string[] = [];
      const flushTj = () => {
        if (tj.length) body.push(`[${tj.join(' ')}] TJ`);
        tj = [];
      };
      for (const g of run.glyphs) {
        const nid = this.fonts.newGlyphId(run.face, g.id);
        const width = (this.fonts.glyphWidth(run.face, nid) * run.unitsPerEm) / 1000;
        const gy = g.yOffset * scale;
        if (Math.abs(gy - rise) > 0.001) {
          flushTj();
          body.push(`${num(gy)} Ts`);
          rise = gy;
        }
        if (g.xOffset) tj.push(num((-g.xOffset * 1000) / run.unitsPerEm));
        tj.push(`<${nid.toString(16).padStart(4, '0')}>`);
        const adjust = g.advance - width - g.xOffset;
        if (Math.abs(adjust) > 0.5) tj.push(num((-adjust * 1000) / run.unitsPerEm));
      }
      flushTj();
      if (rise) body.push('0 Ts');
      const bt = `BT /${name} ${num(part.size)} Tf ${num(x)} ${num(part.y)} Td ${body.join(' ')} ET`;
      out.push(bt);
      x += run.advance * scale;
    }
    return out.join('\n');
  }
}

/** A new blank page at the end of the document (no /Rotate, no CropBox), ready to draw on. */
export function appendPage(pdf: PDF, fonts: DocumentFonts, size: { width: number; height: number }): PageCanvas {
  const { width, height } = size;
  const page = pdf.addPage({ width, height });
  const frame: PageFrame = {
    width,
    height,
    rotation: 0,
    visibleRect: { x0: 0, y0: 0, x1: width, y1: height },
    matrix: [1, 0, 0, 1, 0, 0],
  };
  return new PageCanvas(pdf, page, frame, fonts, true);
}
