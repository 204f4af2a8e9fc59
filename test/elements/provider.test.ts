import { expect, fixture, html } from '@open-wc/testing';
import { LitElement } from 'lit';
import { consume } from '@lit/context';
import { state } from 'lit/decorators.js';
import '../../packages/elements/src/provider/define.ts';
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
    expect(probe.config).to.deep.equal({ server: 'https://sign.example', token: 't1', locale: 'de' });
    el.setAttribute('token', 't2');
    await (el as LitElement).updateComplete;
    expect(probe.config?.token).to.equal('t2');
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
