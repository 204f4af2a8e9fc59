import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { LitElement } from 'lit';
import { consume } from '@lit/context';
import { state } from 'lit/decorators.js';
import '../../packages/elements/src/provider/define.ts';
import '../../packages/elements/src/status-badge/define.ts';
import { configContext, type CsConfig } from '../../packages/elements/src/internal/config.ts';
import { define } from '../../packages/elements/src/internal/define.ts';

class ProbeElement extends LitElement {
  @consume({ context: configContext, subscribe: true })
  @state()
  config?: CsConfig;
}
define('cs-test-probe', ProbeElement);

describe('<cs-provider>', () => {
  it('shares server, token and locale with the elements inside it, and updates them', async () => {
    const el = await fixture(
      html`<cs-provider server="https://sign.example" token="t1" locale="de"
        ><cs-test-probe></cs-test-probe
      ></cs-provider>`,
    );
    const probe = el.querySelector('cs-test-probe') as ProbeElement;
    expect(probe.config).to.include({ server: 'https://sign.example', token: 't1', locale: 'de' });
    const first = probe.config?.client;
    expect(first).to.include({ server: 'https://sign.example', token: 't1' });
    el.setAttribute('locale', 'en');
    await (el as LitElement).updateComplete;
    expect(probe.config?.locale).to.equal('en');
    expect(probe.config?.client, 'same server and token: same client and stream').to.equal(first);
    el.setAttribute('token', 't2');
    await (el as LitElement).updateComplete;
    expect(probe.config?.token).to.equal('t2');
    expect(probe.config?.client).to.include({ token: 't2' });
  });

  it('moves its badges onto one new stream when its token changes, closing the old one', async () => {
    const realFetch = window.fetch;
    const streams: Array<{ url: string; token: string | null; signal: AbortSignal }> = [];
    window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input instanceof Request ? input.url : input);
      if (!url.startsWith('https://sign.example/')) return realFetch(input, init);
      const headers = new Headers(init?.headers);
      streams.push({ url, token: headers.get('authorization'), signal: init!.signal! });
      return new Response(new ReadableStream(), { headers: { 'content-type': 'text/event-stream' } });
    };
    try {
      const el = await fixture<LitElement>(
        html`<cs-provider server="https://sign.example" token="t1"
          ><cs-status-badge envelope-id="env_a"></cs-status-badge><cs-status-badge envelope-id="env_b"></cs-status-badge
        ></cs-provider>`,
      );
      await waitUntil(() => streams.length === 1, 'one stream for both badges');
      expect(streams[0]!.url).to.equal('https://sign.example/api/v1/events?envelope=env_a&envelope=env_b');
      expect(streams[0]!.token).to.equal('Bearer t1');
      el.setAttribute('token', 't2');
      await waitUntil(() => streams.length === 2, 'a stream with the new token');
      expect(streams[1]!.token).to.equal('Bearer t2');
      expect(streams[0]!.signal.aborted, 'the old stream is closed').to.equal(true);
      await new Promise((r) => setTimeout(r, 100));
      expect(streams).to.have.length(2);
    } finally {
      window.fetch = realFetch;
    }
  });

  it('does not crash when a second copy registers the same tag', () => {
    class Other extends HTMLElement {}
    const warn = console.warn;
    const warnings: unknown[] = [];
    console.warn = (...args: unknown[]) => warnings.push(args);
    try {
      define('cs-provider', Other);
      define('cs-provider', Other);
    } finally {
      console.warn = warn;
    }
    expect(customElements.get('cs-provider')).to.not.equal(Other);
    expect(warnings).to.have.length(1);
  });
});
