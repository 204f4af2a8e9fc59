import { createHash } from 'node:crypto';
import { PDF, PdfArray, PdfDict, PdfName, PdfNumber, PdfString, type PdfRef } from '@libpdf/core';
import {
  formatVariable,
  interpolate,
  parseClauseText,
  type FieldPlacement,
  type TextRun,
  type Variable,
} from '@countersign/core';
import { appendPage, DocumentFonts, type PageCanvas, type Rgb } from './canvas.ts';
import type { TextStyle } from './fonts.ts';
import { sha256Hex } from './inspect.ts';
import { fitText, wrapRich, type RichLine, type StyledText } from './layout.ts';

export interface ComposeInput {
  /** Document heading. */
  title: string;
  subtitle?: string;
  /** The parties block (e.g. Provider / Customer with name and address lines). */
  parties?: Array<{ label: string; lines: string[] }>;
  /** Clauses in order; `body` is in the clause text format (paragraphs, lists, bold, italic). */
  clauses: Array<{ key: string; title: string; body: string }>;
  /**
   * Merge data: when given, `{{variables}}` in the title, subtitle, party lines, clause titles and
   * bodies, header and footer are filled with core's `interpolate` (signer names are printed as given). Values are text,
   * never markup: bodies are parsed before they are filled.
   */
  data?: Record<string, unknown>;
  variables?: Variable[];
  locale?: string;
  /** One box per signing role, with a signature line and a date line. */
  signatureBlock: Array<{ role: string; label: string; signerName?: string }>;
  /** Printed at the top of every page. */
  header?: string;
  /** Printed at the bottom of every page, beside "Page N of M". */
  footer?: string;
  pageSize?: 'A4' | 'Letter';
  /**
   * Written as the PDF's creation date. Without it the file carries no date, and the same input
   * always gives the same bytes (and SHA-256).
   */
  createdAt?: Date;
  /** The document's own words, for documents not in English. `page` may use `{n}` and `{total}`. */
  labels?: Partial<ComposeLabels>;
}

export interface ComposeLabels {
  signatures: string;
  signature: string;
  date: string;
  page: string;
}

const ENGLISH: ComposeLabels = {
  signatures: 'Signatures',
  signature: 'Signature',
  date: 'Date',
  page: 'Page {n} of {total}',
};

/** A field of the signature block: a template field placement (fractions of the page from its top-left). */
export type ComposedField = FieldPlacement & { type: 'signature' | 'date_signed'; label: string };

export interface ComposedDocument {
  bytes: Uint8Array;
  sha256: string;
  pages: number;
  /** Signature and date fields placed over the boxes of the signature block. */
  fields: ComposedField[];
}

const PAGE_SIZES = { A4: { width: 595.28, height: 841.89 }, Letter: { width: 612, height: 792 } } as const;

const MARGIN_X = 66;
const MARGIN_TOP = 78;
const MARGIN_BOTTOM = 74;
const NUMBER_WIDTH = 26;
const LIST_LABEL_WIDTH = 24;
const BODY_SIZE = 10;
const BODY_LEADING = 14.2;
const HEADING_SIZE = 11;
const HEADING_LEADING = 15;
const BLOCK_GAP = 6;
const CLAUSE_GAP = 10;
const BOX_GAP = 22;
const BOX_PAD = 12;
const BOX_HEIGHT = 132;
const SIGN_AREA = 40;
const DATE_AREA = 20;

const INK: Rgb = [0.08, 0.08, 0.1];
const GREY: Rgb = [0.38, 0.38, 0.42];
const RULE: Rgb = [0.78, 0.78, 0.82];
const LINE: Rgb = [0.2, 0.2, 0.24];

/** A line of the flow: a slot `height` tall, its text drawn from `x`. */
interface FlowLine {
  line: RichLine;
  x: number;
  size: number;
  height: number;
  color: Rgb;
  /** A label hung in the margin before the line (a clause number, "(a)", a bullet). */
  label?: { line: RichLine; x: number };
}

/**
 * The lines at the start of a block that must share a page: two, or all three of a three-line
 * block (a break after its second line would leave its last line alone on the next page).
 */
function unbreakableStart(lines: FlowLine[]): FlowLine[] {
  return lines.slice(0, lines.length <= 3 ? lines.length : 2);
}

function heightOf(lines: FlowLine[]): number {
  return lines.reduce((h, l) => h + l.height, 0);
}

function styleOf(run: TextRun): TextStyle {
  return run.bold ? (run.italic ? 'boldItalic' : 'bold') : run.italic ? 'italic' : 'regular';
}

/** (a) … (z), (aa), (ab) … */
function letterLabel(i: number): string {
  let n = i;
  let s = '';
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return `(${s})`;
}

function single(text: string, style: TextStyle, size: number): RichLine {
  return wrapRich([{ text, style }], size, Number.MAX_SAFE_INTEGER)[0] ?? { segments: [], width: 0 };
}

/**
 * Render a clause-composed template (plus merge data) as a paginated PDF: title, parties,
 * numbered clauses, signature block, header and "Page N of M" footer on every page. Returns the
 * bytes and the signature/date fields placed over the signature block.
 */
export async function composeDocument(input: ComposeInput): Promise<ComposedDocument> {
  const fill = filler(input);
  const { width, height } = PAGE_SIZES[input.pageSize ?? 'A4'] ?? PAGE_SIZES.A4;
  const labels = { ...ENGLISH, ...input.labels };
  const contentWidth = width - 2 * MARGIN_X;
  const top = height - MARGIN_TOP;

  const pdf = PDF.create();
  const fonts = new DocumentFonts(pdf);
  const pages: PageCanvas[] = [];
  let canvas!: PageCanvas;
  let y = 0;

  const newPage = () => {
    canvas = appendPage(pdf, fonts, { width, height });
    pages.push(canvas);
    y = top;
  };
  const fits = (h: number) => y - h >= MARGIN_BOTTOM - 0.01;
  const ensure = (h: number) => {
    if (!fits(h) && y < top) newPage();
  };
  const drawRich = (line: RichLine, x: number, baseline: number, size: number) => {
    for (const seg of line.segments) if (seg.runs.length) canvas.text(seg.runs, x + seg.x, baseline, size);
  };
  const draw = (l: FlowLine) => {
    y -= l.height;
    const baseline = y + (l.height - l.size) / 2 + l.size * 0.22;
    canvas.fillColor(l.color);
    drawRich(l.line, l.x, baseline, l.size);
    if (l.label) drawRich(l.label.line, l.label.x, baseline, l.size);
  };
  const flowLines = (
    parts: StyledText[],
    opts: { x: number; width: number; size: number; leading: number; color: Rgb; align?: 'center' },
  ): FlowLine[] =>
    wrapRich(parts, opts.size, opts.width).map((line) => ({
      line,
      x: opts.align === 'center' ? opts.x + (opts.width - line.width) / 2 : opts.x,
      size: opts.size,
      height: opts.leading,
      color: opts.color,
    }));

  newPage();

  // Title and subtitle.
  for (const l of flowLines([{ text: fill(input.title), style: 'bold' }], {
    x: MARGIN_X,
    width: contentWidth,
    size: 18,
    leading: 24,
    color: INK,
    align: 'center',
  }))
    draw(l);
  if (input.subtitle) {
    y -= 2;
    for (const l of flowLines([{ text: fill(input.subtitle), style: 'regular' }], {
      x: MARGIN_X,
      width: contentWidth,
      size: 11,
      leading: 15,
      color: GREY,
      align: 'center',
    }))
      draw(l);
  }
  y -= 14;

  // Parties, two to a row.
  const parties = input.parties ?? [];
  if (parties.length) {
    const colWidth = (contentWidth - BOX_GAP) / 2;
    for (let i = 0; i < parties.length; i += 2) {
      const row = parties.slice(i, i + 2).map((p, j) => {
        const x = MARGIN_X + j * (colWidth + BOX_GAP);
        return [
          ...flowLines([{ text: fill(p.label).toUpperCase(), style: 'bold' }], {
            x,
            width: colWidth,
            size: 8.5,
            leading: 13,
            color: GREY,
          }),
          ...p.lines.flatMap((text) =>
            flowLines([{ text: fill(text), style: 'regular' }], {
              x,
              width: colWidth,
              size: BODY_SIZE,
              leading: BODY_LEADING,
              color: INK,
            }),
          ),
        ];
      });
      const rowHeight = Math.max(...row.map((col) => col.reduce((h, l) => h + l.height, 0)));
      ensure(rowHeight);
      const rowTop = y;
      for (const col of row) {
        y = rowTop;
        for (const l of col) draw(l);
      }
      y = rowTop - rowHeight - 12;
    }
    canvas.strokeColor(RULE);
    canvas.line(MARGIN_X, y + 4, width - MARGIN_X, y + 4, 0.6);
    y -= 12;
  }

  // Clauses, each with a bookmark in the document outline.
  const bookmarks: Bookmark[] = [];
  const bodyX = MARGIN_X + NUMBER_WIDTH;
  const bodyWidth = contentWidth - NUMBER_WIDTH;
  input.clauses.forEach((clause, index) => {
    const number = `${index + 1}.`;
    const heading = flowLines([{ text: fill(clause.title), style: 'bold' }], {
      x: bodyX,
      width: bodyWidth,
      size: HEADING_SIZE,
      leading: HEADING_LEADING,
      color: INK,
    });
    // A clause without a title still shows its number.
    if (!heading[0])
      heading.push({
        line: single('', 'bold', HEADING_SIZE),
        x: bodyX,
        size: HEADING_SIZE,
        height: HEADING_LEADING,
        color: INK,
      });
    heading[0]!.label = { line: single(number, 'bold', HEADING_SIZE), x: MARGIN_X };
    const blocks = parseClauseText(clause.body).map((block): FlowLine[] => {
      const toParts = (runs: TextRun[]) => runs.map((r) => ({ text: fill(r.text), style: styleOf(r) }));
      if (block.kind === 'paragraph')
        return flowLines(toParts(block.runs), {
          x: bodyX,
          width: bodyWidth,
          size: BODY_SIZE,
          leading: BODY_LEADING,
          color: INK,
        });
      return block.items.flatMap((item, i) => {
        const lines = flowLines(toParts(item), {
          x: bodyX + LIST_LABEL_WIDTH,
          width: bodyWidth - LIST_LABEL_WIDTH,
          size: BODY_SIZE,
          leading: BODY_LEADING,
          color: INK,
        });
        const label = block.ordered ? letterLabel(i) : '•';
        if (lines[0]) lines[0].label = { line: single(label, 'regular', BODY_SIZE), x: bodyX };
        return lines;
      });
    });
    const nonEmpty = blocks.filter((b) => b.length > 0);

    // Keep the heading with the first two lines of its body (or all of it, when shorter).
    y -= index === 0 ? 0 : CLAUSE_GAP;
    const firstLines = unbreakableStart(nonEmpty[0] ?? []);
    ensure(heightOf(heading) + (firstLines.length ? 3 : 0) + heightOf(firstLines));
    bookmarks.push({ title: `${number} ${fill(clause.title)}`.trim(), page: canvas.page.ref, top: y });
    for (const l of heading) draw(l);
    y -= 3;
    nonEmpty.forEach((lines, b) => {
      if (b > 0) y -= BLOCK_GAP;
      // No single first line of a block at the bottom of a page (orphan), and no single last
      // line at the top of the next one (widow).
      ensure(heightOf(unbreakableStart(lines)));
      lines.forEach((l, i) => {
        const next = lines[i + 1];
        if (next && i === lines.length - 2 && i > 0) ensure(l.height + next.height);
        else ensure(l.height);
        draw(l);
      });
    });
  });

  // Signature block: boxes two to a row, a row never split across pages.
  const fields: ComposedField[] = [];
  if (input.signatureBlock.length) {
    y -= 22;
    const boxWidth = (contentWidth - BOX_GAP) / 2;
    const headingLines = flowLines([{ text: labels.signatures, style: 'bold' }], {
      x: MARGIN_X,
      width: contentWidth,
      size: HEADING_SIZE,
      leading: HEADING_LEADING,
      color: INK,
    });
    ensure(HEADING_LEADING + 8 + BOX_HEIGHT);
    for (const l of headingLines) draw(l);
    y -= 8;
    const usedIds = new Set<string>();
    const idFor = (base: string) => {
      let id = base;
      for (let i = 2; usedIds.has(id); i++) id = `${base}-${i}`;
      usedIds.add(id);
      return id;
    };
    const toField = (
      type: ComposedField['type'],
      role: string,
      label: string,
      rect: { x: number; y: number; width: number; height: number },
    ): ComposedField => ({
      id: idFor(`${type === 'signature' ? 'signature' : 'date'}-${role}`),
      type,
      role,
      page: pages.length,
      x: round6(rect.x / width),
      y: round6((height - rect.y - rect.height) / height),
      width: round6(rect.width / width),
      height: round6(rect.height / height),
      required: true,
      label,
    });
    for (let i = 0; i < input.signatureBlock.length; i += 2) {
      ensure(BOX_HEIGHT);
      const rowTop = y;
      input.signatureBlock.slice(i, i + 2).forEach((box, j) => {
        const bx = MARGIN_X + j * (boxWidth + BOX_GAP);
        const inner = boxWidth - 2 * BOX_PAD;
        canvas.strokeColor(RULE);
        canvas.op(`0.6 w`);
        canvas.rect(bx, rowTop - BOX_HEIGHT, boxWidth, BOX_HEIGHT, 'S');
        const label = fill(box.label);
        const roleLine = fitText(label, 'bold', { width: inner, height: 14 }, { maxSize: 10, minSize: 10 }).lines[0];
        canvas.fillColor(INK);
        if (roleLine) canvas.text(roleLine.runs, bx + BOX_PAD, rowTop - BOX_PAD - 9, 10);
        // A signer's name is a person's name, printed as given: never read as a template.
        const name = box.signerName ?? '';
        if (name) {
          const nameLine = fitText(name, 'regular', { width: inner, height: 12 }, { maxSize: 9, minSize: 9 }).lines[0];
          canvas.fillColor(GREY);
          if (nameLine) canvas.text(nameLine.runs, bx + BOX_PAD, rowTop - BOX_PAD - 22, 9);
        }
        // Signature line with its caption; the field sits on the line.
        const signLineY = rowTop - BOX_PAD - 28 - SIGN_AREA;
        canvas.strokeColor(LINE);
        canvas.line(bx + BOX_PAD, signLineY, bx + boxWidth - BOX_PAD, signLineY, 0.7);
        caption(labels.signature, bx + BOX_PAD, signLineY - 10);
        fields.push(
          toField('signature', box.role, `Signature (${label})`, {
            x: bx + BOX_PAD,
            y: signLineY,
            width: inner,
            height: SIGN_AREA,
          }),
        );
        // Date line.
        const dateLineY = signLineY - 14 - DATE_AREA;
        const dateWidth = Math.min(inner, 150);
        canvas.strokeColor(LINE);
        canvas.line(bx + BOX_PAD, dateLineY, bx + BOX_PAD + dateWidth, dateLineY, 0.7);
        caption(labels.date, bx + BOX_PAD, dateLineY - 10);
        fields.push(
          toField('date_signed', box.role, `Date signed (${label})`, {
            x: bx + BOX_PAD,
            y: dateLineY,
            width: dateWidth,
            height: DATE_AREA,
          }),
        );
      });
      y = rowTop - BOX_HEIGHT - 14;
    }
  }

  function caption(text: string, x: number, baseline: number) {
    canvas.fillColor(GREY);
    drawRich(single(text, 'regular', 7.5), x, baseline, 7.5);
  }

  // Header and footer, now that the page count is known.
  const header = input.header ? fill(input.header) : '';
  const footer = input.footer ? fill(input.footer) : '';
  pages.forEach((p, i) => {
    canvas = p;
    if (header) {
      const line = fitText(header, 'regular', { width: contentWidth, height: 12 }, { maxSize: 8, minSize: 8 }).lines[0];
      p.fillColor(GREY);
      if (line) p.text(line.runs, MARGIN_X, height - 44, 8);
      p.strokeColor(RULE);
      p.line(MARGIN_X, height - 52, width - MARGIN_X, height - 52, 0.5);
    }
    p.strokeColor(RULE);
    p.line(MARGIN_X, 54, width - MARGIN_X, 54, 0.5);
    const pageText = single(
      labels.page.replace(/\{n\}/g, String(i + 1)).replace(/\{total\}/g, String(pages.length)),
      'regular',
      8,
    );
    p.fillColor(GREY);
    drawRich(pageText, width - MARGIN_X - pageText.width, 40, 8);
    if (footer) {
      const line = fitText(
        footer,
        'regular',
        { width: contentWidth - pageText.width - 18, height: 12 },
        { maxSize: 8, minSize: 8 },
      ).lines[0];
      if (line) p.text(line.runs, MARGIN_X, 40, 8);
    }
  });

  setMetadata(pdf, input, fill(input.title));
  addOutline(pdf, bookmarks);
  await fonts.finalize();
  for (const p of pages) p.flush();
  const bytes = await pdf.save();
  return { bytes, sha256: sha256Hex(bytes), pages: pages.length, fields };
}

/**
 * `interpolate` with each value formatted once (Intl formatters are costly to build, and a
 * 60-clause contract repeats the same few values hundreds of times).
 */
function filler(input: ComposeInput): (text: string) => string {
  const data = input.data;
  if (!data) return (text) => text;
  const byKey = new Map((input.variables ?? []).map((v) => [v.key, v]));
  const formatted: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data))
    formatted[key] = byKey.has(key) ? formatVariable(byKey.get(key), value, input.locale ?? 'en') || value : value;
  return (text) => (text.includes('{{') ? interpolate(text, formatted) : text);
}

interface Bookmark {
  title: string;
  page: PdfRef;
  /** Where the clause starts, in points from the bottom of its page. */
  top: number;
}

/** A flat document outline (bookmarks), one item per clause, for viewers' navigation panes. */
function addOutline(pdf: PDF, bookmarks: Bookmark[]): void {
  if (!bookmarks.length) return;
  const root = pdf.register(new PdfDict());
  const refs = bookmarks.map(() => pdf.register(new PdfDict()));
  bookmarks.forEach((b, i) => {
    const item = pdf.getObject(refs[i]!) as PdfDict;
    item.set('Title', PdfString.fromString(b.title.slice(0, 200)));
    item.set('Parent', root);
    if (i > 0) item.set('Prev', refs[i - 1]!);
    if (i < refs.length - 1) item.set('Next', refs[i + 1]!);
    item.set(
      'Dest',
      PdfArray.of(b.page, PdfName.of('XYZ'), PdfNumber.of(0), PdfNumber.of(Math.round(b.top + 4)), PdfNumber.of(0)),
    );
  });
  const outlines = pdf.getObject(root) as PdfDict;
  outlines.set('Type', PdfName.of('Outlines'));
  outlines.set('First', refs[0]!);
  outlines.set('Last', refs.at(-1)!);
  outlines.set('Count', PdfNumber.of(refs.length));
  pdf.getCatalog().set('Outlines', root);
}

/** Title and producer; dates only when given; an /ID derived from the input rather than random. */
function setMetadata(pdf: PDF, input: ComposeInput, title: string): void {
  pdf.setTitle(title);
  pdf.setCreator('Countersign');
  pdf.setProducer('Countersign');
  // @libpdf/core 0.4 fills in "Unknown" author and the current time, and a random /ID at save.
  const p = pdf as unknown as { getInfoDict?(): unknown; ctx?: { info?: { trailer?: unknown } } };
  const info = typeof p.getInfoDict === 'function' ? p.getInfoDict() : undefined;
  if (info instanceof PdfDict) {
    info.delete('Author');
    info.delete('CreationDate');
    info.delete('ModDate');
  }
  if (input.createdAt) {
    pdf.setCreationDate(input.createdAt);
    pdf.setModificationDate(input.createdAt);
  }
  const trailer = p.ctx?.info?.trailer;
  if (trailer instanceof PdfDict) {
    let seed: string;
    try {
      seed = JSON.stringify(input);
    } catch {
      return;
    }
    const id = createHash('sha256').update(seed).digest().subarray(0, 16);
    trailer.set('ID', PdfArray.of(PdfString.fromBytes(id), PdfString.fromBytes(id)));
  }
}

function round6(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
