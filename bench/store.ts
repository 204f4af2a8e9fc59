/**
 * Store benchmark: field-save latency (PUT /api/v1/signing/fields/{id} through app.request())
 * with 100, 1,000 and 10,000 envelopes in the store. Goal: p99 ≤ 20 ms at 10,000 and ≤ 1.5×
 * growth of the median from 100 to 10,000. Run: `node --import tsx bench/store.ts`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { openCountersign } from '../server/src/bootstrap.ts';
import { loadSealSigner } from '../server/src/pdf/index.ts';
import { fixturesDir, seedSigningEnvelope } from '../server/src/seed.ts';
import type { EnvelopeRecord } from '../server/src/store/types.ts';

const SIZES = [100, 1_000, 10_000];
const MEASURED_ENVELOPES = 20;
const SAVES_PER_ENVELOPE = 12; // 240 measured saves per size
const WARMUP = 2;

interface Row {
  name: string;
  p50Ms: number;
  p99Ms: number;
  goal: string;
  ok: boolean;
  [extra: string]: unknown;
}

v8.setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)]!;
}

const round = (n: number) => Math.round(n * 100) / 100;

async function measure(size: number, signer: Awaited<ReturnType<typeof loadSealSigner>>) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `cs-bench-${size}-`));
  const cs = await openCountersign({ dataDir, signer });
  const admin = cs.adminKey!;
  const seeded = await seedSigningEnvelope(cs.app, admin, { pdfPath: path.join(fixturesDir(), 'normal.pdf') });
  const template = (await cs.deps.store.envelopes.get(seeded.envelopeId))!;

  // Seed fast: clone the real envelope straight through the store, with fresh ids.
  const seedStart = performance.now();
  const ids: string[] = [];
  for (let i = 0; i < size - 1; i += 64) {
    await Promise.all(
      Array.from({ length: Math.min(64, size - 1 - i) }, async () => {
        const e: EnvelopeRecord = structuredClone(template);
        e.id = cs.deps.ids.id('env');
        for (const r of e.recipients) r.id = cs.deps.ids.id('rcp');
        ids.push(e.id);
        await cs.deps.store.envelopes.insert(e);
      }),
    );
  }
  const seedMs = performance.now() - seedStart;

  // Saves spread over envelopes across the whole store (old and new files alike).
  const chosen = Array.from(
    { length: MEASURED_ENVELOPES },
    (_, k) => ids[Math.floor((k * ids.length) / MEASURED_ENVELOPES)]!,
  );
  const tokens: string[] = [];
  for (const id of chosen) {
    const e = (await cs.deps.store.envelopes.get(id))!;
    const res = await cs.app.request(`/api/v1/envelopes/${id}/recipients/${e.recipients[0]!.id}/signing-session`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${admin}` },
    });
    tokens.push(((await res.json()) as { token: string }).token);
  }
  const save = async (token: string, i: number) => {
    const t0 = performance.now();
    const res = await cs.app.request('/api/v1/signing/fields/customer_name', {
      method: 'PUT',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ value: `Zoë Łukasz-Müller ${i}` }),
    });
    if (res.status !== 200) throw new Error(`save → ${res.status}`);
    await res.arrayBuffer();
    return performance.now() - t0;
  };
  // Let the seed's garbage and dirty pages settle, so the figures are about the store, not the seeding.
  collectGarbage();
  await new Promise((r) => setTimeout(r, 1000));
  for (const t of tokens) for (let i = 0; i < WARMUP; i++) await save(t, i);
  const times: number[] = [];
  for (let i = 0; i < SAVES_PER_ENVELOPE; i++) for (const t of tokens) times.push(await save(t, i));
  times.sort((a, b) => a - b);
  await cs.close();

  const reopenStart = performance.now();
  const again = await openCountersign({ dataDir, signer });
  const reopenMs = performance.now() - reopenStart;
  const count = again.deps.store.envelopes.count();
  await again.close();
  await rm(dataDir, { recursive: true, force: true });
  return { p50: percentile(times, 50), p99: percentile(times, 99), n: times.length, seedMs, reopenMs, count };
}

export async function benchStore(): Promise<Row[]> {
  const signerDir = await mkdtemp(path.join(os.tmpdir(), 'cs-bench-signer-'));
  const signer = await loadSealSigner({ dataDir: signerDir });
  const rows: Row[] = [];
  const results: Record<number, Awaited<ReturnType<typeof measure>>> = {};
  for (const size of SIZES) {
    const r = await measure(size, signer);
    results[size] = r;
    rows.push({
      name: `field save, ${size.toLocaleString('en')} envelopes`,
      p50Ms: round(r.p50),
      p99Ms: round(r.p99),
      goal: size === 10_000 ? 'p99 ≤ 20 ms' : '—',
      ok: size === 10_000 ? r.p99 <= 20 : true,
      saves: r.n,
      seedS: round(r.seedMs / 1000),
      reopenS: round(r.reopenMs / 1000),
      reopenedCount: r.count,
    });
  }
  const growth = results[10_000]!.p50 / results[100]!.p50;
  const growth99 = results[10_000]!.p99 / results[100]!.p99;
  rows.push({
    name: 'growth 10k / 100',
    p50Ms: round(growth),
    p99Ms: round(growth99),
    goal: 'median ≤ 1.5×',
    ok: growth <= 1.5,
  });
  await rm(signerDir, { recursive: true, force: true });
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = performance.now();
  const rows = await benchStore();
  console.table(rows);
  console.log(`store bench: ${round((performance.now() - started) / 1000)} s`);
}
