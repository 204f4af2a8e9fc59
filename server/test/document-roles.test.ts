import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  callerRole,
  filesUnder,
  fixture,
  isEditorCaller,
  isStaffCaller,
  makeServer,
  MATRIX_CALLERS,
  matrixCredentials,
  openApiOperations,
  pdfForm,
  type MatrixCaller,
  type MatrixOutcome,
  type TestServer,
} from './helpers.ts';

/**
 * Every document and preview operation of the OpenAPI document, called by every kind of caller:
 * what a role may do succeeds; what it may not is 401/403 (404 where the thing is not its to see)
 * and leaves the store as it was.
 */
let s: TestServer;
let callers: Record<MatrixCaller, string | undefined>;
let pdf: Uint8Array;
const ownUpload: Record<string, string> = {};
let adminUpload: string;
let draftTemplate: string;
let publishedTemplate: string;

const SOURCE = {
  kind: 'clauses',
  title: 'Agreement',
  clauses: [{ key: 'fee', title: 'Fee', body: 'The fee is {{fee}}.' }],
};

before(async () => {
  s = await makeServer();
  pdf = await fixture('normal.pdf');
  callers = await matrixCredentials(s);
  const upload = async (key: string | undefined) => {
    const res = await s.call('POST', '/api/v1/documents', { key, body: pdfForm(pdf, 'mine.pdf') });
    return ((await res.json()) as { id: string }).id;
  };
  for (const [caller, key] of Object.entries(callers)) {
    if (isStaffCaller(caller)) ownUpload[caller] = await upload(key);
  }
  adminUpload = await upload(s.adminKey);
  const template = async (publish: boolean) => {
    const res = await s.call('POST', '/api/v1/templates', {
      key: s.adminKey,
      json: { name: 'T', source: SOURCE, roles: [{ key: 'customer', action: 'sign' }] },
    });
    const { id } = (await res.json()) as { id: string };
    if (publish) await s.call('POST', `/api/v1/templates/${id}/versions/1/publish`, { key: s.adminKey });
    return id;
  };
  draftTemplate = await template(false);
  publishedTemplate = await template(true);
});
after(() => s.close());

const staff = (c: string): MatrixOutcome => (isStaffCaller(c) ? 'ok' : 401);

/** What each operation allows; an operation missing here fails the test, so new routes get a row. */
const RULES: Record<string, (caller: string) => MatrixOutcome> = {
  'POST /api/v1/documents': staff,
  'GET /api/v1/documents/{id}': (c) => (!isStaffCaller(c) ? 401 : callerRole(c) === 'agent' ? 404 : 'ok'),
  'GET /api/v1/documents/{id} (own)': staff,
  'GET /api/v1/documents/{id}/content': (c) => (!isStaffCaller(c) ? 401 : callerRole(c) === 'agent' ? 404 : 'ok'),
  'GET /api/v1/documents/{id}/content (own)': staff,
  'POST /api/v1/templates/{id}/versions/{n}/preview': staff,
  'POST /api/v1/templates/{id}/versions/{n}/preview (draft)': (c) =>
    !isStaffCaller(c) ? 401 : isEditorCaller(c) ? 'ok' : 404,
  'POST /api/v1/previews': (c) => (!isStaffCaller(c) ? 401 : isEditorCaller(c) ? 'ok' : 403),
};

function request(op: string, caller: string): { method: string; url: string; json?: unknown; body?: FormData } {
  const [method, path] = op.split(' ') as [string, string];
  const doc = op.endsWith('(own)') ? (ownUpload[caller] ?? adminUpload) : adminUpload;
  const url = path
    .replace('{id}', op.includes('/templates/') ? (op.endsWith('(draft)') ? draftTemplate : publishedTemplate) : doc)
    .replace('{n}', '1');
  if (op === 'POST /api/v1/documents') return { method, url, body: pdfForm(pdf, 'new.pdf') };
  if (path === '/api/v1/previews') return { method, url, json: { source: SOURCE, mergeData: { fee: 'x' } } };
  if (path.endsWith('/preview')) return { method, url, json: { mergeData: { fee: 'x' } } };
  return { method, url };
}

/** What a refused call must not change: stored files (documents, blobs, templates) and the template list. */
async function snapshot() {
  return {
    templates: await (await s.call('GET', '/api/v1/templates', { key: s.adminKey })).text(),
    files: (await filesUnder(s.dataDir)).filter((f) => !f.includes('/sessions/')).sort(),
  };
}

describe('document and preview role matrix', () => {
  it('covers every document and preview operation in the OpenAPI document', async () => {
    const ops = await openApiOperations(
      s,
      (p) => p.startsWith('/api/v1/documents') || p.startsWith('/api/v1/previews') || p.endsWith('/preview'),
    );
    assert.equal(ops.length, 5);
    for (const op of ops) assert.ok(RULES[op], `no role rule for ${op}`);
  });

  for (const caller of MATRIX_CALLERS) {
    it(`${caller}: allowed calls succeed, refused ones are 401/403/404 and change nothing`, async () => {
      for (const [op, rule] of Object.entries(RULES)) {
        const expected = rule(caller);
        const { method, url, json, body } = request(op, caller);
        const before = expected === 'ok' ? undefined : await snapshot();
        const res = await s.call(method, url, { key: callers[caller], json, body });
        const text = res.headers.get('content-type')?.includes('pdf') ? 'PDF' : await res.text();
        if (expected === 'ok') {
          assert.ok(res.status >= 200 && res.status < 300, `${caller} ${op}: ${res.status} ${text}`);
        } else {
          assert.equal(res.status, expected, `${caller} ${op}: ${text}`);
          assert.match(res.headers.get('content-type') ?? '', /problem\+json/);
          assert.deepEqual(await snapshot(), before, `${caller} ${op} changed the store`);
        }
      }
    });
  }
});
