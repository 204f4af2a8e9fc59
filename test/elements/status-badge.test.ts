import { aTimeout, expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import type { EnvelopeStatus, EnvelopeStatusEvent } from '@countersign/core';
import '../../packages/elements/src/status-badge/define.ts';
import '../../packages/elements/src/provider/define.ts';
import type { CsStatusBadge } from '../../packages/elements/src/status-badge/status-badge.ts';
import { expectCrossOriginServer, ok, serverCommand } from './support.ts';

const FAKE = 'https://cs.test';

const realFetch = window.fetch;

/** A fake server for one envelope: the shared event stream the test pushes into, and a plain GET. */
class FakeServer {
  streams: ReadableStreamDefaultController<Uint8Array>[] = [];
  streamSignals: AbortSignal[] = [];
  requests: string[] = [];
  /** What GET /api/v1/events answers: a stream, or a status code for a problem. */
  eventsStatus = 200;
  /** What GET /envelopes/{id} answers. */
  envelope: { status: number; body: unknown } = {
    status: 503,
    body: { type: 'about:blank', title: 'Unavailable', status: 503 },
  };
  networkDown = false;
  #encoder = new TextEncoder();

  install(): void {
    window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input instanceof Request ? input.url : input);
      if (!url.startsWith(FAKE)) return realFetch(input, init);
      this.requests.push(url.slice(FAKE.length));
      if (this.networkDown) throw new TypeError('Failed to fetch');
      if (url.startsWith(`${FAKE}/api/v1/events?`)) {
        if (this.eventsStatus !== 200) return problem(this.eventsStatus);
        const signal = init?.signal ?? undefined;
        if (signal) this.streamSignals.push(signal);
        const body = new ReadableStream<Uint8Array>({
          start: (controller) => {
            this.streams.push(controller);
            controller.enqueue(this.#encoder.encode(': connected\n\n'));
          },
        });
        return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
      }
      if (this.envelope.status !== 200) return problem(this.envelope.status);
      return Response.json(this.envelope.body);
    };
  }

  send(status: EnvelopeStatus, recipients: EnvelopeStatusEvent['recipients'] = []): void {
    const data: EnvelopeStatusEvent = { id: 'env_1', status, recipients, at: new Date().toISOString() };
    this.streams.at(-1)!.enqueue(this.#encoder.encode(`event: envelope.status\ndata: ${JSON.stringify(data)}\n\n`));
  }

  /** Ends the current stream as a dropped connection would. */
  drop(): void {
    this.streams.at(-1)!.close();
  }
}

function problem(status: number): Response {
  return Response.json(
    { type: 'about:blank', title: status === 403 ? 'Forbidden' : 'Error', status },
    { status, headers: { 'content-type': 'application/problem+json' } },
  );
}

const shadow = (el: CsStatusBadge) => el.shadowRoot!;
const badge = (el: CsStatusBadge) => shadow(el).querySelector<HTMLElement>('[part=badge]')!;
const label = (el: CsStatusBadge) => shadow(el).querySelector('[part=label]')!.textContent!.trim();

// Fixtures are the badge itself, never a plain wrapper: open-wc waits a frame for plain
// elements, and a page the runner keeps in the background gets no frames.
async function mount(fake: FakeServer, attrs = ''): Promise<CsStatusBadge> {
  fake.install();
  return fixture<CsStatusBadge>(
    `<cs-status-badge server="${FAKE}" token="t" envelope-id="env_1" ${attrs}></cs-status-badge>`,
  );
}

describe('<cs-status-badge> (offline, fake stream)', () => {
  afterEach(() => {
    window.fetch = realFetch;
  });

  it('shows a busy loading state until the first status arrives', async () => {
    const fake = new FakeServer();
    const el = await mount(fake);
    expect(el.state).to.equal('loading');
    expect(label(el)).to.equal('Loading…');
    expect(badge(el).getAttribute('role')).to.equal('status');
    expect(badge(el).getAttribute('aria-live')).to.equal('polite');
    expect(badge(el).getAttribute('aria-busy')).to.equal('true');
    await expect(el).to.be.accessible();
  });

  for (const [status, text] of [
    ['draft', 'Draft'],
    ['sent', 'Sent'],
    ['completed', 'Completed'],
    ['declined', 'Declined'],
    ['voided', 'Voided'],
    ['expired', 'Expired'],
  ] as const) {
    it(`says "${text}" in text (not colour alone) for ${status}, accessibly`, async () => {
      const fake = new FakeServer();
      const el = await mount(fake);
      await waitUntil(() => fake.streams.length === 1);
      fake.send(status, [
        { id: 'r1', status: 'signed' },
        { id: 'r2', status: status === 'completed' ? 'signed' : 'notified' },
      ]);
      await waitUntil(() => el.state === 'ready');
      await el.updateComplete;
      expect(label(el)).to.equal(text);
      expect(badge(el).dataset.status).to.equal(status);
      expect(badge(el).getAttribute('aria-busy')).to.equal('false');
      const signed = status === 'completed' ? 2 : 1;
      expect(badge(el).title).to.equal(`Envelope status: ${text} — ${signed} of 2 signed`);
      // The live region's own text says the same for screen readers.
      expect(badge(el).textContent!.replace(/\s+/g, ' ').trim()).to.equal(
        `Envelope status: ${text} — ${signed} of 2 signed`,
      );
      await expect(el).to.be.accessible();
    });
  }

  it('shows "1/2 signed" with show-progress', async () => {
    const fake = new FakeServer();
    const el = await mount(fake, 'show-progress');
    await waitUntil(() => fake.streams.length === 1);
    fake.send('sent', [
      { id: 'r1', status: 'signed' },
      { id: 'r2', status: 'opened' },
    ]);
    await waitUntil(() => shadow(el).querySelector('[part=progress]'));
    expect(shadow(el).querySelector('[part=progress]')!.textContent!.trim()).to.equal('1/2 signed');
    await expect(el).to.be.accessible();
  });

  it('updates live and fires cs-status-change with the previous status', async () => {
    const fake = new FakeServer();
    const el = await mount(fake);
    await waitUntil(() => fake.streams.length === 1);
    const first = oneEvent(el, 'cs-status-change');
    fake.send('sent');
    expect((await first).detail).to.deep.equal({ envelopeId: 'env_1', status: 'sent', previous: null });
    const second = oneEvent(el, 'cs-status-change');
    fake.send('completed');
    const event = await second;
    expect(event.detail).to.deep.equal({ envelopeId: 'env_1', status: 'completed', previous: 'sent' });
    expect(event.bubbles && event.composed).to.equal(true);
    await el.updateComplete;
    expect(label(el)).to.equal('Completed');
  });

  it('aborts the stream when removed from the page', async () => {
    const fake = new FakeServer();
    const el = await mount(fake);
    await waitUntil(() => fake.streamSignals.length === 1);
    el.remove();
    expect(fake.streamSignals[0]!.aborted).to.equal(true);
  });

  it('reconnects with backoff when the stream drops, and keeps showing the last status', async () => {
    const fake = new FakeServer();
    const el = await mount(fake);
    await waitUntil(() => fake.streams.length === 1);
    fake.send('sent');
    await waitUntil(() => el.status === 'sent');
    fake.drop();
    await aTimeout(300);
    expect(fake.streams.length, 'waits before reconnecting').to.equal(1);
    expect(label(el)).to.equal('Sent');
    await waitUntil(() => fake.streams.length === 2, 'reconnected', { timeout: 6000 });
    fake.send('declined');
    await waitUntil(() => el.status === 'declined');
  });

  it('falls back to one GET when streaming fails', async () => {
    const fake = new FakeServer();
    fake.eventsStatus = 502;
    fake.envelope = { status: 200, body: { id: 'env_1', status: 'completed', recipients: [] } };
    const el = await mount(fake);
    await waitUntil(() => el.status === 'completed');
    expect(fake.requests).to.deep.equal(['/api/v1/events?envelope=env_1', '/api/v1/envelopes/env_1']);
    await el.updateComplete;
    expect(label(el)).to.equal('Completed');
  });

  it('shows "No access" and fires cs-error when the server refuses (403)', async () => {
    const fake = new FakeServer();
    fake.eventsStatus = 403;
    fake.install();
    const el = document.createElement('cs-status-badge');
    const errored = oneEvent(el, 'cs-error');
    Object.assign(el, { server: FAKE, token: 't', envelopeId: 'env_1' });
    await fixture(el);
    const { detail } = await errored;
    expect(detail).to.include({ code: 'forbidden', status: 403 });
    await el.updateComplete;
    expect(el.state).to.equal('error');
    expect(label(el)).to.equal('No access');
    expect(badge(el).title).to.equal('Envelope status: No access — You do not have access to this envelope.');
    await expect(el).to.be.accessible();
  });

  it('shows "Offline" when the server cannot be reached, and recovers when it can', async () => {
    const fake = new FakeServer();
    fake.networkDown = true;
    const el = await mount(fake);
    await waitUntil(() => el.state === 'error');
    expect(el.error?.code).to.equal('network');
    await el.updateComplete;
    expect(label(el)).to.equal('Offline');
    await expect(el).to.be.accessible();
    fake.networkDown = false;
    await waitUntil(() => fake.streams.length === 1, 'retried', { timeout: 6000 });
    fake.send('sent');
    await waitUntil(() => el.state === 'ready');
  });

  it('takes server and token from an enclosing <cs-provider>', async () => {
    const fake = new FakeServer();
    fake.install();
    const provider = await fixture(
      html`<cs-provider server=${FAKE} token="t"><cs-status-badge envelope-id="env_1"></cs-status-badge></cs-provider>`,
    );
    const el = provider.querySelector('cs-status-badge')!;
    await waitUntil(() => fake.streams.length === 1);
    fake.send('voided');
    await waitUntil(() => el.status === 'voided');
  });
});

interface Seeded {
  server: string;
  envelopeId: string;
  recipients: Array<{ id: string; name: string; role: string }>;
  fields: Array<{ id: string; role: string }>;
  session: { token: string };
}

/** Signs as a recipient through the signer API, as <cs-signer-pad> would. */
async function sign(seeded: Seeded, recipientIndex: number, token: string) {
  const recipient = seeded.recipients[recipientIndex]!;
  await ok('POST', '/api/v1/signing/consent', { accepted: true }, token);
  for (const field of seeded.fields.filter((f) => f.role === recipient.role)) {
    await ok('PUT', `/api/v1/signing/fields/${field.id}`, { value: { kind: 'typed', text: recipient.name } }, token);
  }
  await ok('POST', '/api/v1/signing/complete', {}, token);
}

describe('<cs-status-badge> (real server)', () => {
  before(expectCrossOriginServer);

  it('follows the envelope live as people sign: Sent 0/2 → 1/2 → Completed', async () => {
    const { adminKey } = await serverCommand<{ adminKey: string }>('cs-server');
    const seeded = await serverCommand<Seeded>('cs-seed', {
      recipients: [
        { name: 'Юлия Смирнова', email: 'yulia@example.ru' },
        { name: '佐藤 花子', email: 'hanako@example.jp' },
      ],
      fields: [
        { type: 'signature', role: 'customer', page: 1, x: 0.1, y: 0.8, width: 0.3, height: 0.06, required: true },
        { type: 'signature', role: 'signer2', page: 1, x: 0.5, y: 0.8, width: 0.3, height: 0.06, required: true },
      ],
    });
    const el = await fixture<CsStatusBadge>(
      html`<cs-status-badge
        server=${seeded.server}
        token=${adminKey}
        envelope-id=${seeded.envelopeId}
        show-progress
      ></cs-status-badge>`,
    );
    const text = () => badge(el).textContent!.replace(/\s+/g, ' ').trim();
    await waitUntil(() => el.status === 'sent', 'first status', { timeout: 5000 });
    await el.updateComplete;
    expect(text()).to.equal('Envelope status: Sent — 0 of 2 signed0/2 signed');
    await expect(el).to.be.accessible();

    await sign(seeded, 0, seeded.session.token);
    await waitUntil(() => shadow(el).querySelector('[part=progress]')?.textContent === '1/2 signed', '1/2 live', {
      timeout: 5000,
    });
    expect(label(el)).to.equal('Sent');

    const changed = oneEvent(el, 'cs-status-change');
    const second = await ok<{ token: string }>(
      'POST',
      `/api/v1/envelopes/${seeded.envelopeId}/recipients/${seeded.recipients[1]!.id}/signing-session`,
    );
    await sign(seeded, 1, second.token);
    expect((await changed).detail).to.deep.equal({
      envelopeId: seeded.envelopeId,
      status: 'completed',
      previous: 'sent',
    });
    await el.updateComplete;
    expect(label(el)).to.equal('Completed');
    expect(badge(el).title).to.equal('Envelope status: Completed — 2 of 2 signed');
    await expect(el).to.be.accessible();
  });

  it('turns "Voided" without a reload when staff void the envelope', async () => {
    const { adminKey } = await serverCommand<{ adminKey: string }>('cs-server');
    const seeded = await serverCommand<Seeded>('cs-seed', {});
    const el = await fixture<CsStatusBadge>(
      html`<cs-status-badge
        server=${seeded.server}
        token=${adminKey}
        envelope-id=${seeded.envelopeId}
      ></cs-status-badge>`,
    );
    await waitUntil(() => el.status === 'sent', 'first status', { timeout: 5000 });
    await ok('POST', `/api/v1/envelopes/${seeded.envelopeId}/void`, { reason: 'Customer asked to cancel' });
    await waitUntil(() => el.status === 'voided', 'voided live', { timeout: 5000 });
    await el.updateComplete;
    expect(label(el)).to.equal('Voided');
  });

  it('shows an error and fires cs-error for a bad token', async () => {
    const seeded = await serverCommand<Seeded>('cs-seed', {});
    const el = document.createElement('cs-status-badge');
    const errored = oneEvent(el, 'cs-error');
    Object.assign(el, { server: seeded.server, token: 'cs_live_not_a_real_key', envelopeId: seeded.envelopeId });
    await fixture(el);
    expect((await errored).detail).to.include({ code: 'unauthorized', status: 401 });
    await el.updateComplete;
    expect(label(el)).to.equal('Sign-in expired');
    await expect(el).to.be.accessible();
  });

  it('shows "Not found" for an envelope of another agent (the server hides it)', async () => {
    const seeded = await serverCommand<Seeded>('cs-seed', {});
    const other = await ok<{ key: string }>('POST', '/api/v1/api-keys', { name: 'Another agent', role: 'agent' });
    const el = document.createElement('cs-status-badge');
    const errored = oneEvent(el, 'cs-error');
    Object.assign(el, { server: seeded.server, token: other.key, envelopeId: seeded.envelopeId });
    await fixture(el);
    expect((await errored).detail).to.include({ code: 'not-found', status: 404 });
    await el.updateComplete;
    expect(label(el)).to.equal('Not found');
  });
});
