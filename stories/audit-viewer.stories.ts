import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import type { AuditEvent } from '@countersign/core';
import '../packages/elements/src/audit-viewer/define.ts';
import { linkChain, sampleEvents, sampleTrail, tamper } from './fixtures/audit-trail.ts';
import { MOCK_SERVER, MOCK_TOKEN, mockEnvelope } from './support/mock-server.ts';
import { eventLog, logEvent } from './support/event-log.ts';

interface Args {
  locale?: string;
}
interface Loaded {
  events?: AuditEvent[];
}

mockEnvelope('env_audit_loading', { kind: 'hang' });
mockEnvelope('env_audit_forbidden', {
  kind: 'problem',
  status: 403,
  title: 'Forbidden',
  detail: 'Agents can read only their own envelopes',
});
mockEnvelope('env_audit_disagrees', async () => ({
  kind: 'audit',
  events: tamper(await sampleTrail(), 7),
  valid: true,
}));

/** Renders `<cs-audit-viewer>` with the events a story's loader built. */
const withEvents = (args: Args, { loaded }: { loaded: Loaded }) =>
  html`<cs-audit-viewer .events=${loaded.events} locale=${args.locale ?? 'en'}></cs-audit-viewer>`;

/** Loads from the pretend server in the page. */
const fromServer = (envelopeId: string) => (args: Args) =>
  html`<cs-audit-viewer
    server=${MOCK_SERVER}
    token=${MOCK_TOKEN}
    envelope-id=${envelopeId}
    locale=${args.locale ?? 'en'}
  ></cs-audit-viewer>`;

/**
 * An envelope's audit trail as a timeline a person can read, with the hash chain verified in
 * the browser (WebCrypto, SHA-256 over RFC 8785 JSON) whatever the server says. These stories
 * pass a chain built with core's `linkAuditEvent` through the `events` property, as a host would
 * show an exported evidence file.
 */
const meta: Meta<Args> = {
  title: 'Elements/Audit viewer',
  component: 'cs-audit-viewer',
  args: { locale: 'en' },
  argTypes: { locale: { control: 'select', options: ['en', 'en-GB', 'de-DE', 'ja-JP', 'ar-EG'] } },
  loaders: [async () => ({ events: await sampleTrail() })],
  render: withEvents,
};
export default meta;

type Story = StoryObj<Args>;

/** An intact chain: "Verified: 16 events, chain intact, head hash …". */
export const Verified: Story = {};

/**
 * One character of event 9's IP address changed after the fact: the chain breaks there, the
 * event is highlighted and scrolled into view.
 */
export const Broken: Story = {
  loaders: [async () => ({ events: tamper(await sampleTrail(), 9) })],
};

/** Event 5 removed: the numbering gap gives it away. */
export const EventRemoved: Story = {
  loaders: [async () => ({ events: (await sampleTrail()).filter((e) => e.seq !== 5) })],
};

/** Events 3 and 4 swapped. */
export const Reordered: Story = {
  loaders: [
    async () => {
      const events = await sampleTrail();
      [events[2], events[3]] = [events[3]!, events[2]!];
      return { events };
    },
  ],
};

/** No events yet. */
export const Empty: Story = { loaders: [async () => ({ events: [] })] };

/** While the trail is on its way from the server. */
export const Loading: Story = { render: fromServer('env_audit_loading') };

/** The server refused (403): fires `cs-error`, offers to try again. */
export const LoadError: Story = { name: 'Error', render: fromServer('env_audit_forbidden') };

/** The server says "valid", the browser finds event 7 changed: both are shown. */
export const ServerDisagrees: Story = { render: fromServer('env_audit_disagrees') };

/** Names in any script, right-to-left text, and a hostile string that must stay text. */
export const UnicodeNames: Story = {
  loaders: [
    async () => ({
      events: await linkChain(
        sampleEvents([
          { id: 'rcp_1', name: 'مريم الأحمد', email: 'maryam@example.eg' },
          { id: 'rcp_2', name: '<script>alert("Ω")</script> Zoë Łukasz-Müller 👩🏽‍💼', email: 'zoe@example.com' },
        ]),
      ),
    }),
  ],
};

/** A signer's field events: each names its field's label and shows what was entered. */
export const FieldValues: Story = {
  loaders: [
    async () => {
      const base = sampleEvents().slice(0, 6);
      const filled = (data: Record<string, unknown>) => ({
        type: 'field.filled',
        at: '2025-03-14T09:32:00.000Z',
        actor: base[3]!.actor,
        ip: base[3]!.ip,
        data: { recipientId: 'rcp_1', ...data },
      });
      return {
        events: await linkChain([
          ...base,
          filled({ fieldId: 'fld_po', label: 'Purchase order number', type: 'text', value: 'PO-2291' }),
          filled({ fieldId: 'fld_terms', label: 'I accept the terms', type: 'checkbox', value: true }),
          filled({ fieldId: 'fld_sig', label: 'Signature', type: 'signature', kind: 'typed', text: 'Юлия Смирнова' }),
          filled({
            fieldId: 'fld_initials',
            label: 'Initials',
            type: 'initials',
            kind: 'drawn',
            imageSha256: 'ab12cd34ef56a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6',
          }),
        ] as Parameters<typeof linkChain>[0]),
      };
    },
  ],
};

/** On a 360 px phone: labels stack above their values, nothing scrolls sideways. */
export const Narrow: Story = {
  ...FieldValues,
  render: (args, context) => html`<div style="width: 360px">${withEvents(args, context as { loaded: Loaded })}</div>`,
};

/** Dates follow the element's locale. */
export const German: Story = { args: { locale: 'de-DE' } };

/** A dark host page through custom properties only. */
export const Theming: Story = {
  render: (args, context) =>
    html`<div
      style="
        padding: 1rem; background: #101216;
        --cs-audit-viewer-color: #e6e8eb;
        --cs-audit-viewer-muted-color: #a9b0ba;
        --cs-audit-viewer-background: #181b21;
        --cs-audit-viewer-border-color: #343a44;
        --cs-audit-viewer-accent-color: #8ab4ff;
        --cs-audit-viewer-success-color: #8fe3b0;
        --cs-audit-viewer-success-background: #11301f;
        --cs-audit-viewer-danger-color: #ffaaa5;
        --cs-audit-viewer-danger-background: #3c1513;
        --cs-focus-ring-color: #ffd27a;
        --cs-audit-viewer-radius: 14px;
        --cs-audit-viewer-max-height: 420px;
      "
    >
      ${withEvents(args, context as { loaded: Loaded })}
    </div>`,
};

/** `cs-verified` (and `cs-error`) in the Actions panel, and in the log below. */
export const Events: Story = {
  loaders: [async () => ({ events: tamper(await sampleTrail(), 4) })],
  render: (args, context) => {
    const log = (event: Event) => logEvent(event);
    return html`<div @cs-verified=${log} @cs-error=${log}>
      ${eventLog} ${withEvents(args, context as { loaded: Loaded })}
    </div>`;
  },
};
