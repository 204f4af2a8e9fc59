import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import '../packages/elements/src/provider/define.ts';
import '../packages/elements/src/status-badge/define.ts';
import '../packages/elements/src/audit-viewer/define.ts';
import { registerTranslation } from '../packages/elements/src/internal/localize.ts';
import { sampleTrail } from './fixtures/audit-trail.ts';
import { MOCK_SERVER, MOCK_TOKEN, mockEnvelope } from './support/mock-server.ts';

interface Args {
  server: string;
  token: string;
  locale: string;
}

mockEnvelope('env_provider', { kind: 'status', status: 'completed' });
mockEnvelope('env_provider_audit', async () => ({ kind: 'audit', events: await sampleTrail() }));
mockEnvelope('env_provider_sent', { kind: 'status', status: 'sent' });

// How a host adds a language: a few of the badge's strings in German.
registerTranslation('de', {
  'statusBadge.prefix': 'Umschlagstatus',
  'statusBadge.loading': 'Wird geladen…',
  'statusBadge.status.sent': 'Versendet',
  'statusBadge.status.completed': 'Abgeschlossen',
  'statusBadge.progress': '{done}/{total} unterschrieben',
  'statusBadge.progressLong': '{done} von {total} unterschrieben',
});

/**
 * `<cs-provider>` shares `server`, `token` and `locale` with every Countersign element inside
 * it, so a page configures them once. An element's own attributes still win.
 */
const meta: Meta<Args> = {
  title: 'Elements/Provider',
  component: 'cs-provider',
  args: { server: MOCK_SERVER, token: MOCK_TOKEN, locale: 'en' },
  argTypes: { locale: { control: 'select', options: ['en', 'de', 'de-DE', 'ja-JP'] } },
  render: (args) =>
    html`<cs-provider server=${args.server} token=${args.token} locale=${args.locale}>
      <p style="display:flex;gap:.5rem;align-items:center;font-family:system-ui">
        Service agreement
        <cs-status-badge envelope-id="env_provider" show-progress></cs-status-badge>
        <cs-status-badge envelope-id="env_provider_sent" show-progress></cs-status-badge>
      </p>
      <cs-audit-viewer envelope-id="env_provider_audit"></cs-audit-viewer>
    </cs-provider>`,
};
export default meta;

type Story = StoryObj<Args>;

/** One provider, three elements configured by it. */
export const SharedConfiguration: Story = {};

/** The provider's locale reaches every element: the badge's German strings above, and dates. */
export const Localized: Story = { args: { locale: 'de-DE' } };

const CONSOLE_IDS = Array.from({ length: 12 }, (_, i) =>
  mockEnvelope(`env_console_${i + 1}`, {
    kind: 'status',
    status: (['sent', 'completed', 'draft', 'declined'] as const)[i % 4]!,
  }),
);

/**
 * An agent console's list: however many badges a provider holds, they follow their envelopes
 * over one shared event stream (`GET /api/v1/events`), so the page never runs out of
 * connections to the server.
 */
export const ManyBadgesOneStream: Story = {
  render: (args) =>
    html`<cs-provider server=${args.server} token=${args.token} locale=${args.locale}>
      <ul style="font-family:system-ui;display:grid;gap:.25rem;padding:0;list-style:none">
        ${CONSOLE_IDS.map(
          (id, i) =>
            html`<li style="display:flex;gap:.5rem;align-items:center">
              Agreement ${i + 1} <cs-status-badge envelope-id=${id} show-progress></cs-status-badge>
            </li>`,
        )}
      </ul>
    </cs-provider>`,
};
