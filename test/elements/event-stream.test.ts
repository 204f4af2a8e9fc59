import { expect, fixture, fixtureCleanup, html } from '@open-wc/testing';
import '../../packages/elements/src/status-badge/define.ts';
import '../../packages/elements/src/provider/define.ts';
import '../../packages/elements/src/envelope-composer/define.ts';
import type { StatusChangeDetail } from '../../packages/elements/src/status-badge/status-badge.ts';
import type { CsStatusBadge } from '../../packages/elements/src/status-badge/status-badge.ts';
import { $, expectCrossOriginServer, ok, serverCommand, until } from './support.ts';

interface Seeded {
  server: string;
  templateId: string;
}

const label = (el: CsStatusBadge) => el.shadowRoot!.querySelector('[part=label]')?.textContent?.trim();

/** `GET /api/v1/events` streams open on the test server, counted there. */
const openStreams = async (close = false) =>
  (await serverCommand<{ open: number }>('cs-event-streams', { close })).open;

async function untilStreams(n: number, what: string): Promise<void> {
  const start = performance.now();
  while ((await openStreams()) !== n) {
    if (performance.now() - start > 5000) throw new Error(`timed out waiting for ${what}: ${await openStreams()} open`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function drafts(templateId: string, n: number, key?: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const e = await ok<{ id: string }>(
      'POST',
      '/api/v1/envelopes',
      {
        templateId,
        send: false,
        title: `Agreement ${i + 1}`,
        recipients: [{ role: 'customer', name: `Customer ${i + 1}`, email: `c${i + 1}@example.com` }],
      },
      key,
    );
    ids.push(e.id);
  }
  return ids;
}

describe('status badges share one event stream', () => {
  let seeded: Seeded;
  let adminKey: string;

  before(async () => {
    await expectCrossOriginServer();
    adminKey = (await serverCommand<{ adminKey: string }>('cs-server')).adminKey;
    seeded = await serverCommand<Seeded>('cs-seed', {});
  });

  afterEach(async () => {
    // Once the fixtures are gone, their stream must close with them.
    fixtureCleanup();
    await untilStreams(0, 'the stream to close with its badges');
  });

  it('keeps 30 badges and the composer live on one page over exactly one connection', async () => {
    const ids = await drafts(seeded.templateId, 30);
    const provider = await fixture(
      html`<cs-provider server=${seeded.server} token=${adminKey} locale="en">
        <ul>
          ${ids.map((id) => html`<li><cs-status-badge envelope-id=${id}></cs-status-badge></li>`)}
        </ul>
        <cs-envelope-composer template-id=${seeded.templateId}></cs-envelope-composer>
      </cs-provider>`,
    );
    const badges = [...provider.querySelectorAll<CsStatusBadge>('cs-status-badge')];
    expect(badges).to.have.length(30);
    await until(() => badges.every((b) => b.status === 'draft'), 'all 30 badges to show Draft');
    // Before the shared stream, the 7th badge's connection and this GET /templates/{id} never got a slot.
    const composer = provider.querySelector('cs-envelope-composer')!;
    await until(() => $(composer, '[data-state="compose"]'), 'the composer to load its template', 15_000);
    expect(await openStreams()).to.equal(1);

    for (const id of ids.slice(0, 10)) await ok('POST', `/api/v1/envelopes/${id}/send`);
    for (const id of ids.slice(25)) await ok('POST', `/api/v1/envelopes/${id}/void`, { reason: 'Duplicate' });
    await until(
      () =>
        badges.every((b, i) => b.status === (i < 10 ? 'sent' : i >= 25 ? 'voided' : 'draft')) &&
        badges.every((b) => !b.error),
      'the changes to show live',
    );
    await Promise.all(badges.map((b) => b.updateComplete));
    expect(label(badges[0]!)).to.equal('Sent');
    expect(label(badges[15]!)).to.equal('Draft');
    expect(label(badges[29]!)).to.equal('Voided');
    expect(await openStreams()).to.equal(1);
    for (const b of [badges[0]!, badges[15]!, badges[29]!]) await expect(b).to.be.accessible();
  });

  it('shares one connection among badges with the same server and token when there is no provider', async () => {
    const ids = await drafts(seeded.templateId, 8);
    const wrapper = await fixture(
      html`<div>
        ${ids.map(
          (id) => html`<cs-status-badge server=${seeded.server} token=${adminKey} envelope-id=${id}></cs-status-badge>`,
        )}
      </div>`,
    );
    const badges = [...wrapper.querySelectorAll<CsStatusBadge>('cs-status-badge')];
    await until(() => badges.every((b) => b.status === 'draft'), 'all 8 badges to show Draft');
    expect(await openStreams()).to.equal(1);
    await ok('POST', `/api/v1/envelopes/${ids[7]}/send`);
    await until(() => badges[7]!.status === 'sent', 'the 8th badge to turn Sent');
  });

  it('recovers when the server drops the stream, and catches up on what changed meanwhile (Last-Event-ID)', async () => {
    const [first, second] = await drafts(seeded.templateId, 2);
    const provider = await fixture(
      html`<cs-provider server=${seeded.server} token=${adminKey}>
        <cs-status-badge envelope-id=${first}></cs-status-badge>
        <cs-status-badge envelope-id=${second}></cs-status-badge>
      </cs-provider>`,
    );
    const [a, b] = [...provider.querySelectorAll<CsStatusBadge>('cs-status-badge')] as [CsStatusBadge, CsStatusBadge];
    const changes: StatusChangeDetail[] = [];
    a.addEventListener('cs-status-change', (e) => changes.push(e.detail));
    await until(() => a.status === 'draft' && b.status === 'draft', 'both badges to show Draft');

    // The server ends the stream (a restart, a proxy timeout); two changes happen before the
    // badges reconnect (about a second later).
    expect(await openStreams(true)).to.equal(0);
    await ok('POST', `/api/v1/envelopes/${first}/send`);
    await ok('POST', `/api/v1/envelopes/${first}/void`, { reason: 'Wrong customer' });
    await ok('POST', `/api/v1/envelopes/${second}/send`);
    expect(a.status, 'still showing the last status while away').to.equal('draft');

    await until(() => a.status === 'voided' && b.status === 'sent', 'the badges to catch up', 8000);
    // The replay after Last-Event-ID brings each missed change, not only the latest status.
    expect(changes.map((c) => `${c.previous}→${c.status}`)).to.deep.equal(['null→draft', 'draft→sent', 'sent→voided']);
    expect(await openStreams()).to.equal(1);
    await a.updateComplete;
    expect(label(a)).to.equal('Voided');
    await expect(a).to.be.accessible();
  });

  it("shows Not found for another agent's envelope while the agent's own stay live on the same stream", async () => {
    const agent = await ok<{ key: string }>('POST', '/api/v1/api-keys', { name: 'Agent Kim', role: 'agent' });
    const [own] = await drafts(seeded.templateId, 1, agent.key);
    const [foreign] = await drafts(seeded.templateId, 1);
    const provider = await fixture(
      html`<cs-provider server=${seeded.server} token=${agent.key}>
        <cs-status-badge envelope-id=${own}></cs-status-badge>
        <cs-status-badge envelope-id=${foreign}></cs-status-badge>
      </cs-provider>`,
    );
    const [mine, theirs] = [...provider.querySelectorAll<CsStatusBadge>('cs-status-badge')] as [
      CsStatusBadge,
      CsStatusBadge,
    ];
    const errored = new Promise<CustomEvent>((resolve) =>
      theirs.addEventListener('cs-error', (e) => resolve(e), { once: true }),
    );
    await until(() => mine.status === 'draft' && theirs.state === 'error', 'own Draft and foreign error');
    expect((await errored).detail).to.include({ code: 'not-found', status: 404 });
    await theirs.updateComplete;
    expect(label(theirs)).to.equal('Not found');
    await expect(theirs).to.be.accessible();
    expect(await openStreams()).to.equal(1);
    await ok('POST', `/api/v1/envelopes/${own}/send`, undefined, agent.key);
    await until(() => mine.status === 'sent', 'own envelope live');
  });

  it('reopens one stream for the new set when badges come and go, and closes it with the last one', async () => {
    const [x, y, z] = await drafts(seeded.templateId, 3);
    const provider = await fixture(
      html`<cs-provider server=${seeded.server} token=${adminKey}>
        <cs-status-badge envelope-id=${x}></cs-status-badge>
      </cs-provider>`,
    );
    const first = provider.querySelector<CsStatusBadge>('cs-status-badge')!;
    await until(() => first.status === 'draft', 'first badge');
    const added = document.createElement('cs-status-badge');
    added.envelopeId = y;
    provider.append(added);
    await until(() => added.status === 'draft', 'the added badge');
    await untilStreams(1, 'one stream for both');
    first.envelopeId = z;
    await until(() => first.status === 'draft', 'the badge for its new envelope');
    await ok('POST', `/api/v1/envelopes/${z}/send`);
    await ok('POST', `/api/v1/envelopes/${x}/send`);
    await until(() => first.status === 'sent', 'the new envelope live');
    await untilStreams(1, 'still one stream');
    first.remove();
    added.remove();
    await untilStreams(0, 'no stream without badges');
  });

  it('splits more envelopes than one stream may follow (200) across as few streams as needed', async () => {
    const realFetch = window.fetch;
    const streams: string[][] = [];
    window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input instanceof Request ? input.url : input));
      if (url.origin !== 'https://many.example') return realFetch(input, init);
      streams.push(url.searchParams.getAll('envelope'));
      return new Response(new ReadableStream(), { headers: { 'content-type': 'text/event-stream' } });
    };
    try {
      const ids = Array.from({ length: 201 }, (_, i) => `env_${String(i).padStart(3, '0')}`);
      await fixture(
        html`<cs-provider server="https://many.example" token="t">
          ${ids.map((id) => html`<cs-status-badge envelope-id=${id}></cs-status-badge>`)}
        </cs-provider>`,
      );
      await until(() => streams.length === 2, 'two streams');
      expect(streams.map((s) => s.length)).to.deep.equal([200, 1]);
      expect(streams.flat().sort()).to.deep.equal(ids);
      await new Promise((r) => setTimeout(r, 100));
      expect(streams).to.have.length(2);
    } finally {
      window.fetch = realFetch;
    }
  });
});
