import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import {
  expectOk,
  fixture,
  listen,
  makeServer,
  NAMES,
  PNG_DATA_URL,
  seedSigningEnvelope,
  smallDocument,
  tempDir,
  type TestServer,
} from './helpers.ts';

const run = promisify(execFile);
const CHROME_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

interface Live {
  s: TestServer;
  base: string;
  close(): Promise<void>;
  fetch(
    p: string,
    init?: { key?: string; method?: string; json?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
}

async function live(opts: Parameters<typeof makeServer>[0] = {}): Promise<Live> {
  const s = await makeServer(opts);
  const l = await listen(s);
  return {
    s,
    base: l.base,
    close: async () => {
      await l.close();
      await s.close();
    },
    fetch: (p, o = {}) => {
      const headers: Record<string, string> = { ...o.headers };
      if (o.key) headers.Authorization = `Bearer ${o.key}`;
      if (o.json !== undefined) headers['Content-Type'] = 'application/json';
      return fetch(l.base + p, {
        method: o.method ?? 'GET',
        headers,
        body: o.json === undefined ? undefined : JSON.stringify(o.json),
      });
    },
  };
}

type Trail = {
  valid: boolean;
  events: Array<{ type: string; ip?: string; userAgent?: string; data?: Record<string, unknown>; hash: string }>;
};

describe('over a real socket (@hono/node-server)', () => {
  let l: Live;
  before(async () => {
    l = await live({ maxUploadBytes: 256 * 1024 });
  });
  after(() => l.close());

  it('records the socket’s IP in the audit trail and ignores X-Forwarded-For without trustProxy', async () => {
    const seeded = await seedSigningEnvelope({ request: (p, i) => fetch(l.base + p, i) }, l.s.adminKey, smallDocument);
    const res = await l.fetch('/api/v1/signing', {
      key: seeded.session.token,
      headers: { 'X-Forwarded-For': '203.0.113.9', 'User-Agent': CHROME_WINDOWS },
    });
    assert.equal(res.status, 200);
    const trail = (await (
      await l.fetch(`/api/v1/envelopes/${seeded.envelopeId}/audit`, { key: l.s.adminKey })
    ).json()) as Trail;
    for (const type of ['envelope.created', 'signing_session.issued', 'envelope.opened']) {
      const ev = trail.events.find((e) => e.type === type)!;
      assert.match(ev.ip ?? '', /^(::ffff:)?127\.0\.0\.1$/, type);
    }
    const opened = trail.events.find((e) => e.type === 'envelope.opened')!;
    assert.equal(opened.userAgent, CHROME_WINDOWS);
    assert.equal(opened.data?.device, 'Chrome 126, Windows 10');
  });

  it('cuts off a chunked upload without Content-Length at the size limit (413)', async () => {
    const pdf = await fixture('us_constitution.pdf');
    assert.ok(pdf.byteLength > 300 * 1024);
    const boundary = 'csboundary';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n` +
        'Content-Type: application/pdf\r\n\r\n',
    );
    const url = new URL(`${l.base}/api/v1/documents`);
    const { status, body, written } = await new Promise<{ status: number; body: string; written: number }>(
      (resolve, reject) => {
        let written = 0;
        const req = http.request(
          {
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            method: 'POST',
            headers: {
              Authorization: `Bearer ${l.s.adminKey}`,
              'Content-Type': `multipart/form-data; boundary=${boundary}`,
              'Transfer-Encoding': 'chunked',
            },
          },
          (res) => {
            let body = '';
            res.on('data', (d) => (body += d));
            res.on('end', () => resolve({ status: res.statusCode!, body, written }));
          },
        );
        req.on('error', reject);
        req.write(head);
        // 4 MB in 16 KB chunks, far over the 256 KB limit; stop when the answer arrives.
        const chunk = Buffer.alloc(16 * 1024, 0x20);
        const pump = () => {
          while (written < 4 * 1024 * 1024) {
            written += chunk.length;
            if (req.destroyed || !req.write(chunk)) return void req.once('drain', pump);
          }
          req.end(`\r\n--${boundary}--\r\n`);
        };
        pump();
      },
    );
    assert.equal(status, 413, body);
    assert.match(body, /payload-too-large/);
    assert.ok(written >= 256 * 1024);
  });

  it('releases an SSE subscriber when its client disconnects', async () => {
    const seeded = await seedSigningEnvelope({ request: (p, i) => fetch(l.base + p, i) }, l.s.adminKey, smallDocument);
    const bus = l.s.deps.events;
    assert.equal(bus.listenerCount(seeded.envelopeId), 0);
    const controllers = [new AbortController(), new AbortController()];
    for (const c of controllers) {
      const res = await fetch(`${l.base}/api/v1/envelopes/${seeded.envelopeId}/events`, {
        headers: { Authorization: `Bearer ${l.s.adminKey}` },
        signal: c.signal,
      });
      assert.equal(res.status, 200);
      const reader = res.body!.getReader();
      const first = new TextDecoder().decode((await reader.read()).value);
      assert.match(first, /event: status/);
    }
    assert.equal(bus.listenerCount(seeded.envelopeId), 2);
    for (const c of controllers) c.abort();
    const deadline = Date.now() + 5000;
    while (bus.listenerCount(seeded.envelopeId) > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(bus.listenerCount(seeded.envelopeId), 0);
  });
});

describe('behind a trusted proxy', () => {
  it('takes the client IP from the last X-Forwarded-For hop only when trustProxy is set', async () => {
    const l = await live({ trustProxy: true });
    try {
      const seeded = await seedSigningEnvelope(
        { request: (p, i) => fetch(l.base + p, i) },
        l.s.adminKey,
        smallDocument,
      );
      // The client forged the first entry; the proxy appended the address it saw.
      await expectOk(
        l.fetch('/api/v1/signing', {
          key: seeded.session.token,
          headers: { 'X-Forwarded-For': '10.6.6.6, 198.51.100.7' },
        }),
      );
      const trail = (await (
        await l.fetch(`/api/v1/envelopes/${seeded.envelopeId}/audit`, { key: l.s.adminKey })
      ).json()) as Trail;
      assert.equal(trail.events.find((e) => e.type === 'envelope.opened')?.ip, '198.51.100.7');
    } finally {
      await l.close();
    }
  });
});

describe('the sealed certificate of completion', () => {
  it('names each of five recipients (five scripts) with email, IP, device, auth method, consent, steps and chain head', async () => {
    const l = await live();
    try {
      const target = { request: (p: string, i?: RequestInit) => fetch(l.base + p, i) };
      const seeded = await seedSigningEnvelope(target, l.s.adminKey, {
        ...smallDocument,
        recipients: NAMES.map((name, i) => ({ name, email: `p${i}@example.com`, role: `r${i}` })),
        fields: NAMES.map((_, i) => ({
          id: `sig${i}`,
          type: 'signature' as const,
          role: `r${i}`,
          page: 1,
          x: 0.1,
          y: 0.05 + i * 0.15,
          width: 0.3,
          height: 0.08,
        })),
      });
      for (const [i, r] of seeded.recipients.entries()) {
        const token =
          i === 0
            ? seeded.session.token
            : (
                (await (
                  await l.fetch(`/api/v1/envelopes/${seeded.envelopeId}/recipients/${r.id}/signing-session`, {
                    method: 'POST',
                    key: l.s.adminKey,
                  })
                ).json()) as { token: string }
              ).token;
        const ua = i % 2 ? SAFARI_IPHONE : CHROME_WINDOWS;
        const call = (method: string, p: string, json?: unknown) =>
          expectOk(l.fetch(p, { method, key: token, json, headers: { 'User-Agent': ua } }));
        await call('GET', '/api/v1/signing');
        await call('PUT', `/api/v1/signing/fields/sig${i}`, {
          value: i % 2 ? { kind: 'typed', text: NAMES[i] } : { kind: 'drawn', image: PNG_DATA_URL },
        });
        await call('POST', '/api/v1/signing/consent', { accepted: true });
        await call('POST', '/api/v1/signing/complete');
      }
      await l.s.idle();
      const env = (await (await l.fetch(`/api/v1/envelopes/${seeded.envelopeId}`, { key: l.s.adminKey })).json()) as {
        sealed: boolean;
        sealState: string;
      };
      assert.deepEqual([env.sealed, env.sealState], [true, 'sealed']);
      const pdf = await l.fetch(`/api/v1/envelopes/${seeded.envelopeId}/document`, { key: l.s.adminKey });
      assert.equal(pdf.status, 200);
      const file = path.join(await tempDir(), 'sealed.pdf');
      await writeFile(file, new Uint8Array(await pdf.arrayBuffer()));
      const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', file, '-']);
      const text = stdout.normalize('NFC');
      const trail = (await (
        await l.fetch(`/api/v1/envelopes/${seeded.envelopeId}/audit`, { key: l.s.adminKey })
      ).json()) as Trail;
      assert.equal(trail.valid, true);
      const completed = trail.events.find((e) => e.type === 'envelope.completed')!;
      const compact = text.replace(/\s+/g, '');
      assert.ok(compact.includes(completed.hash), 'chain head hash');
      for (const [i, name] of NAMES.entries()) {
        assert.ok(text.includes(name.normalize('NFC')) || compact.includes(name.replace(/\s/g, '')), name);
        assert.ok(text.includes(`p${i}@example.com`), `email ${i}`);
      }
      assert.match(text, /127\.0\.0\.1/);
      assert.match(text, /Chrome 126, Windows 10/);
      assert.match(text, /Mobile Safari 17, iOS 17\.5, mobile/);
      assert.match(text, /none/i);
      assert.ok(text.includes('esign-2024-01'), 'consent version');
      const consentAt = trail.events.filter((e) => e.type === 'consent.accepted').length;
      assert.equal(consentAt, 5);
      // Every recipient's steps carry a time.
      assert.ok((text.match(/\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}/g) ?? []).length >= 5 * 4);
      for (const type of ['envelope.opened', 'consent.accepted', 'recipient.completed']) {
        const evs = trail.events.filter((e) => e.type === type);
        assert.equal(evs.length, 5, type);
        assert.ok(
          evs.every((e) => /^(::ffff:)?127\.0\.0\.1$/.test(e.ip ?? '') && e.data?.device),
          type,
        );
      }
    } finally {
      await l.close();
    }
  });
});
