import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import type { AuditEvent, AuditTrail } from '@countersign/core';
import '../../packages/elements/src/audit-viewer/define.ts';
import type { CsAuditViewer, VerifiedDetail } from '../../packages/elements/src/audit-viewer/audit-viewer.ts';
import { summarizeUserAgent } from '../../packages/elements/src/audit-viewer/user-agent.ts';
import { linkChain, sampleEvents, sampleTrail, tamper } from '../../stories/fixtures/audit-trail.ts';
import { expectCrossOriginServer, serverCommand } from './support.ts';

const realFetch = window.fetch;
const FAKE = 'https://cs.test';

const root = (el: CsAuditViewer) => el.shadowRoot!;
const banner = (el: CsAuditViewer) => root(el).querySelector('[part=banner]')!.textContent!.replace(/\s+/g, ' ').trim();
const items = (el: CsAuditViewer) => [...root(el).querySelectorAll<HTMLLIElement>('ol > li')];
// Names come wrapped in bidi isolates (U+2068 … U+2069); compare the visible text.
const visible = (text: string) =>
  text
    .replace(/[\u2068\u2069]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
const headings = (el: CsAuditViewer) => items(el).map((li) => visible(li.querySelector('h3')!.textContent!));

async function showEvents(events: AuditEvent[], attrs: Record<string, string> = {}) {
  const el = document.createElement('cs-audit-viewer');
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  const verified = oneEvent(el, 'cs-verified');
  el.events = events;
  await fixture(el);
  const event = await verified;
  await el.updateComplete;
  return { el, detail: event.detail };
}

/** Answers the audit endpoint of the fake server with `respond`. */
function fakeAudit(respond: () => Response | Promise<Response>): void {
  window.fetch = async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    return url.startsWith(FAKE) ? respond() : realFetch(input, init);
  };
}

describe('<cs-audit-viewer> (offline evidence)', () => {
  afterEach(() => {
    window.fetch = realFetch;
  });

  it('verifies an intact chain in the browser and says so', async () => {
    const chain = await sampleTrail();
    const { el, detail } = await showEvents(chain);
    expect(detail).to.deep.equal({ valid: true, headHash: chain.at(-1)!.hash, count: chain.length });
    expect(el.state).to.equal('verified');
    const head = chain.at(-1)!.hash;
    expect(banner(el)).to.contain(
      `Verified: ${chain.length} events, chain intact, head hash ${head.slice(0, 8)}…${head.slice(-8)}`,
    );
    expect(items(el)).to.have.length(chain.length);
    expect(root(el).querySelector('h2')!.textContent).to.equal('Audit trail');
    await expect(el).to.be.accessible();
  });

  it('tells each event as a sentence with actor, time, IP, device, auth method and document hash', async () => {
    const chain = await sampleTrail();
    const { el } = await showEvents(chain);
    const sentences = headings(el);
    expect(sentences).to.include.members([
      '1. Support desk created the envelope',
      '2. Support desk sent the envelope for signature',
      '3. Support desk issued a signing link for Юлия Смирнова',
      '4. Юлия Смирнова opened the envelope',
      '6. Consent to electronic records accepted (version 2024-06)',
      '7. Юлия Смирнова filled the field signature_1',
      '8. Юлия Смирнова signed',
      '14. 佐藤 花子 signed',
      '15. Everyone has signed: the envelope is completed',
    ]);
    const signed = items(el)[7]!;
    const facts = Object.fromEntries(
      [...signed.querySelectorAll('dl > div')].map((d) => [
        d.querySelector('dt')!.textContent,
        visible(d.querySelector('dd')!.textContent!),
      ]),
    );
    expect(facts['By']).to.equal('Юлия Смирнова <yulia@example.ru> · signer1');
    expect(facts['IP address']).to.equal('203.0.113.7');
    expect(facts['Device']).to.equal('Chrome 126 on Windows');
    expect(facts['Authentication']).to.equal('One-time code by email');
    const code = signed.querySelector('code')!;
    expect(code.textContent).to.equal('9f86d081…b0f00a08');
    expect(code.title).to.equal(chain[7]!.documentSha256);
    expect(items(el)[13]!.textContent).to.contain('Safari 17.5 on iOS 17.5');
    const time = signed.querySelector('time')!;
    expect(time.getAttribute('datetime')).to.equal(chain[7]!.at);
  });

  it('formats dates in the element’s locale with Intl', async () => {
    const chain = await sampleTrail();
    const { el } = await showEvents(chain, { locale: 'de-DE' });
    const date = new Date(chain[0]!.at);
    const text = items(el)[0]!.querySelector('time')!.textContent!;
    // German month abbreviation (as inside a date), the year, 24-hour time with seconds.
    const month = new Intl.DateTimeFormat('de-DE', { day: 'numeric', month: 'short' })
      .formatToParts(date)
      .find((part) => part.type === 'month')!.value;
    expect(text).to.contain(month);
    expect(text).to.contain(String(date.getFullYear()));
    expect(text).to.match(/\b\d{2}:\d{2}:\d{2}\b/);
    expect(text).to.not.match(/\b(AM|PM)\b/);
  });

  it('finds one changed byte: "Broken at event N", the event highlighted and scrolled into view', async () => {
    const chain = await sampleTrail();
    const tampered = tamper(chain, 13);
    expect(tampered[12]!.ip).to.not.equal(chain[12]!.ip);
    const { el, detail } = await showEvents(tampered);
    expect(detail).to.include({ valid: false, brokenAt: 13, reason: 'hash', count: chain.length });
    expect(el.state).to.equal('broken');
    expect(banner(el)).to.contain('Broken at event 13');
    const broken = root(el).querySelector<HTMLElement>('li.broken')!;
    expect(broken.dataset.seq).to.equal('13');
    expect(broken.getAttribute('part')).to.equal('event broken');
    expect(broken.textContent).to.contain('Chain breaks here');
    await waitUntil(
      () => {
        const r = broken.getBoundingClientRect();
        return r.top >= 0 && r.bottom <= window.innerHeight;
      },
      'the broken event is scrolled into view',
      { timeout: 3000 },
    );
    await expect(el).to.be.accessible();
  });

  it('detects a removed event', async () => {
    const chain = await sampleTrail();
    const { el, detail } = await showEvents(chain.filter((e) => e.seq !== 4));
    expect(detail).to.include({ valid: false, brokenAt: 5, reason: 'sequence' });
    expect(banner(el)).to.contain('Broken at event 5');
  });

  it('detects a removed event even when the rest is renumbered', async () => {
    // A forger who drops event 4 and renumbers the rest still cannot fix the links.
    const chain = await sampleTrail();
    const renumbered = chain.filter((e) => e.seq !== 4).map((e, i) => ({ ...e, seq: i + 1 }));
    const { detail } = await showEvents(renumbered);
    expect(detail).to.include({ valid: false, brokenAt: 4 });
  });

  it('detects reordered events', async () => {
    const chain = await sampleTrail();
    const reordered = [...chain];
    [reordered[2], reordered[3]] = [reordered[3]!, reordered[2]!];
    const { el, detail } = await showEvents(reordered);
    expect(detail).to.include({ valid: false, brokenAt: 4, reason: 'sequence' });
    expect(root(el).querySelector<HTMLElement>('li.broken')!.dataset.seq).to.equal('4');
  });

  it('shows an empty trail', async () => {
    const { el, detail } = await showEvents([]);
    expect(detail).to.include({ valid: true, count: 0 });
    expect(el.state).to.equal('empty');
    expect(banner(el)).to.equal('No audit events yet.');
    expect(root(el).querySelector('ol')).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it('renders names in any script and hostile strings as text', async () => {
    const hostile = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 1">';
    const chain = await linkChain(
      sampleEvents([
        { id: 'rcp_1', name: hostile, email: 'x@example.com' },
        { id: 'rcp_2', name: 'مريم الأحمد', email: 'maryam@example.com' },
      ]),
    );
    const { el } = await showEvents(chain);
    expect(root(el).querySelector('script, img')).to.equal(null);
    expect(headings(el)).to.include(`8. ${hostile} signed`);
    expect(headings(el)).to.include('14. مريم الأحمد signed');
    // A right-to-left name is isolated, so it cannot reorder the English sentence around it.
    expect(items(el)[13]!.querySelector('h3')!.textContent).to.contain('\u2068مريم الأحمد\u2069 signed');
    expect((window as { __pwned?: number }).__pwned).to.equal(undefined);
  });

  it('exports the evidence as JSON from the download button', async () => {
    const chain = await sampleTrail();
    const { el } = await showEvents(chain, { 'envelope-id': 'env_42' });
    const click = HTMLAnchorElement.prototype.click;
    const clicked: HTMLAnchorElement[] = [];
    HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
      clicked.push(this);
    };
    try {
      root(el).querySelector<HTMLButtonElement>('[part=download]')!.click();
    } finally {
      HTMLAnchorElement.prototype.click = click;
    }
    const link = clicked[0]!;
    expect(link.download).to.equal('countersign-audit-env_42.json');
    const exported = await (await realFetch(link.href)).json();
    expect(exported.events).to.deep.equal(chain);
    expect(exported.verification).to.deep.equal({ valid: true, headHash: chain.at(-1)!.hash, count: chain.length });
  });

  it('reaches the download button with Tab, with a visible focus ring', async () => {
    const { el } = await showEvents(await sampleTrail());
    const button = root(el).querySelector<HTMLButtonElement>('[part=download]')!;
    (document.activeElement as HTMLElement | null)?.blur();
    await sendKeys({ press: 'Tab' });
    expect(root(el).activeElement).to.equal(button);
    expect(button.matches(':focus-visible')).to.equal(true);
    const style = getComputedStyle(button);
    expect(style.outlineStyle).to.equal('solid');
    expect(parseFloat(style.outlineWidth)).to.be.at.least(2);
  });

  it('rejects events that are not a list of audit events', async () => {
    const el = document.createElement('cs-audit-viewer');
    const errored = oneEvent(el, 'cs-error');
    el.events = { nope: true } as unknown as AuditEvent[];
    await fixture(el);
    expect((await errored).detail.code).to.equal('invalid-evidence');
  });

  it('shows the server’s verdict when it disagrees with the browser', async () => {
    const tampered = tamper(await sampleTrail(), 2);
    fakeAudit(() => Response.json({ events: tampered, valid: true } satisfies AuditTrail));
    const el = await fixture<CsAuditViewer>(
      html`<cs-audit-viewer server=${FAKE} token="t" envelope-id="env_1"></cs-audit-viewer>`,
    );
    await waitUntil(() => el.state === 'broken');
    await el.updateComplete;
    expect(banner(el)).to.contain('Broken at event 2');
    expect(root(el).querySelector('[part=server-verdict]')!.textContent).to.contain(
      'The server reports this chain as intact',
    );
    await expect(el).to.be.accessible();
  });

  it('shows loading while the trail is on its way', async () => {
    fakeAudit(() => new Promise<Response>(() => {}));
    const el = await fixture<CsAuditViewer>(
      html`<cs-audit-viewer server=${FAKE} token="t" envelope-id="env_1"></cs-audit-viewer>`,
    );
    expect(el.state).to.equal('loading');
    expect(banner(el)).to.equal('Loading the audit trail…');
    await expect(el).to.be.accessible();
  });

  it('shows an error state and fires cs-error when the request fails', async () => {
    fakeAudit(() => new Response('', { status: 502, statusText: 'Bad Gateway' }));
    const el = document.createElement('cs-audit-viewer');
    const errored = oneEvent(el, 'cs-error');
    Object.assign(el, { server: FAKE, token: 't', envelopeId: 'env_1' });
    await fixture(el);
    expect((await errored).detail).to.include({ code: 'server', status: 502 });
    await el.updateComplete;
    expect(el.state).to.equal('error');
    expect(banner(el)).to.equal('The audit trail could not be loaded.');
    expect(root(el).querySelector('.retry')).to.not.equal(null);
    await expect(el).to.be.accessible();
  });
});

describe('summarizeUserAgent', () => {
  const cases: Array<[string, string | undefined, string | undefined]> = [
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
      'Safari 17.4',
      'macOS',
    ],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', 'Firefox 128', 'Linux'],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36 Edg/125.0.2535.67',
      'Edge 125',
      'Windows',
    ],
    [
      'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36',
      'Samsung Internet 25',
      'Android 14',
    ],
    [
      'Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1',
      'Chrome 120',
      'iPadOS 16.6',
    ],
    [
      'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
      'Chrome 124',
      'ChromeOS',
    ],
    ['curl/8.5.0', 'curl 8.5', undefined],
    ['something else entirely', undefined, undefined],
  ];
  for (const [ua, browser, os] of cases) {
    it(`reads ${browser ?? 'nothing'} on ${os ?? 'nothing'}`, () => {
      expect(summarizeUserAgent(ua)).to.deep.equal({ ...(browser ? { browser } : {}), ...(os ? { os } : {}) });
    });
  }
});

const SIGNATURE_SHA256 = 'ab12cd34ef56a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6';

/** A signer filling four fields: text, checkbox, a typed and a drawn signature; and one older event with only an id. */
async function filledTrail(): Promise<AuditEvent[]> {
  const base = sampleEvents().slice(0, 6);
  const actor = base[3]!.actor;
  const filled = (data: Record<string, unknown>) => ({
    type: 'field.filled',
    at: '2026-03-02T10:15:00.000Z',
    actor,
    ip: '203.0.113.7',
    data: { recipientId: 'rcp_1', ...data },
  });
  return linkChain([
    ...base,
    filled({ fieldId: 'fld_po', label: 'Purchase order number', type: 'text', value: 'PO-2291-ÄÖ-ЖЗ' }),
    filled({ fieldId: 'fld_terms', label: 'I accept the terms', type: 'checkbox', value: true }),
    filled({ fieldId: 'fld_news', label: 'Newsletter', type: 'checkbox', value: false }),
    filled({
      fieldId: 'fld_sig',
      label: 'Customer signature',
      type: 'signature',
      kind: 'typed',
      text: 'Юлия Смирнова',
    }),
    filled({ fieldId: 'fld_sig2', label: 'Initials', type: 'initials', kind: 'drawn', imageSha256: SIGNATURE_SHA256 }),
    filled({ fieldId: 'fld_old', type: 'text' }),
    filled({ fieldId: 'fld_gone', type: 'text', cleared: true }),
  ] as Parameters<typeof linkChain>[0]);
}

const factsOf = (li: HTMLLIElement) =>
  Object.fromEntries(
    [...li.querySelectorAll('dl > div')].map((d) => [
      d.querySelector('dt')!.textContent,
      visible(d.querySelector('dd')!.textContent!),
    ]),
  );

describe('<cs-audit-viewer> (field events)', () => {
  afterEach(async () => {
    await setViewport({ width: 1280, height: 800 });
  });

  it('names fields by label (the event’s, else the envelope’s fields, else the id) and shows what was entered', async () => {
    const el = document.createElement('cs-audit-viewer');
    el.fields = [
      { id: 'fld_old', label: 'Delivery address' },
      { id: 'fld_po', label: 'Not this one' },
    ];
    const verified = oneEvent(el, 'cs-verified');
    el.events = await filledTrail();
    await fixture(el);
    await verified;
    await el.updateComplete;
    const list = items(el).slice(6);
    expect(list.map((li) => visible(li.querySelector('h3')!.textContent!))).to.deep.equal([
      '7. Юлия Смирнова filled the field Purchase order number',
      '8. Юлия Смирнова filled the field I accept the terms',
      '9. Юлия Смирнова filled the field Newsletter',
      '10. Юлия Смирнова filled the field Customer signature',
      '11. Юлия Смирнова filled the field Initials',
      '12. Юлия Смирнова filled the field Delivery address',
      '13. Юлия Смирнова cleared the field fld_gone',
    ]);
    expect(list.map((li) => factsOf(li)['Entered'])).to.deep.equal([
      'PO-2291-ÄÖ-ЖЗ',
      'Checked',
      'Not checked',
      'Typed signature “Юлия Смирнова”',
      'Drawn signature, SHA-256 ab12cd34…a3b4c5d6 Copy',
      undefined,
      undefined,
    ]);
    const hash = list[4]!.querySelector<HTMLElement>('code.image-hash')!;
    expect(hash.title).to.equal(SIGNATURE_SHA256);
    const copy = list[4]!.querySelector<HTMLButtonElement>('button.copy')!;
    expect(copy.getAttribute('aria-label')).to.equal('Copy the full SHA-256 of the signature drawn in event 11');
    // Without the envelope's fields, an event with only an id shows the id.
    el.fields = undefined;
    await el.updateComplete;
    expect(visible(items(el)[11]!.querySelector('h3')!.textContent!)).to.equal(
      '12. Юлия Смирнова filled the field fld_old',
    );
    await expect(el).to.be.accessible();
  });

  it('copies the full hash of a drawn signature', async () => {
    const { el } = await showEvents(await filledTrail());
    let copied = '';
    const clipboard = navigator.clipboard;
    const original = clipboard.writeText;
    clipboard.writeText = async (value: string) => void (copied = value);
    try {
      items(el)[10]!.querySelector<HTMLButtonElement>('button.copy')!.click();
      await waitUntil(() => copied, 'copied');
    } finally {
      clipboard.writeText = original;
    }
    expect(copied).to.equal(SIGNATURE_SHA256);
  });

  for (const width of [360, 1280]) {
    it(`fits ${width} px: nothing overflows sideways, long values wrap, and it is accessible`, async () => {
      await setViewport({ width, height: 800 });
      const long = 'x'.repeat(90);
      const chain = await filledTrail();
      const { el } = await showEvents(
        await linkChain([
          ...chain.map(({ hash: _h, prevHash: _p, seq: _s, ...e }) => e),
          {
            type: 'field.filled',
            at: '2026-03-02T10:16:00.000Z',
            actor: {
              kind: 'recipient',
              id: 'rcp_1',
              name: `Name${long}`,
              email: `${long}@example.com`,
              role: 'signer',
            },
            ip: '2001:0db8:85a3:0000:0000:8a2e:0370:7334',
            userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148',
            data: { recipientId: 'rcp_1', fieldId: `fld_${long}`, label: `Label${long}`, value: `Value${long}` },
          },
        ] as Parameters<typeof linkChain>[0]),
      );
      el.style.display = 'block';
      await el.updateComplete;
      expect(document.documentElement.scrollWidth).to.be.at.most(width);
      const viewer = root(el).querySelector<HTMLElement>('.viewer')!;
      expect(viewer.scrollWidth).to.be.at.most(viewer.clientWidth);
      for (const li of items(el)) {
        expect(li.scrollWidth, `event ${li.dataset['seq']}`).to.be.at.most(li.clientWidth);
        expect(li.getBoundingClientRect().right).to.be.at.most(viewer.getBoundingClientRect().right);
        for (const dd of li.querySelectorAll('dd')) expect(dd.scrollWidth).to.be.at.most(dd.clientWidth + 1);
      }
      for (const button of root(el).querySelectorAll('button')) {
        const r = button.getBoundingClientRect();
        expect(r.width).to.be.at.least(24);
        expect(r.height).to.be.at.least(24);
      }
      // The full value of a shortened hash stays at hand.
      expect(root(el).querySelector<HTMLElement>('code.image-hash')!.title).to.equal(SIGNATURE_SHA256);
      await expect(el).to.be.accessible();
    });
  }
});

describe('<cs-audit-viewer> (real server)', () => {
  before(expectCrossOriginServer);

  it('verifies a real envelope’s trail in the browser, agreeing with the server', async () => {
    const seeded = await serverCommand<{ server: string; envelopeId: string }>('cs-seed', {});
    const { adminKey } = await serverCommand<{ server: string; adminKey: string }>('cs-server');
    const trail = await serverCommand<{ status: number; body: AuditTrail }>('cs-api', {
      path: `/api/v1/envelopes/${seeded.envelopeId}/audit`,
    });
    const el = document.createElement('cs-audit-viewer');
    const verified = new Promise<VerifiedDetail>((resolve, reject) => {
      el.addEventListener('cs-verified', (e) => resolve(e.detail));
      el.addEventListener('cs-error', (e) => reject(new Error(`cs-error ${JSON.stringify(e.detail)}`)));
    });
    Object.assign(el, { server: seeded.server, token: adminKey, envelopeId: seeded.envelopeId });
    await fixture(el);
    const detail = await verified;
    await el.updateComplete;
    expect(detail).to.include({
      valid: true,
      count: trail.body.events.length,
      headHash: trail.body.events.at(-1)!.hash,
    });
    expect(trail.body.valid).to.equal(true);
    expect(root(el).querySelector('[part=server-verdict]')).to.equal(null);
    expect(headings(el)[0]).to.match(/created the envelope$/);
    expect(headings(el)).to.include.members([
      `3. ${headings(el)[0]!.replace(/^1\. | created the envelope$/g, '')} issued a signing link for Zoë Łukasz-Müller`,
    ]);
    await expect(el).to.be.accessible();
  });

  it('shows "not found" for another agent’s envelope', async () => {
    const seeded = await serverCommand<{ server: string; envelopeId: string }>('cs-seed', {});
    const key = await serverCommand<{ status: number; body: { key: string } }>('cs-api', {
      method: 'POST',
      path: '/api/v1/api-keys',
      body: { name: 'Other agent', role: 'agent' },
    });
    expect(key.status).to.equal(201);
    const el = document.createElement('cs-audit-viewer');
    const errored = oneEvent(el, 'cs-error');
    Object.assign(el, { server: seeded.server, token: key.body.key, envelopeId: seeded.envelopeId });
    await fixture(el);
    expect((await errored).detail).to.include({ code: 'not-found', status: 404 });
    await el.updateComplete;
    expect(banner(el)).to.equal('This envelope does not exist.');
  });
});
