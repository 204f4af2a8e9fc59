import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import {
  composeDocument,
  inspectPdf,
  loadSealSigner,
  sealPdf,
  type ComposeInput,
  type ComposedDocument,
  type SealSigner,
} from '../src/pdf/index.ts';

const run = promisify(execFile);

let work: string;
let signer: SealSigner;

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'cs-pdf-compose-'));
  signer = await loadSealSigner({ dataDir: work });
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

const NAMES = ['Zoë Łukasz-Müller', 'Юлия Смирнова', 'Ἀθηνᾶ Παππᾶ', '山田太郎', 'محمد عبد الله'];
/** The composer's margins (points): every word of the body must stay inside them. */
const MARGIN_X = 66;

async function save(doc: ComposedDocument): Promise<string> {
  const file = path.join(work, `${Math.random().toString(36).slice(2)}.pdf`);
  await writeFile(file, doc.bytes);
  return file;
}

async function text(file: string, page?: number): Promise<string> {
  const range = page ? ['-f', String(page), '-l', String(page)] : [];
  return (await run('pdftotext', ['-layout', ...range, file, '-'], { maxBuffer: 64 * 1024 * 1024 })).stdout.normalize(
    'NFC',
  );
}

interface Word {
  page: number;
  text: string;
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}

interface BBoxPage {
  width: number;
  height: number;
  words: Word[];
}

/** Every word with its box (points, from the page's top-left), per page, from `pdftotext -bbox`. */
async function words(file: string): Promise<BBoxPage[]> {
  const { stdout } = await run('pdftotext', ['-bbox', file, '-'], { maxBuffer: 64 * 1024 * 1024 });
  const pages: BBoxPage[] = [];
  const decode = (s: string) =>
    s
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&');
  for (const chunk of stdout.split('<page ').slice(1)) {
    const size = /width="([\d.]+)" height="([\d.]+)"/.exec(chunk)!;
    const page: BBoxPage = { width: Number(size[1]), height: Number(size[2]), words: [] };
    for (const m of chunk.matchAll(
      /<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">([^<]*)<\/word>/g,
    ))
      page.words.push({
        page: pages.length + 1,
        text: decode(m[5]!).normalize('NFC'),
        xMin: Number(m[1]),
        yMin: Number(m[2]),
        xMax: Number(m[3]),
        yMax: Number(m[4]),
      });
    pages.push(page);
  }
  return pages;
}

function base(overrides: Partial<ComposeInput> = {}): ComposeInput {
  return {
    title: 'Master Services Agreement',
    subtitle: 'Agreement {{ref}}',
    parties: [
      { label: 'Provider', lines: ['Countersign GmbH', 'Hauptstraße 1, 10115 Berlin'] },
      { label: 'Customer', lines: ['{{customer}}', '1-2-3 Marunouchi, Tokyo'] },
    ],
    clauses: [
      {
        key: 'services',
        title: 'Services',
        body: 'The **Provider** shall deliver the *Services* described in the order, **all *of* them**.\n\n1. on time;\n2. with care;\n3. as agreed.',
      },
      {
        key: 'fees',
        title: 'Fees',
        body: 'The fee is {{fee}} per month, from {{start}}.\n\n- invoiced monthly\n- payable in 30 days',
      },
    ],
    data: { customer: 'Zoë Łukasz-Müller', fee: 1250, start: '2025-03-01', ref: 'MSA-7' },
    variables: [
      { key: 'fee', type: 'money', currency: 'EUR' },
      { key: 'start', type: 'date' },
    ],
    locale: 'en',
    signatureBlock: [
      { role: 'provider', label: 'Provider', signerName: 'Юлия Смирнова' },
      { role: 'customer', label: 'Customer', signerName: 'Zoë Łukasz-Müller' },
    ],
    header: 'Master Services Agreement · {{ref}} · Confidential',
    footer: 'Countersign GmbH',
    ...overrides,
  };
}

/** Sixty clauses of varied length (1–9 filler sentences, some lists), each with a unique title and marker. */
function sixtyClauses(): ComposeInput['clauses'] {
  const sentence =
    'Each party shall perform its obligations under this Agreement in good faith and with reasonable skill and care.';
  return Array.from({ length: 60 }, (_, i) => {
    const n = i + 1;
    const filler = Array.from({ length: 1 + ((i * 7) % 9) }, () => sentence).join(' ');
    const list = i % 5 === 0 ? `\n\n1. first duty of clause ${n};\n2. second duty of clause ${n}.` : '';
    return { key: `c${n}`, title: `Heading${n} of the agreement`, body: `Marker${n}: ${filler}${list}` };
  });
}

describe('composeDocument', () => {
  it('prints a signer name as given, never as a template', async () => {
    const doc = await composeDocument(
      base({
        signatureBlock: [{ role: 'customer', label: 'Customer', signerName: 'Mallory {{fee}} <b>' }],
      }),
    );
    const out = await text(await save(doc));
    assert.match(out, /Mallory \{\{fee\}\} <b>/);
  });

  it('numbers clauses "1. Title", letters list items (a) (b) (c), fills merge data and prints bold, italic and bold italic faces', async () => {
    const doc = await composeDocument(base());
    const file = await save(doc);
    const out = await text(file);
    assert.match(out, /1\.\s+Services/);
    assert.match(out, /2\.\s+Fees/);
    assert.match(out, /\(a\)\s+on time;\s+\(b\)\s+with care;\s+\(c\)\s+as agreed\./);
    assert.match(out, /•\s+invoiced monthly/);
    assert.match(out, /The Provider shall deliver the Services described in the order, all of them\./);
    assert.match(out, /The fee is €1,250\.00 per month, from March 1, 2025\./);
    assert.match(out, /Agreement MSA-7/);
    assert.ok(!out.includes('**') && !/\*Services\*/.test(out), 'markup of the clause format is not printed');
    const { stdout: fontList } = await run('pdffonts', [file]);
    assert.match(fontList, /NotoSans-Bold/);
    assert.match(fontList, /NotoSans-Italic/);
    assert.match(fontList, /NotoSans-BoldItalic/);
    assert.match(fontList, /NotoSans-Regular/);
  });

  it('prints the header on every page and "Page N of M" in the footer of every page', async () => {
    const doc = await composeDocument(base({ clauses: sixtyClauses() }));
    const file = await save(doc);
    assert.ok(doc.pages > 5, `expected many pages, got ${doc.pages}`);
    const { stdout } = await run('pdfinfo', [file]);
    assert.equal(Number(/^Pages:\s+(\d+)/m.exec(stdout)![1]), doc.pages);
    for (let p = 1; p <= doc.pages; p++) {
      const page = await text(file, p);
      assert.ok(page.includes(`Page ${p} of ${doc.pages}`), `page ${p} lacks its page number`);
      assert.ok(page.includes('Master Services Agreement · MSA-7 · Confidential'), `page ${p} lacks the header`);
      assert.ok(page.includes('Countersign GmbH'), `page ${p} lacks the footer`);
    }
  });

  it('prints names in Latin, Cyrillic, Greek, Japanese and Arabic from parties, merge data and the signature block', async () => {
    const doc = await composeDocument(
      base({
        parties: NAMES.map((name, i) => ({ label: `Party ${i + 1}`, lines: [name] })),
        clauses: [{ key: 'names', title: 'Names', body: NAMES.map((_, i) => `{{n${i}}}`).join(', ') }],
        data: Object.fromEntries(NAMES.map((name, i) => [`n${i}`, name])),
        signatureBlock: NAMES.map((name, i) => ({ role: `r${i}`, label: `Signer ${i + 1}`, signerName: name })),
      }),
    );
    const out = await text(await save(doc));
    for (const name of NAMES.slice(0, 4)) {
      const count = out.split(name).length - 1;
      assert.ok(count >= 3, `${name} printed ${count} times, expected parties, clause and signature box`);
    }
    // Arabic is drawn in visual order with its joining forms; the text layer carries its words.
    for (const word of ['محمد', 'عبد', 'الله']) assert.ok(out.includes(word), `missing Arabic word ${word}`);
    assert.equal(doc.fields.length, NAMES.length * 2);
  });

  it('spans many pages with a 60-clause document: every clause in order, every word inside the margins', async () => {
    const doc = await composeDocument(base({ clauses: sixtyClauses() }));
    const file = await save(doc);
    const out = await text(file);
    let at = 0;
    for (let n = 1; n <= 60; n++) {
      const heading = new RegExp(`(^|\\s)${n}\\.\\s+Heading${n} of the agreement`, 'g');
      heading.lastIndex = at;
      const h = heading.exec(out);
      assert.ok(h, `clause ${n} heading missing or out of order`);
      const m = out.indexOf(`Marker${n}:`, h.index);
      assert.ok(m > h.index, `clause ${n} body missing or out of order`);
      at = m;
    }
    const pages = await words(file);
    assert.equal(pages.length, doc.pages);
    for (const page of pages) {
      assert.ok(page.words.length > 10);
      for (const w of page.words) {
        const where = `"${w.text}" on page ${w.page} at (${w.xMin}, ${w.yMin})–(${w.xMax}, ${w.yMax})`;
        assert.ok(
          w.xMin >= MARGIN_X - 0.5 && w.xMax <= page.width - MARGIN_X + 0.5,
          `${where} is outside the side margins`,
        );
        assert.ok(w.yMin >= 30 && w.yMax <= page.height - 30, `${where} is off the page`);
        // Body text stays between the header rule and the footer rule.
        const inHeader = w.yMax < 56;
        const inFooter = w.yMin > page.height - 56;
        if (!inHeader && !inFooter)
          assert.ok(w.yMin >= 70 && w.yMax <= page.height - 60, `${where} runs into the header or footer`);
      }
    }
  });

  it('adds a bookmark per clause, in order, pointing at the page of its heading', async () => {
    const clauses = sixtyClauses();
    clauses[1] = { ...clauses[1]!, title: 'Heading2 Юлия 山田太郎 {{customer}}' };
    const doc = await composeDocument(base({ clauses }));
    const file = await save(doc);
    const { stdout } = await run('qpdf', ['--json', '--json-key=outlines', file], { maxBuffer: 64 * 1024 * 1024 });
    const outlines = (JSON.parse(stdout) as { outlines: Array<{ title: string; destpageposfrom1: number }> }).outlines;
    assert.equal(outlines.length, 60);
    assert.equal(outlines[1]!.title, '2. Heading2 Юлия 山田太郎 Zoë Łukasz-Müller');
    const pages = await words(file);
    outlines.forEach((o, i) => {
      const n = i + 1;
      if (n !== 2) assert.equal(o.title, `${n}. Heading${n} of the agreement`);
      const page = pages.findIndex((p) => p.words.some((w) => w.text === `Heading${n}`)) + 1;
      assert.equal(o.destpageposfrom1, page, `bookmark ${n}`);
    });
  });

  it('never leaves a clause heading alone at the bottom of a page: the first two lines of its body follow it', async () => {
    // Vary clause lengths over many layouts so that headings fall at every height of a page.
    for (const shift of [0, 1, 2, 3]) {
      const clauses = sixtyClauses().map((c, i) => ({
        ...c,
        body: i % 4 === shift ? c.body.split(': ')[0]! + ': short.' : c.body,
      }));
      const doc = await composeDocument(base({ clauses }));
      const pages = await words(await save(doc));
      for (let n = 1; n <= 60; n++) {
        const page = pages.find((p) => p.words.some((w) => w.text === `Heading${n}`));
        assert.ok(page, `heading ${n} not found`);
        const heading = page.words.find((w) => w.text === `Heading${n}`)!;
        const bodyLines = new Set(
          page.words
            .filter((w) => w.yMin > heading.yMax && w.yMin < page.height - 56 && !w.text.startsWith('Heading'))
            .map((w) => Math.round(w.yMin)),
        );
        // Lines between this heading and the next one (or the page bottom).
        const next = page.words.find((w) => w.text === `Heading${n + 1}`);
        const following = [...bodyLines].filter((y) => !next || y < next.yMin);
        const short = (n - 1) % 4 === shift; // a one-line body
        assert.ok(
          following.length >= (short ? 1 : 2),
          `layout ${shift}: heading ${n} on page ${heading.page} has ${following.length} body line(s) after it on its page`,
        );
      }
    }
  });

  it('splits a paragraph across pages only with at least two of its lines on each page (no orphans, no widows)', async () => {
    // Paragraph n is made of the word "Pn" repeated, 1 to 11 lines long, so its lines can be told apart.
    let paragraph = 0;
    const clauses = Array.from({ length: 40 }, (_, i) => ({
      key: `c${i}`,
      title: `Clause ${i + 1}`,
      body: Array.from({ length: 1 + (i % 3) }, (_, j) => {
        paragraph++;
        return Array.from({ length: 8 * (1 + ((i * 5 + j * 3) % 11)) }, () => `P${paragraph}`).join(' ');
      }).join('\n\n'),
    }));
    const doc = await composeDocument(base({ clauses }));
    const pages = await words(await save(doc));
    const lines = new Map<string, Map<number, Set<number>>>(); // paragraph → page → line tops
    for (const page of pages)
      for (const w of page.words) {
        if (!/^P\d+$/.test(w.text)) continue;
        const byPage = lines.get(w.text) ?? new Map<number, Set<number>>();
        lines.set(w.text, byPage);
        const tops = byPage.get(w.page) ?? new Set<number>();
        byPage.set(w.page, tops);
        tops.add(Math.round(w.yMin));
      }
    assert.equal(lines.size, paragraph);
    let split = 0;
    for (const [name, byPage] of lines) {
      if (byPage.size < 2) continue;
      split++;
      for (const [page, tops] of byPage)
        assert.ok(
          tops.size >= 2,
          `${name} has ${tops.size} line on page ${page} (of ${[...byPage.keys()].join(', ')})`,
        );
    }
    assert.ok(split >= 3, `only ${split} paragraphs crossed a page break`);
  });

  it('prints merge values literally: markup, placeholders and HTML in values are text', async () => {
    const doc = await composeDocument(
      base({
        title: 'Agreement for {{customer}}',
        clauses: [
          {
            key: 'literal',
            title: 'About {{customer}}',
            body: 'Customer: {{customer}}.\n\nReference {{ref}} and **bold {{customer}}**.',
          },
        ],
        // A new paragraph or list item, a bidi override: none of it takes effect.
        data: { customer: '**x** *y* {{ref}} <script>alert(1)</script>\n\n1. item\u202e', ref: 'R-1' },
      }),
    );
    const out = (await text(await save(doc))).replace(/\s+/g, ' ');
    const literal = '**x** *y* {{ref}} <script>alert(1)</script> 1. item';
    assert.ok(out.includes(`Agreement for ${literal}`), out);
    assert.ok(out.includes(`About ${literal}`), out);
    assert.ok(out.includes(`Customer: ${literal}.`), out);
    assert.ok(out.includes(`bold ${literal}`), out);
    assert.ok(out.includes('Reference R-1'), out);
    assert.ok(!out.includes('(a) item'), 'a value never becomes a list item');
  });

  it('places the signature and date fields exactly over the lines of each signature box', async () => {
    const doc = await composeDocument(
      base({
        clauses: sixtyClauses().slice(0, 9),
        signatureBlock: [
          { role: 'provider', label: 'Provider', signerName: 'Юлия Смирнова' },
          { role: 'customer', label: 'Customer' },
          { role: 'witness', label: 'Witness', signerName: '山田太郎' },
        ],
      }),
    );
    const pages = await words(await save(doc));
    assert.deepEqual(
      doc.fields.map((f) => `${f.id}:${f.type}:${f.role}`),
      [
        'signature-provider:signature:provider',
        'date-provider:date_signed:provider',
        'signature-customer:signature:customer',
        'date-customer:date_signed:customer',
        'signature-witness:signature:witness',
        'date-witness:date_signed:witness',
      ],
    );
    for (const f of doc.fields) {
      assert.ok(f.required);
      assert.ok(f.page >= 1 && f.page <= doc.pages);
      for (const v of [f.x, f.y, f.width, f.height]) assert.ok(v > 0 && v < 1);
      const page = pages[f.page - 1]!;
      const left = f.x * page.width;
      const top = f.y * page.height;
      const bottom = (f.y + f.height) * page.height;
      const right = (f.x + f.width) * page.width;
      assert.ok(right <= page.width - MARGIN_X + 0.5);
      // The caption under the line: same left edge, just below the field's bottom edge.
      const caption = f.type === 'signature' ? 'Signature' : 'Date';
      const under = page.words.filter(
        (w) => w.text === caption && Math.abs(w.xMin - left) < 1.5 && w.yMin >= bottom && w.yMin - bottom < 12,
      );
      assert.equal(under.length, 1, `${f.id}: no "${caption}" caption right under the field`);
      // Nothing printed inside the field (it is blank space for the signer).
      const inside = page.words.filter(
        (w) => w.xMax > left + 0.5 && w.xMin < right - 0.5 && w.yMax > top + 0.5 && w.yMin < bottom - 0.5,
      );
      assert.deepEqual(
        inside.map((w) => w.text),
        [],
        `${f.id}: text inside the field`,
      );
      // The box's role label above its signature field, same left edge.
      if (f.type === 'signature') {
        const label = doc.fields.find((g) => g.id === f.id)!.label.replace(/^Signature \((.*)\)$/, '$1');
        const above = page.words.filter(
          (w) => w.text === label && Math.abs(w.xMin - left) < 1.5 && w.yMax <= top && top - w.yMax < 40,
        );
        assert.equal(above.length, 1, `${f.id}: role label "${label}" not above the field`);
      }
    }
  });

  it('lays out US Letter pages when asked', async () => {
    const doc = await composeDocument(base({ pageSize: 'Letter' }));
    const { stdout } = await run('pdfinfo', [await save(doc)]);
    assert.match(stdout, /Page size:\s+612 x 792 pts \(letter\)/);
    const a4 = await composeDocument(base());
    const { stdout: a4info } = await run('pdfinfo', [await save(a4)]);
    assert.match(a4info, /Page size:\s+595\.2\d* x 841\.8\d* pts \(A4\)/);
  });

  it('numbers an untitled clause and prints its fixed words from labels (a German contract)', async () => {
    const doc = await composeDocument(
      base({
        clauses: [
          { key: 'a', title: '', body: 'Ohne Überschrift.' },
          { key: 'b', title: 'Vergütung', body: 'Die Vergütung beträgt {{fee}}.' },
        ],
        locale: 'de',
        labels: {
          signatures: 'Unterschriften',
          signature: 'Unterschrift',
          date: 'Datum',
          page: 'Seite {n} von {total}',
        },
      }),
    );
    const out = await text(await save(doc));
    assert.match(out, /1\.\s+Ohne Überschrift\./);
    assert.match(out, /2\.\s+Vergütung\s+Die Vergütung beträgt 1\.250,00\s€\./);
    for (const word of ['Unterschriften', 'Unterschrift', 'Datum', 'Seite 1 von 1'])
      assert.ok(out.includes(word), word);
    assert.ok(!/\bSignatures?\b|\bPage 1\b/.test(out), 'no English left');
  });

  it('gives the same bytes and SHA-256 for the same input, with a creation date only when one is given', async () => {
    const a = await composeDocument(base());
    const b = await composeDocument(base());
    assert.equal(a.sha256, b.sha256);
    assert.deepEqual(a.bytes, b.bytes);
    const other = await composeDocument(base({ data: { ...base().data, fee: 1300 } }));
    assert.notEqual(other.sha256, a.sha256);
    const { stdout: undated } = await run('pdfinfo', [await save(a)]);
    assert.doesNotMatch(undated, /CreationDate/);
    assert.match(undated, /Title:\s+Master Services Agreement/);
    const dated = await composeDocument(base({ createdAt: new Date('2025-03-04T10:11:12Z') }));
    const { stdout } = await run('pdfinfo', ['-isodates', await save(dated)]);
    assert.match(stdout, /CreationDate:\s+2025-03-04T10:11:12/);
  });

  it('passes qpdf --check and inspectPdf unrepaired, and can be stamped and sealed: pdfsig reports the seal valid', async () => {
    const doc = await composeDocument(base({ clauses: sixtyClauses().slice(0, 20) }));
    const file = await save(doc);
    await run('qpdf', ['--check', file]);
    const inspected = await inspectPdf(doc.bytes);
    assert.equal(inspected.pages, doc.pages);
    assert.equal(inspected.repaired, false);
    assert.equal(inspected.sha256, doc.sha256);
    assert.deepEqual(inspected.warnings, []);
    const sig = doc.fields.find((f) => f.type === 'signature' && f.role === 'customer')!;
    const date = doc.fields.find((f) => f.type === 'date_signed' && f.role === 'customer')!;
    const sealed = await sealPdf({
      original: doc.bytes,
      stamps: [
        { ...pick(sig), type: 'signature', value: { kind: 'typed', text: 'Zoë Łukasz-Müller' } },
        { ...pick(date), type: 'date_signed', value: { kind: 'text', text: '2025-03-04' } },
      ],
      certificate: {
        envelopeId: 'env_compose',
        title: 'Master Services Agreement',
        originalSha256: doc.sha256,
        completedAt: '2025-03-04T10:11:12Z',
        auditHeadHash: 'd'.repeat(64),
        auditEventCount: 7,
        consentVersion: 'esign-2025-01',
        recipients: [],
      },
      signer,
    });
    const sealedFile = path.join(work, 'sealed.pdf');
    await writeFile(sealedFile, sealed.bytes);
    await run('qpdf', ['--check', sealedFile]);
    const { stdout } = await run('pdfsig', [sealedFile]);
    assert.match(stdout, /Signature is Valid\./);
    assert.match(stdout, /Total document signed/);
    const signedPage = await text(sealedFile, sig.page);
    assert.ok(signedPage.normalize('NFC').includes('Zoë Łukasz-Müller'));
    assert.ok(signedPage.includes('2025-03-04'));
  });
});

function pick(f: ComposedDocument['fields'][number]) {
  return { page: f.page, x: f.x, y: f.y, width: f.width, height: f.height };
}
