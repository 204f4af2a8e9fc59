import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  filesUnder,
  isEditorCaller,
  isStaffCaller,
  makeServer,
  MATRIX_CALLERS,
  matrixCredentials,
  openApiOperations,
  type MatrixCaller,
  type MatrixOutcome,
  type TestServer,
} from './helpers.ts';

/**
 * Every clause and embed-token operation of the OpenAPI document, called by every kind of
 * caller: what a role may do succeeds; what it may not is 401/403 and leaves the store as it was.
 */
let s: TestServer;
let callers: Record<MatrixCaller, string | undefined>;
before(async () => {
  s = await makeServer();
  callers = await matrixCredentials(s);
});
after(() => s.close());

type Outcome = Exclude<MatrixOutcome, 404>;

/** What each operation allows; an operation missing here fails the test, so new routes get a row. */
const RULES: Record<string, (caller: string) => Outcome> = {
  'GET /api/v1/clauses': (c) => (isStaffCaller(c) ? 'ok' : 401),
  'GET /api/v1/clauses/{id}': (c) => (isStaffCaller(c) ? 'ok' : 401),
  'GET /api/v1/clauses/{id}/versions': (c) => (isStaffCaller(c) ? 'ok' : 401),
  'GET /api/v1/clauses/{id}/versions/{a}/diff/{b}': (c) => (isStaffCaller(c) ? 'ok' : 401),
  'GET /api/v1/clauses/{id}/proposals': (c) => (isStaffCaller(c) ? 'ok' : 401),
  'POST /api/v1/clauses': (c) => (!isStaffCaller(c) ? 401 : isEditorCaller(c) ? 'ok' : 403),
  'PATCH /api/v1/clauses/{id}': (c) => (!isStaffCaller(c) ? 401 : isEditorCaller(c) ? 'ok' : 403),
  'POST /api/v1/clauses/{id}/versions/{n}/publish': (c) => (!isStaffCaller(c) ? 401 : isEditorCaller(c) ? 'ok' : 403),
  'POST /api/v1/clauses/{id}/proposals': (c) => (isStaffCaller(c) ? 'ok' : 401),
  'POST /api/v1/clauses/{id}/proposals (locked)': (c) => (!isStaffCaller(c) ? 401 : isEditorCaller(c) ? 'ok' : 403),
  'POST /api/v1/clauses/{id}/proposals/{pid}/approve': (c) =>
    !isStaffCaller(c) ? 401 : isEditorCaller(c) ? 'ok' : 403,
  'POST /api/v1/clauses/{id}/proposals/{pid}/reject': (c) => (!isStaffCaller(c) ? 401 : isEditorCaller(c) ? 'ok' : 403),
  'POST /api/v1/embed-tokens': (c) => (!isStaffCaller(c) ? 401 : c === 'admin key' ? 'ok' : 403),
};

interface Fixture {
  open: string;
  locked: string;
  toApprove: string;
  toReject: string;
}

let n = 0;
async function fixture(): Promise<Fixture> {
  const create = async (locked: boolean) => {
    n += 1;
    const res = await s.call('POST', '/api/v1/clauses', {
      key: s.adminKey,
      json: { key: `matrix-${n}`, title: `Clause ${n}`, body: 'Pay {{amount}} within 30 days.', locked },
    });
    const { id } = (await res.json()) as { id: string };
    await s.call('POST', `/api/v1/clauses/${id}/versions/1/publish`, { key: s.adminKey });
    return id;
  };
  const open = await create(false);
  const locked = await create(true);
  const propose = async () => {
    const res = await s.call('POST', `/api/v1/clauses/${open}/proposals`, {
      key: callers['agent key'],
      json: { body: 'Pay {{amount}} within 14 days.', comment: 'faster' },
    });
    return ((await res.json()) as { id: string }).id;
  };
  return { open, locked, toApprove: await propose(), toReject: await propose() };
}

function request(op: string, f: Fixture): { method: string; url: string; json?: unknown } {
  const [method, path] = op.split(' ') as [string, string];
  // PATCH goes to the locked clause: a change to the open one would make its proposals stale.
  const id = op.includes('(locked)') || method === 'PATCH' ? f.locked : f.open;
  const url = path
    .replace('{id}', id)
    .replace('{n}', '1')
    .replace('{a}', '1')
    .replace('{b}', '1')
    .replace('{pid}', op.endsWith('/approve') ? f.toApprove : f.toReject);
  const bodies: Record<string, unknown> = {
    'POST /api/v1/clauses': { key: `matrix-new-${n++}`, title: 'New', body: 'New text.' },
    'PATCH /api/v1/clauses/{id}': { body: `Changed text ${n++}.` },
    'POST /api/v1/clauses/{id}/proposals': { body: 'Proposed text.', comment: 'why' },
    'POST /api/v1/clauses/{id}/proposals (locked)': { body: 'Proposed text.', comment: 'why' },
    'POST /api/v1/clauses/{id}/proposals/{pid}/approve': { comment: 'ok' },
    'POST /api/v1/clauses/{id}/proposals/{pid}/reject': { comment: 'no' },
    'POST /api/v1/embed-tokens': {
      role: 'agent',
      user: { id: 'u-x', name: 'X', email: 'x@example.com' },
    },
  };
  return { method, url, json: bodies[op] };
}

/** What a refused call must not change: the clause list, the fixture's versions and proposals, keys, files. */
async function snapshot(f: Fixture) {
  const get = async (url: string) => (await s.call('GET', url, { key: s.adminKey })).text();
  const list = (await (await s.call('GET', '/api/v1/clauses', { key: s.adminKey })).json()) as {
    items: Array<{ id: string }>;
  };
  const details = [];
  for (const id of [f.open, f.locked]) {
    details.push(await get(`/api/v1/clauses/${id}/versions`), await get(`/api/v1/clauses/${id}/proposals`));
  }
  return {
    list: JSON.stringify(list),
    details,
    keys: await get('/api/v1/api-keys'),
    files: (await filesUnder(s.dataDir)).filter((f) => !f.includes('/sessions/')).sort(),
  };
}

describe('clause library role matrix', () => {
  it('covers every clause and embed-token operation in the OpenAPI document', async () => {
    const ops = await openApiOperations(
      s,
      (p) => p.startsWith('/api/v1/clauses') || p.startsWith('/api/v1/embed-tokens'),
    );
    assert.ok(ops.length >= 12, `only ${ops.length} operations`);
    for (const op of ops) assert.ok(RULES[op], `no role rule for ${op}`);
  });

  for (const caller of MATRIX_CALLERS) {
    it(`${caller}: allowed calls succeed, refused ones are 401/403 and change nothing`, async () => {
      const f = await fixture();
      for (const [op, rule] of Object.entries(RULES)) {
        const expected = rule(caller);
        const { method, url, json } = request(op, f);
        const before = expected === 'ok' ? undefined : await snapshot(f);
        const res = await s.call(method, url, { key: callers[caller], json });
        const text = await res.text();
        if (expected === 'ok') {
          assert.ok(res.status >= 200 && res.status < 300, `${caller} ${op}: ${res.status} ${text}`);
        } else {
          assert.equal(res.status, expected, `${caller} ${op}: ${text}`);
          assert.deepEqual(await snapshot(f), before, `${caller} ${op} changed the store`);
        }
      }
    });
  }
});
