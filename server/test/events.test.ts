import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_STREAM_ENVELOPES } from '../src/routes/events.ts';
import { expectOk, listen, makeServer, problemOf, seed, smallDocument, type TestServer } from './helpers.ts';

interface SseEvent {
  event: string;
  id?: string;
  data: string;
}

/** A live SSE connection read message by message (comments included, as event ':'). */
class Sse {
  readonly events: SseEvent[] = [];
  #controller = new AbortController();
  #buffer = '';
  #done = false;
  #waiters: Array<() => void> = [];
  private constructor(readonly response: Response) {}

  static async open(url: string, key: string, headers: Record<string, string> = {}): Promise<Sse> {
    const controller = new AbortController();
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${key}`, ...headers },
      signal: controller.signal,
    });
    const sse = new Sse(response);
    sse.#controller = controller;
    if (response.ok) void sse.#pump();
    return sse;
  }

  async #pump(): Promise<void> {
    const reader = this.response.body!.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        this.#buffer += value;
        let end: number;
        while ((end = this.#buffer.indexOf('\n\n')) >= 0) {
          const block = this.#buffer.slice(0, end);
          this.#buffer = this.#buffer.slice(end + 2);
          const message: SseEvent = { event: 'message', data: '' };
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) message.event = ':';
            else if (line.startsWith('event: ')) message.event = line.slice(7);
            else if (line.startsWith('id: ')) message.id = line.slice(4);
            else if (line.startsWith('data: ')) message.data += line.slice(6);
          }
          this.events.push(message);
        }
        for (const w of this.#waiters.splice(0)) w();
      }
    } catch {
      // aborted
    }
    this.#done = true;
    for (const w of this.#waiters.splice(0)) w();
  }

  get ended(): boolean {
    return this.#done;
  }

  /** Waits until `check` holds over the events so far; fails after `ms`. */
  async until(check: (events: SseEvent[]) => boolean, what: string, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!check(this.events)) {
      if (this.#done) throw new Error(`stream ended before ${what}: ${JSON.stringify(this.events)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  statuses(): Array<{ id: string; status: string; eventId?: string }> {
    return this.events
      .filter((e) => e.event === 'envelope.status')
      .map((e) => ({ ...(JSON.parse(e.data) as { id: string; status: string }), eventId: e.id }));
  }

  close(): void {
    this.#controller.abort();
  }
}

describe('GET /api/v1/events (one stream for many envelopes)', () => {
  let s: TestServer;
  let l: { base: string; close(): Promise<void> };
  let templateId: string;
  const opened: Sse[] = [];

  const draft = async (key = s.adminKey) => {
    const res = await expectOk(
      s.call('POST', '/api/v1/envelopes', {
        key,
        json: { templateId, send: false, recipients: [{ role: 'customer', name: 'Ada', email: 'ada@example.com' }] },
      }),
    );
    return ((await res.json()) as { id: string }).id;
  };
  const open = async (ids: string[], key = s.adminKey, headers: Record<string, string> = {}) => {
    const qs = ids.map((id) => `envelope=${encodeURIComponent(id)}`).join('&');
    const sse = await Sse.open(`${l.base}/api/v1/events?${qs}`, key, headers);
    opened.push(sse);
    return sse;
  };

  before(async () => {
    s = await makeServer({ heartbeatMs: 200 });
    l = await listen(s);
    templateId = (await seed(s, smallDocument)).templateId;
  });
  after(async () => {
    for (const sse of opened) sse.close();
    await l.close();
    await s.close();
  });

  it('sends a snapshot of each envelope, then every change of any of them, on one connection', async () => {
    const [a, b, c] = [await draft(), await draft(), await draft()];
    const sse = await open([a, b, c]);
    assert.equal(sse.response.status, 200);
    assert.match(sse.response.headers.get('content-type') ?? '', /text\/event-stream/);
    await sse.until((e) => e.filter((x) => x.event === 'envelope.status').length === 3, 'three snapshots');
    assert.deepEqual(
      sse.statuses().map(({ id, status }) => ({ id, status })),
      [a, b, c].map((id) => ({ id, status: 'draft' })),
    );
    for (const e of sse.events.filter((x) => x.event === 'envelope.status')) assert.match(e.id ?? '', /^.+:\d+$/);
    assert.equal(s.deps.events.streamCount, 1);

    await expectOk(s.call('POST', `/api/v1/envelopes/${b}/send`, { key: s.adminKey }));
    await expectOk(s.call('POST', `/api/v1/envelopes/${c}/void`, { key: s.adminKey, json: { reason: 'Typo' } }));
    await sse.until((e) => e.filter((x) => x.event === 'envelope.status').length === 5, 'two changes');
    const changes = sse.statuses().slice(3);
    assert.deepEqual(
      changes.map(({ id, status }) => ({ id, status })),
      [
        { id: b, status: 'sent' },
        { id: c, status: 'voided' },
      ],
    );
    const seqs = changes.map((x) => Number(x.eventId!.split(':').at(-1)));
    assert.ok(seqs[1]! > seqs[0]!, 'ids increase');
    // A voided envelope does not end the stream: the others are still followed.
    await expectOk(s.call('POST', `/api/v1/envelopes/${a}/send`, { key: s.adminKey }));
    await sse.until((e) => e.filter((x) => x.event === 'envelope.status').length === 6, 'a third change');
    assert.equal(sse.statuses().at(-1)!.id, a);
  });

  it('sends nothing about envelopes the stream does not name', async () => {
    const [mine, other] = [await draft(), await draft()];
    const sse = await open([mine]);
    await sse.until((e) => e.some((x) => x.event === 'envelope.status'), 'snapshot');
    await expectOk(s.call('POST', `/api/v1/envelopes/${other}/send`, { key: s.adminKey }));
    await expectOk(s.call('POST', `/api/v1/envelopes/${mine}/send`, { key: s.adminKey }));
    await sse.until((e) => e.filter((x) => x.event === 'envelope.status').length === 2, 'own change');
    assert.deepEqual(
      sse.statuses().map((x) => x.id),
      [mine, mine],
    );
  });

  it('tells an agent an envelope it may not see is unavailable, and still streams its own', async () => {
    const agent = await s.keyFor('agent', 'Agent A');
    const own = await draft(agent);
    const foreign = await draft();
    const sse = await open([own, foreign], agent);
    assert.equal(sse.response.status, 200);
    await sse.until(
      (e) => e.some((x) => x.event === 'envelope.unavailable') && e.some((x) => x.event === 'envelope.status'),
      'refusal and snapshot',
    );
    const refusal = JSON.parse(sse.events.find((x) => x.event === 'envelope.unavailable')!.data) as Record<
      string,
      unknown
    >;
    assert.equal(refusal.id, foreign);
    assert.equal(refusal.status, 404);
    assert.match(String(refusal.type), /not-found$/);
    assert.deepEqual(
      sse.statuses().map((x) => x.id),
      [own],
    );
    // The foreign envelope's changes never reach the agent.
    await expectOk(s.call('POST', `/api/v1/envelopes/${foreign}/send`, { key: s.adminKey }));
    await expectOk(s.call('POST', `/api/v1/envelopes/${own}/send`, { key: agent }));
    await sse.until((e) => e.filter((x) => x.event === 'envelope.status').length === 2, 'own change');
    assert.deepEqual(
      sse.statuses().map((x) => x.id),
      [own, own],
    );
  });

  it('refuses a bad token (401), no envelope (400) and more than the cap (400)', async () => {
    const id = await draft();
    const bad = await open([id], 'cs_live_not_a_key');
    assert.equal(bad.response.status, 401);
    const none = await Sse.open(`${l.base}/api/v1/events`, s.adminKey);
    assert.equal(none.response.status, 400);
    assert.match(none.response.headers.get('content-type') ?? '', /problem\+json/);
    const tooMany = await open(Array.from({ length: MAX_STREAM_ENVELOPES + 1 }, (_, i) => `env_${i}`));
    assert.equal(tooMany.response.status, 400);
    const problem = await problemOf(tooMany.response);
    assert.equal(problem.status, 400);
    assert.match(problem.detail ?? '', new RegExp(`At most ${MAX_STREAM_ENVELOPES}`));
    assert.equal(problem.errors?.[0]?.path, 'envelope');
    // At the cap (unknown ids included) the stream opens.
    const atCap = await open(Array.from({ length: MAX_STREAM_ENVELOPES }, (_, i) => `env_${i}`));
    assert.equal(atCap.response.status, 200);
    atCap.close();
  });

  it('resumes after Last-Event-ID: replays the changes missed while away, then the current status', async () => {
    const id = await draft();
    const first = await open([id]);
    await first.until((e) => e.some((x) => x.event === 'envelope.status'), 'snapshot');
    const lastId = first.events.find((x) => x.event === 'envelope.status')!.id!;
    first.close();
    await expectOk(s.call('POST', `/api/v1/envelopes/${id}/send`, { key: s.adminKey }));
    await expectOk(s.call('POST', `/api/v1/envelopes/${id}/void`, { key: s.adminKey, json: { reason: 'Gone' } }));

    const resumed = await open([id], s.adminKey, { 'last-event-id': lastId });
    await resumed.until((e) => e.filter((x) => x.event === 'envelope.status').length === 3, 'replay and snapshot');
    assert.deepEqual(
      resumed.statuses().map((x) => x.status),
      ['sent', 'voided', 'voided'],
    );

    // Without Last-Event-ID (or with one this process never gave out) only the current status.
    for (const headers of [{}, { 'last-event-id': 'another-process:3' }] as Array<Record<string, string>>) {
      const fresh = await open([id], s.adminKey, headers);
      await fresh.until((e) => e.some((x) => x.event === 'envelope.status'), 'snapshot');
      await fresh.until((e) => e.some((x) => x.event === ':'), 'a heartbeat');
      assert.deepEqual(
        fresh.statuses().map((x) => x.status),
        ['voided'],
      );
      fresh.close();
    }
  });

  it('sends heartbeat comments every heartbeatMs', async () => {
    const sse = await open([await draft()]);
    await sse.until((e) => e.filter((x) => x.event === ':').length >= 2, 'two heartbeats', 3000);
    assert.ok(sse.events.some((x) => x.event === ':'));
  });

  it('releases its subscriptions when the client goes, and ends when the server closes streams', async () => {
    const id = await draft();
    const before = s.deps.events.streamCount;
    const sse = await open([id]);
    await sse.until((e) => e.some((x) => x.event === 'envelope.status'), 'snapshot');
    assert.equal(s.deps.events.listenerCount(id), 1);
    assert.equal(s.deps.events.streamCount, before + 1);
    sse.close();
    const deadline = Date.now() + 5000;
    while (s.deps.events.listenerCount(id) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(s.deps.events.listenerCount(id), 0);

    const other = await open([id]);
    await other.until((e) => e.some((x) => x.event === 'envelope.status'), 'snapshot');
    assert.ok(s.deps.events.closeStreams() >= 1);
    const end = Date.now() + 5000;
    while (!other.ended && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    assert.equal(other.ended, true);
    assert.equal(s.deps.events.listenerCount(id), 0);
  });

  it('is declared in the OpenAPI document', async () => {
    const doc = (await (await s.call('GET', '/api/v1/openapi.json')).json()) as {
      paths: Record<string, { get?: { parameters?: Array<{ name: string; in: string }> } }>;
    };
    const params = doc.paths['/api/v1/events']?.get?.parameters ?? [];
    assert.ok(params.some((p) => p.name === 'envelope' && p.in === 'query'));
    assert.ok(params.some((p) => p.name === 'last-event-id' && p.in === 'header'));
  });
});
