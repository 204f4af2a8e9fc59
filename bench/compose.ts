/**
 * Compose benchmark: render a 60-clause template version with merge data to a paginated PDF
 * (clause text parsing, interpolation, wrapping, pagination, font subsets, save). Goal: ≤ 150 ms
 * (median, warm). Run: `node --import tsx bench/compose.ts`.
 */
import { pathToFileURL } from 'node:url';
import type { Variable } from '@countersign/core';
import { composeDocument, type ComposeInput } from '../server/src/pdf/index.ts';

const WARMUP = 3;
const ITERATIONS = 15;
const GOAL_MS = 150;

export interface ComposeBenchRow {
  name: string;
  medianMs: number;
  goalMs: number;
  ratio: number;
}

const TOPICS = [
  'Definitions',
  'Services',
  'Fees and payment',
  'Term and termination',
  'Confidentiality',
  'Data protection',
  'Warranties',
  'Limitation of liability',
  'Indemnification',
  'Intellectual property',
  'Force majeure',
  'Governing law',
];

const variables: Variable[] = [
  { key: 'customer', type: 'text' },
  { key: 'fee', type: 'money', currency: 'EUR' },
  { key: 'start', type: 'date' },
  { key: 'term', type: 'number', integer: true },
];

/** A realistic 60-clause template: paragraphs, lettered and bulleted lists, bold and italic. */
export function sixtyClauseTemplate(): ComposeInput {
  const clauses = Array.from({ length: 60 }, (_, i) => {
    const topic = TOPICS[i % TOPICS.length]!;
    const body = [
      `This clause on *${topic.toLowerCase()}* binds the **Provider** and {{customer}} from {{start}} for {{term}} months. The monthly fee of {{fee}} is payable within thirty (30) days of the invoice date, and late amounts bear interest at the statutory rate.`,
      i % 3 === 0
        ? `1. the Provider shall perform its obligations with reasonable skill, care and diligence in accordance with good industry practice;\n2. the Customer shall provide the Provider with all information reasonably required;\n3. each party shall comply with all applicable laws and regulations.`
        : `Neither party shall be liable for any **indirect or consequential loss**, including loss of profit, revenue or goodwill, arising under or in connection with this Agreement, except as expressly set out in clause ${(i % 7) + 1}.`,
      i % 4 === 0 ? `- notices in writing;\n- by e-mail to the addresses in the parties block.` : '',
    ]
      .filter(Boolean)
      .join('\n\n');
    return {
      key: `clause-${i + 1}`,
      title: `${topic}${i >= TOPICS.length ? ` (part ${Math.floor(i / TOPICS.length) + 1})` : ''}`,
      body,
    };
  });
  return {
    title: 'Master Services Agreement',
    subtitle: 'between Countersign GmbH and {{customer}}',
    parties: [
      { label: 'Provider', lines: ['Countersign GmbH', 'Hauptstraße 1', '10115 Berlin, Germany'] },
      { label: 'Customer', lines: ['{{customer}}', '1-2-3 Marunouchi, Chiyoda-ku', 'Tokyo 100-0005, Japan'] },
    ],
    clauses,
    data: { customer: 'Zoë Łukasz-Müller', fee: 1250, start: '2025-03-01', term: 24 },
    variables,
    locale: 'en',
    signatureBlock: [
      { role: 'provider', label: 'Provider', signerName: 'Юлия Смирнова' },
      { role: 'customer', label: 'Customer', signerName: '{{customer}}' },
    ],
    header: 'Master Services Agreement · Confidential',
    footer: 'Countersign GmbH · MSA 2025-03',
  };
}

async function median(run: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await run(i);
  const times: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const t = performance.now();
    await run(WARMUP + i);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function row(name: string, ms: number): ComposeBenchRow {
  return { name, medianMs: Math.round(ms * 10) / 10, goalMs: GOAL_MS, ratio: Math.round((ms / GOAL_MS) * 100) / 100 };
}

export async function benchCompose(): Promise<ComposeBenchRow[]> {
  const input = sixtyClauseTemplate();
  const pages = (await composeDocument(input)).pages;
  // The same document again (its lines already shaped), and each run an envelope with other merge
  // data (every line that holds a merge value is shaped anew).
  const same = await median(() => composeDocument(input));
  const fresh = await median((i) =>
    composeDocument({ ...input, data: { ...input.data, customer: `Zoë Łukasz-Müller ${i}`, fee: 1000 + i } }),
  );
  const rows = [
    row(`compose 60-clause template with merge data (${pages} p)`, same),
    row(`compose 60-clause template with new merge data each run (${pages} p)`, fresh),
  ];
  console.log(
    `compose 60-clause template with merge data: median ${rows[0]!.medianMs} ms (goal ${GOAL_MS} ms, ${rows[0]!.ratio.toFixed(2)}×)`,
  );
  console.log(
    `compose 60-clause template with new merge data each run: median ${rows[1]!.medianMs} ms (goal ${GOAL_MS} ms, ${rows[1]!.ratio.toFixed(2)}×)`,
  );
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await benchCompose();
  process.exitCode = rows.every((r) => r.medianMs <= r.goalMs) ? 0 : 1;
}
