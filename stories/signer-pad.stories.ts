import { html, type TemplateResult } from 'lit';
import type { Meta, StoryObj } from '@storybook/web-components';
import type { FieldValue, SigningField, SigningView } from '@countersign/core';
import '../packages/elements/src/signer-pad/define.ts';
import { mockFetch, problemResponse } from './support/mock-fetch.ts';
import { pdfFile } from './support/pdf.ts';

/**
 * Stories run against an in-browser mock of the signer API: each story's token names a
 * scenario, and `fetch` calls to MOCK_SERVER are answered here (everything else passes).
 */
const MOCK_SERVER = 'https://sign.mock.countersign.test';

type Scenario =
  | 'ready'
  | 'partly-filled'
  | 'signed'
  | 'declined'
  | 'voided'
  | 'expired'
  | 'invalid'
  | 'not-your-turn'
  | 'offline'
  | 'loading'
  | 'prefilled'
  | 'emailed';

/** The fields as the template places them; `view()` adds whether the signer may change each. */
const fields: Array<Omit<SigningField, 'readOnly'>> = [
  {
    id: 'sig',
    type: 'signature',
    role: 'customer',
    page: 1,
    x: 0.1,
    y: 0.72,
    width: 0.35,
    height: 0.08,
    required: true,
    label: 'Signature',
    value: null,
  },
  {
    id: 'date',
    type: 'date_signed',
    role: 'customer',
    page: 1,
    x: 0.55,
    y: 0.74,
    width: 0.25,
    height: 0.04,
    required: true,
    label: 'Date signed',
    value: null,
  },
  {
    id: 'name',
    type: 'text',
    role: 'customer',
    page: 1,
    x: 0.1,
    y: 0.83,
    width: 0.4,
    height: 0.04,
    required: true,
    label: 'Printed name',
    value: null,
  },
  {
    id: 'agree',
    type: 'checkbox',
    role: 'customer',
    page: 1,
    x: 0.1,
    y: 0.9,
    width: 0.03,
    height: 0.025,
    required: true,
    label: 'I agree to the terms',
    value: null,
  },
  {
    id: 'initials',
    type: 'initials',
    role: 'customer',
    page: 2,
    x: 0.75,
    y: 0.9,
    width: 0.12,
    height: 0.05,
    required: false,
    label: 'Initials',
    value: null,
  },
  {
    id: 'sig2',
    type: 'signature',
    role: 'customer',
    page: 3,
    x: 0.55,
    y: 0.8,
    width: 0.35,
    height: 0.08,
    required: true,
    label: 'Signature',
    value: null,
  },
];

function view(scenario: Scenario): SigningView {
  const status =
    scenario === 'signed'
      ? 'completed'
      : scenario === 'declined'
        ? 'declined'
        : scenario === 'voided'
          ? 'voided'
          : 'sent';
  const values: Record<string, FieldValue> =
    scenario === 'partly-filled'
      ? { name: 'Zoë Łukasz-Müller', sig: { kind: 'typed', text: 'Zoë Łukasz-Müller' } }
      : scenario === 'prefilled'
        ? { name: 'Zoë Łukasz-Müller' }
        : {};
  return {
    envelope: { id: 'env_demo', title: 'Fibre broadband contract', status },
    recipient: {
      id: 'rcp_demo',
      name: 'Zoë Łukasz-Müller',
      email: 'zoe@example.com',
      role: 'customer',
      action: 'sign',
      status: scenario === 'signed' ? 'signed' : scenario === 'declined' ? 'declined' : 'opened',
      ...(scenario === 'signed' ? { completedAt: '2026-03-14T10:24:00Z' } : {}),
    } as SigningView['recipient'],
    // 'prefilled': the agent set the printed name from merge data, so the signer cannot change it.
    fields: fields.map((f) => ({
      ...f,
      value: values[f.id] ?? null,
      readOnly: scenario === 'prefilled' && f.id === 'name',
    })),
    document: { sha256: '0'.repeat(64), pages: 3, name: 'contract.pdf' },
    consent: {
      version: 'esign-demo',
      text: 'You are asked to sign this agreement electronically.\n\n1. Consent. By selecting "I agree" you consent to receive this agreement and related records electronically and to sign it with an electronic signature.\n2. Paper copies. You may ask for a paper copy at any time.\n3. Withdrawal. You may withdraw your consent before you finish signing.',
      accepted: false,
    },
    sealed: scenario === 'signed',
    // Only 'emailed' has a mail transport: the done state then promises a copy by mail.
    notifications: { email: scenario === 'emailed' },
    expiresAt: new Date(Date.now() + 30 * 60_000).toISOString(),
  };
}

/** A small, valid PDF of `pages` Letter pages with text in Helvetica. */
function makePdf(pages: number, title: string): string {
  const objects: string[] = [];
  const kids: string[] = [];
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';
  for (let i = 0; i < pages; i++) {
    const page = 4 + i * 2;
    kids.push(`${page} 0 R`);
    const lines = [
      `BT /F1 22 Tf 72 720 Td (${title}) Tj ET`,
      `BT /F1 11 Tf 72 696 Td (Page ${i + 1} of ${pages}) Tj ET`,
    ];
    for (let l = 0; l < 24; l++) {
      lines.push(
        `BT /F1 11 Tf 72 ${660 - l * 18} Td (${l + 1}. The customer and the provider agree to the terms set out here.) Tj ET`,
      );
    }
    const stream = lines.join('\n');
    objects[page] =
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents ${page + 1} 0 R >>`;
    objects[page + 1] = `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`;
  }
  objects[2] = `<< /Type /Pages /Kids [${kids.join(' ')}] /Count ${pages} >>`;
  return pdfFile(objects.slice(1));
}

const problem = (status: number, slug: string, title: string) =>
  problemResponse(status, title, { type: `https://countersign.dev/problems/${slug}` });

function installMock(): void {
  mockFetch(MOCK_SERVER, async (url, init, input) => {
    const auth = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined)).get(
      'authorization',
    );
    const scenario = (auth?.replace(/^Bearer /, '') ?? 'invalid') as Scenario;
    await new Promise((resolve) => setTimeout(resolve, 250));
    switch (scenario) {
      case 'loading':
        return new Promise<Response>(() => undefined);
      case 'offline':
        throw new TypeError('Failed to fetch');
      case 'expired':
        return problem(401, 'token-expired', 'The signing link has expired');
      case 'invalid':
        return problem(401, 'token-invalid', 'Unknown token');
      case 'not-your-turn':
        return problem(409, 'not-your-turn', 'Recipients with a lower routing order have not finished yet');
    }
    const path = url.pathname.replace('/api/v1', '');
    if (path === '/signing/document') {
      return new Response(
        makePdf(3, url.searchParams.get('version') === 'sealed' ? 'Signed copy' : 'Fibre broadband contract'),
        {
          headers: { 'content-type': 'application/pdf' },
        },
      );
    }
    if (path === '/signing') return Response.json(view(scenario));
    if (path.startsWith('/signing/fields/')) {
      const body = JSON.parse(String(init?.body ?? '{}')) as { value: FieldValue };
      return Response.json({ ...fields.find((f) => path.endsWith(f.id)), value: body.value });
    }
    if (path === '/signing/consent') return Response.json({ accepted: true });
    if (path === '/signing/decline') return new Response(null, { status: 204 });
    if (path === '/signing/complete') return Response.json({ recipientStatus: 'signed', envelopeStatus: 'completed' });
    return problem(404, 'not-found', 'Not found');
  });
}

interface Args {
  scenario: Scenario;
  width: string;
  zoom: number;
  locale: string;
}

const render = ({ scenario, width, zoom, locale }: Args, style = ''): TemplateResult => {
  installMock();
  return html`<div style="max-width:${width}">
    <cs-signer-pad
      server=${MOCK_SERVER}
      token=${scenario}
      .zoom=${zoom}
      locale=${locale}
      style=${style}
    ></cs-signer-pad>
  </div>`;
};

const meta: Meta<Args> = {
  title: 'Elements/Signer pad',
  component: 'cs-signer-pad',
  args: { scenario: 'ready', width: '56rem', zoom: 1, locale: 'en' },
  argTypes: {
    scenario: {
      control: 'select',
      options: [
        'ready',
        'partly-filled',
        'signed',
        'declined',
        'voided',
        'expired',
        'invalid',
        'not-your-turn',
        'offline',
        'loading',
        'prefilled',
        'emailed',
      ],
    },
    zoom: { control: { type: 'range', min: 0.5, max: 3, step: 0.25 } },
  },
  render: (args) => render(args),
};
export default meta;

type Story = StoryObj<Args>;

export const Ready: Story = {};
export const PartlyFilled: Story = { args: { scenario: 'partly-filled' } };
export const Phone: Story = { args: { width: '360px' } };
export const Zoomed: Story = { args: { zoom: 1.5 } };
export const Loading: Story = { args: { scenario: 'loading' } };
export const NotConfigured: Story = { render: () => html`<cs-signer-pad></cs-signer-pad>` };
export const Expired: Story = { args: { scenario: 'expired' } };
export const InvalidLink: Story = { args: { scenario: 'invalid' } };
export const NotYourTurn: Story = { args: { scenario: 'not-your-turn' } };
export const Offline: Story = { args: { scenario: 'offline' } };
export const AlreadySigned: Story = { args: { scenario: 'signed' } };
export const Declined: Story = { args: { scenario: 'declined' } };
export const Voided: Story = { args: { scenario: 'voided' } };
/** The printed name was set by the agent from merge data: plain text with a lock, not an input. */
export const ReadOnlyPrefilled: Story = { args: { scenario: 'prefilled' } };

/** Waits for the pad inside a story, then clicks `selector` in its shadow root. */
async function clickInPad(canvasElement: HTMLElement, selector: string): Promise<void> {
  const pad = canvasElement.querySelector('cs-signer-pad')!;
  for (let i = 0; i < 100; i++) {
    const target = pad.shadowRoot?.querySelector<HTMLElement>(selector);
    if (target) return target.click();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Finish with nothing filled: one list of every missing item, each a button to it. */
export const MissingItems: Story = {
  play: ({ canvasElement }) => clickInPad(canvasElement, 'button.finish'),
};

/** A phone-width pad in guided mode: Next opens the full-size editor sheet on the first field. */
export const GuidedSheet: Story = {
  args: { width: '360px' },
  play: ({ canvasElement }) => clickInPad(canvasElement, 'button.field.guided'),
};

/** Right to left, at phone width. */
export const ArabicPhone: Story = {
  args: { width: '360px', locale: 'ar' },
  render: (args) => html`<div dir="rtl" lang="ar">${render(args)}</div>`,
};

/** Dark mode and a brand colour: three custom properties. */
export const DarkBrand: Story = {
  render: (args) =>
    html`<div style="background:#0d1117;padding:1rem">
      ${render(args, '--cs-surface:#161b22;--cs-text:#e6edf3;--cs-accent:#4c8dff;--cs-accent-contrast:#0d1117')}
    </div>`,
};

/** Every `cs-*` event the pad fires, as a host would hear it. */
export const Events: Story = {
  render: (args) => {
    const log = (event: Event) => {
      const pre = document.querySelector('#cs-signer-events');
      if (pre) pre.textContent = `${event.type} ${JSON.stringify((event as CustomEvent).detail)}\n${pre.textContent}`;
    };
    return html`<div @cs-ready=${log} @cs-field-change=${log} @cs-complete=${log} @cs-decline=${log} @cs-error=${log}>
      ${render(args)}
      <pre id="cs-signer-events" style="font-size:12px;white-space:pre-wrap"></pre>
    </div>`;
  },
};

/**
 * In the host's own `<form>`: `required` keeps the form from submitting until the customer has
 * signed (the browser shows "Sign the agreement to continue" at the pad), then the form submits
 * the envelope id under `name`; the checkbox disables the fieldset, and the pad with it.
 */
export const InHostForm: Story = {
  render: (args) => {
    installMock();
    const submitted = (event: SubmitEvent) => {
      event.preventDefault();
      const form = event.target as HTMLFormElement;
      const out = form.querySelector('output');
      if (out) out.textContent = JSON.stringify(Object.fromEntries(new FormData(form)));
    };
    const toggle = (event: Event) => {
      const fieldset = (event.target as HTMLElement).closest('form')!.querySelector('fieldset')!;
      fieldset.disabled = (event.target as HTMLInputElement).checked;
    };
    return html`<form @submit=${submitted} style="max-width:${args.width};display:grid;gap:1rem;font:16px system-ui">
      <fieldset style="display:grid;gap:0.75rem">
        <legend>Order fibre broadband</legend>
        <label>Installation date <input type="date" name="installation" required /></label>
        <label for="agreement-pad">Your contract</label>
        <cs-signer-pad
          id="agreement-pad"
          name="agreement"
          required
          server=${MOCK_SERVER}
          token=${args.scenario}
          locale=${args.locale}
        ></cs-signer-pad>
      </fieldset>
      <label><input type="checkbox" @change=${toggle} /> Disable the fieldset</label>
      <button>Place order</button>
      <output></output>
    </form>`;
  },
};
