import assert from 'node:assert/strict';
import { readlinkSync } from 'node:fs';
import { chmod, lstat, open, readdir, readFile, realpath, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { developmentKeyFiles } from '../src/pdf/signer.ts';
import {
  embedToken,
  envelopeFile,
  errorsLoggedBy,
  expectOk,
  makeServer,
  problemOf,
  seed,
  seedSigningEnvelope,
  smallDocument,
  startServerProcess,
  tempDir,
  type TestServer,
} from './helpers.ts';

const ADMIN = 'cs_live_data-dir-admin-key-0123456789abcdefghijklmnopqrstuvwxyz';

async function health(s: TestServer) {
  return (await (await s.call('GET', '/healthz')).json()) as {
    ok: boolean;
    envelopes: number;
    quarantined: number;
    unreadable: number;
  };
}

/** Every directory and file under dir (dir itself as ""), relative to it, with its permission bits. */
async function modesUnder(dir: string): Promise<Array<{ path: string; dir: boolean; mode: number }>> {
  const out = [{ path: '', dir: true, mode: (await stat(dir)).mode & 0o777 }];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const p = path.join(e.parentPath, e.name);
    out.push({ path: path.relative(dir, p), dir: e.isDirectory(), mode: (await lstat(p)).mode & 0o777 });
  }
  return out;
}

async function tempFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.tmp')).map((e) => path.join(e.parentPath, e.name));
}

/** Four envelopes made through the API, then the server closed: a data dir to damage. */
async function dataDirWithEnvelopes(): Promise<{ dataDir: string; ids: string[] }> {
  const s = await makeServer({ adminKey: ADMIN });
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) ids.push((await seed(s, { ...smallDocument, title: `Agreement ${i}` })).envelopeId);
  await s.close();
  return { dataDir: s.dataDir, ids };
}

describe('data dir: damaged files', () => {
  it('quarantines a truncated, an empty and a {} envelope file at start and serves every other', async () => {
    const { dataDir, ids } = await dataDirWithEnvelopes();
    const [truncated, empty, braces, good] = ids as [string, string, string, string];
    const whole = await readFile(envelopeFile(dataDir, truncated), 'utf8');
    await writeFile(envelopeFile(dataDir, truncated), whole.slice(0, Math.floor(whole.length / 2)));
    await writeFile(envelopeFile(dataDir, empty), '');
    await writeFile(envelopeFile(dataDir, braces), '{}');

    const { result: s, logged } = await errorsLoggedBy(() => makeServer({ dataDir, adminKey: ADMIN }));
    const ok = await s.call('GET', `/api/v1/envelopes/${good}`, { key: ADMIN });
    assert.equal(ok.status, 200);
    for (const id of [truncated, empty, braces]) {
      assert.equal((await s.call('GET', `/api/v1/envelopes/${id}`, { key: ADMIN })).status, 404, id);
    }
    const list = (await (await s.call('GET', '/api/v1/envelopes', { key: ADMIN })).json()) as {
      items: Array<{ id: string }>;
    };
    assert.deepEqual(
      list.items.map((e) => e.id),
      [good],
    );

    const quarantine = path.join(dataDir, 'quarantine', 'envelopes');
    const moved = (await readdir(quarantine)).sort();
    const reasons: Record<string, RegExp> = {
      [truncated]: /not JSON/,
      [empty]: /empty/,
      [braces]: /not a valid envelopes record: id: /,
    };
    for (const [id, reason] of Object.entries(reasons)) {
      const file = moved.find((n) => n.startsWith(`${id}.`) && n.endsWith('.json'));
      assert.ok(file, `${id} not in quarantine/: ${moved.join(', ')}`);
      // Original name plus a timestamp: <id>.<ISO time with - for : and .>.json
      assert.match(file, new RegExp(`^${id}\\.\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d-\\d{3}Z\\.json$`));
      assert.match(await readFile(path.join(quarantine, file.replace(/\.json$/, '.reason.txt')), 'utf8'), reason);
      const line = logged.find((l) => l.includes(`store/envelopes/${id}.json`));
      assert.ok(line, `no log line names ${id}: ${logged.join('\n')}`);
      assert.match(line, /quarantined/);
      assert.match(line, reason);
    }
    // The truncated file's bytes are kept as they were: it is evidence.
    const kept = moved.find((n) => n.startsWith(`${truncated}.`) && n.endsWith('.json'))!;
    assert.equal(await readFile(path.join(quarantine, kept), 'utf8'), whole.slice(0, Math.floor(whole.length / 2)));

    assert.deepEqual(await health(s), { ok: true, envelopes: 1, quarantined: 3, unreadable: 0 });
    await s.close();
    // Still reported after the next start, until someone deals with quarantine/.
    const again = await makeServer({ dataDir, adminKey: ADMIN });
    assert.equal((await health(again)).quarantined, 3);
    await again.close();
  });

  it('quarantines damaged api-keys, template and document files too, and still starts', async () => {
    const { dataDir, ids } = await dataDirWithEnvelopes();
    const store = path.join(dataDir, 'store');
    const [template] = await readdir(path.join(store, 'templates'));
    const [document] = await readdir(path.join(store, 'documents'));
    await writeFile(path.join(store, 'api-keys.json'), '{"keys": [{"id": 1}]}');
    await writeFile(path.join(store, 'templates', template!), '[]');
    await writeFile(path.join(store, 'documents', document!), '{"id": "x"');
    const { result: s } = await errorsLoggedBy(() => makeServer({ dataDir, adminKey: ADMIN }));
    // The admin key passed at start is ensured again, so the operator is not locked out.
    assert.equal((await s.call('GET', `/api/v1/envelopes/${ids[3]}`, { key: ADMIN })).status, 200);
    assert.equal((await health(s)).quarantined, 3);
    assert.ok((await readdir(path.join(dataDir, 'quarantine'))).some((n) => /^api-keys\..*\.json$/.test(n)));
    await s.close();
  });

  it('answers 500 for an envelope whose file goes bad while running, and only for that one', async () => {
    const { dataDir, ids } = await dataDirWithEnvelopes();
    const [bad, good] = ids as [string, string];
    const s = await makeServer({ dataDir, adminKey: ADMIN });
    const whole = await readFile(envelopeFile(dataDir, bad), 'utf8');
    await writeFile(envelopeFile(dataDir, bad), whole.slice(0, 100));

    const { result: responses, logged } = await errorsLoggedBy(async () => [
      await s.call('GET', `/api/v1/envelopes/${bad}`, { key: ADMIN }),
      await s.call('GET', `/api/v1/envelopes/${bad}/audit`, { key: ADMIN }),
    ]);
    for (const res of responses) {
      assert.equal(res.status, 500);
      assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
      const p = await problemOf(res);
      assert.match(p.detail ?? '', new RegExp(`Envelope ${bad} cannot be read`));
      assert.doesNotMatch(p.detail ?? '', /\/|\.json/, 'no path in the problem');
    }
    assert.equal(logged.filter((l) => l.includes(`store/envelopes/${bad}.json is damaged`)).length, 1, logged.join());
    assert.equal((await s.call('GET', `/api/v1/envelopes/${good}`, { key: ADMIN })).status, 200);
    assert.equal((await s.call('GET', '/api/v1/envelopes', { key: ADMIN })).status, 200);
    assert.equal((await health(s)).unreadable, 1);

    // Repaired (say, from a backup): served again and no longer reported.
    await writeFile(envelopeFile(dataDir, bad), whole);
    assert.equal((await s.call('GET', `/api/v1/envelopes/${bad}`, { key: ADMIN })).status, 200);
    assert.equal((await health(s)).unreadable, 0);
    await s.close();
  });

  it('removes temp files an interrupted write left, but not those of a writer still running', async () => {
    const { dataDir, ids } = await dataDirWithEnvelopes();
    const dead = 4_194_304 + 7; // above Linux's pid_max: never a live process
    const leftovers = [
      path.join(dataDir, 'store', 'envelopes', `.${ids[0]}.json.tmp`), // lowdb/steno's own name
      `${envelopeFile(dataDir, ids[1]!)}.${dead}.0a1b2c3d4e5f.tmp`,
      path.join(dataDir, 'store', `api-keys.json.${dead}.00aa11bb22cc.tmp`),
      path.join(dataDir, 'blobs', `${'0'.repeat(64)}.${dead}.aabbccddeeff.tmp`),
    ];
    for (const f of leftovers) await writeFile(f, '{"half": ');
    // The test runner that started this file is alive: its temp file may still be renamed.
    const live = `${envelopeFile(dataDir, ids[2]!)}.${process.ppid}.ffeeddccbbaa.tmp`;
    await writeFile(live, '{}');
    const { result: s } = await errorsLoggedBy(() => makeServer({ dataDir, adminKey: ADMIN }));
    assert.deepEqual(await tempFilesUnder(dataDir), [live]);
    assert.equal((await health(s)).quarantined, 0);
    await s.close();
    await rm(live);
  });
});

describe('data dir: permissions', () => {
  it('makes directories 0700 and files 0600 under a permissive umask, keys and blobs included', async () => {
    const previous = process.umask(0);
    try {
      // No shared signer: this data dir makes its own development key.
      const s = await makeServer({ adminKey: ADMIN, signer: undefined });
      const seeded = await seed(s, smallDocument);
      await embedToken(s, 'agent');
      await expectOk(s.call('GET', `/api/v1/envelopes/${seeded.envelopeId}`, { key: ADMIN }));
      await s.close();
      const entries = await modesUnder(s.dataDir);
      const wrong = entries.filter((e) => e.mode !== (e.dir ? 0o700 : 0o600));
      assert.deepEqual(
        wrong.map((e) => `${e.path} ${e.mode.toString(8)}`),
        [],
      );
      for (const sub of ['keys', 'blobs', 'store/envelopes', 'store/sessions', 'secrets']) {
        assert.ok(
          entries.some((e) => e.dir && e.path === sub),
          `${sub} missing`,
        );
      }
      assert.ok(entries.some((e) => e.path.startsWith('blobs/') && !e.dir));
    } finally {
      process.umask(previous);
    }
  });

  it('keeps the development key passphrase outside keys/, and moves it there from older data dirs', async () => {
    const s = await makeServer({ adminKey: ADMIN, signer: undefined });
    const fingerprint = s.deps.signer.certificateSha256;
    await s.close();
    const files = developmentKeyFiles(s.dataDir);
    assert.equal(path.dirname(files.p12), path.join(s.dataDir, 'keys'));
    assert.notEqual(path.dirname(files.passphrase), path.dirname(files.p12));
    assert.deepEqual(await readdir(path.join(s.dataDir, 'keys')), ['dev-signing.p12']);
    const passphrase = await readFile(files.passphrase, 'utf8');
    assert.ok(passphrase.trim().length >= 32);
    assert.equal((await stat(files.passphrase)).mode & 0o777, 0o600);

    // A data dir as servers before this one left it: the passphrase beside the key, modes wide.
    await rename(files.passphrase, files.legacyPassphrase);
    await rmdir(path.dirname(files.passphrase));
    for (const e of await modesUnder(s.dataDir)) await chmod(path.join(s.dataDir, e.path), e.dir ? 0o755 : 0o644);

    const reopened = await makeServer({ dataDir: s.dataDir, adminKey: ADMIN, signer: undefined });
    assert.equal(reopened.deps.signer.certificateSha256, fingerprint, 'the same key, opened after the move');
    await reopened.close();
    assert.deepEqual(await readdir(path.join(s.dataDir, 'keys')), ['dev-signing.p12']);
    assert.equal(await readFile(files.passphrase, 'utf8'), passphrase);
    const wrong = (await modesUnder(s.dataDir)).filter((e) => e.mode !== (e.dir ? 0o700 : 0o600));
    assert.deepEqual(
      wrong.map((e) => `${e.path} ${e.mode.toString(8)}`),
      [],
    );
  });
});

describe('data dir: durable writes', () => {
  it(
    'fsyncs the temp file and its directory before a write is acknowledged',
    { skip: process.platform !== 'linux' },
    async () => {
      const s = await makeServer({ adminKey: ADMIN });
      const seeded = await seed(s, smallDocument);
      // Every fsync in this process, by the path of the file or directory it flushed.
      const probe = await open(path.join(s.dataDir, 'probe'), 'w');
      const proto = Object.getPrototypeOf(probe) as { sync(this: { fd: number }): Promise<void> };
      await probe.close();
      await rm(path.join(s.dataDir, 'probe'));
      const original = proto.sync;
      const synced: string[] = [];
      proto.sync = function (this: { fd: number }) {
        synced.push(readlinkSync(`/proc/self/fd/${this.fd}`));
        return original.call(this);
      };
      try {
        await expectOk(
          s.call('PUT', '/api/v1/signing/fields/customer_name', { key: seeded.session.token, json: { value: 'Zoë' } }),
        );
      } finally {
        proto.sync = original;
      }
      const dir = path.join(await realpath(s.dataDir), 'store', 'envelopes');
      const file = path.join(dir, `${seeded.envelopeId}.json`);
      const tmp = synced.findIndex((p) => p.startsWith(`${file}.`) && p.endsWith('.tmp'));
      assert.ok(tmp >= 0, `the envelope's temp file was not fsynced: ${synced.join(', ')}`);
      assert.ok(synced.indexOf(dir, tmp) > tmp, `the directory was not fsynced after the rename: ${synced.join(', ')}`);
      await s.close();
    },
  );

  it(
    'restarts after kill -9 in a burst of writes with every acknowledged write intact',
    { timeout: 240_000 },
    async () => {
      const dataDir = await tempDir('cs-kill-');
      let server = await startServerProcess(dataDir, ADMIN);
      const auth = (token: string, body?: unknown): RequestInit => ({
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const envelopes = [];
      for (let i = 0; i < 4; i++) envelopes.push(await seedSigningEnvelope(server, ADMIN, smallDocument));

      // Acknowledged (200) values per envelope, and API keys (one shared file rewritten each time).
      const acknowledged = envelopes.map(() => new Set<string>());
      const keys = new Set<string>();
      let total = 0;
      let stopping = false;
      const loop = (fn: (i: number) => Promise<void>) =>
        (async () => {
          for (let i = 0; !stopping; i++) {
            try {
              await fn(i);
            } catch {
              return; // the connection died with the server
            }
          }
        })();
      const writers = [
        ...envelopes.flatMap((e, k) =>
          [0, 1].map((w) =>
            loop(async (i) => {
              const value = `e${k}-w${w}-${i}`;
              const res = await server.request('/api/v1/signing/fields/customer_name', {
                method: 'PUT',
                ...auth(e.session.token, { value }),
              });
              if (res.status === 200) {
                acknowledged[k]!.add(value);
                total++;
              }
            }),
          ),
        ),
        loop(async (i) => {
          const res = await server.request('/api/v1/api-keys', {
            method: 'POST',
            ...auth(ADMIN, { name: `burst ${i}`, role: 'agent' }),
          });
          if (res.status === 201) keys.add(`burst ${i}`);
        }),
      ];
      const deadline = Date.now() + 60_000;
      while (total < 80 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.equal(await server.stop('SIGKILL'), null);
      stopping = true;
      await Promise.all(writers);
      assert.ok(total >= 80, `only ${total} writes acknowledged before the kill`);
      const leftBehind = await tempFilesUnder(dataDir);

      server = await startServerProcess(dataDir, ADMIN);
      try {
        assert.deepEqual(await tempFilesUnder(dataDir), [], `${leftBehind.length} left by the kill`);
        const h = (await (await server.request('/healthz')).json()) as { quarantined: number; envelopes: number };
        assert.equal(h.quarantined, 0);
        assert.equal(h.envelopes, envelopes.length);
        for (const [k, e] of envelopes.entries()) {
          const trail = (await (
            await server.request(`/api/v1/envelopes/${e.envelopeId}/audit`, auth(ADMIN))
          ).json()) as {
            valid: boolean;
            events: Array<{ type: string; data?: { fieldId?: string; value?: string } }>;
          };
          assert.equal(trail.valid, true);
          const stored = new Set(
            trail.events
              .filter((ev) => ev.type === 'field.filled' && ev.data?.fieldId === 'customer_name')
              .map((ev) => ev.data!.value),
          );
          const lost = [...acknowledged[k]!].filter((v) => !stored.has(v));
          assert.deepEqual(lost, [], `envelope ${k}: acknowledged but lost`);
        }
        const list = (await (await server.request('/api/v1/api-keys', auth(ADMIN))).json()) as {
          items: Array<{ name: string }>;
        };
        const names = new Set(list.items.map((key) => key.name));
        assert.deepEqual(
          [...keys].filter((n) => !names.has(n)),
          [],
          'API keys acknowledged but lost',
        );
      } finally {
        await server.stop();
      }
    },
  );
});
