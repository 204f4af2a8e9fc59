import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import type { EnvelopeStatus } from '@countersign/core';
import '../packages/elements/src/status-badge/define.ts';
import { MOCK_SERVER, MOCK_TOKEN, mockEnvelope, statusWith } from './support/mock-server.ts';
import { eventLog, logEvent } from './support/event-log.ts';

interface Args {
  envelopeId: string;
  showProgress: boolean;
  server: string;
  token: string;
  locale?: string;
}

const STATUSES: EnvelopeStatus[] = ['draft', 'sent', 'completed', 'declined', 'voided', 'expired'];
for (const status of STATUSES) {
  mockEnvelope(`env_${status}`, {
    kind: 'status',
    status,
    recipients: statusWith(status, status === 'draft' ? 0 : undefined),
  });
}
mockEnvelope('env_loading', { kind: 'hang' });
mockEnvelope('env_forbidden', { kind: 'problem', status: 403, title: 'Forbidden' });
mockEnvelope('env_missing', { kind: 'problem', status: 404, title: 'Not found' });
mockEnvelope('env_offline', { kind: 'offline' });
mockEnvelope('env_live', {
  kind: 'live',
  everyMs: 2500,
  steps: [
    { status: 'sent', recipients: statusWith('sent', 0) },
    { status: 'sent', recipients: statusWith('sent', 1) },
    { status: 'completed', recipients: statusWith('completed', 2) },
  ],
});

const badge = (args: Args) =>
  html`<cs-status-badge
    server=${args.server}
    token=${args.token}
    envelope-id=${args.envelopeId}
    locale=${args.locale ?? 'en'}
    ?show-progress=${args.showProgress}
  ></cs-status-badge>`;

/**
 * An envelope's status as a pill that follows the server's event stream. The status is always
 * in words (colour only repeats it), the pill is a polite live region, and its title says
 * everything: "Envelope status: Completed — 2 of 2 signed".
 */
const meta: Meta<Args> = {
  title: 'Elements/Status badge',
  component: 'cs-status-badge',
  args: { server: MOCK_SERVER, token: MOCK_TOKEN, envelopeId: 'env_sent', showProgress: true },
  argTypes: {
    envelopeId: {
      control: 'select',
      options: [
        ...STATUSES.map((s) => `env_${s}`),
        'env_loading',
        'env_forbidden',
        'env_missing',
        'env_offline',
        'env_live',
      ],
    },
  },
  render: badge,
};
export default meta;

type Story = StoryObj<Args>;

export const Draft: Story = { args: { envelopeId: 'env_draft' } };
export const Sent: Story = { args: { envelopeId: 'env_sent' } };
export const Completed: Story = { args: { envelopeId: 'env_completed' } };
export const Declined: Story = { args: { envelopeId: 'env_declined' } };
export const Voided: Story = { args: { envelopeId: 'env_voided' } };
export const Expired: Story = { args: { envelopeId: 'env_expired' } };

/** Without `show-progress` the count stays in the title and the screen-reader text only. */
export const WithoutProgress: Story = { args: { envelopeId: 'env_sent', showProgress: false } };

/** Every status side by side. */
export const AllStatuses: Story = {
  render: (args) =>
    html`<div style="display:flex;flex-wrap:wrap;gap:.75rem;align-items:center">
      ${STATUSES.map((status) => badge({ ...args, envelopeId: `env_${status}` }))}
    </div>`,
};

/** Until the first status arrives; the live region is busy meanwhile. */
export const Loading: Story = { args: { envelopeId: 'env_loading' } };

/** The server refused the token (403): fires `cs-error` with code `forbidden`. */
export const Forbidden: Story = { args: { envelopeId: 'env_forbidden' } };

/** No such envelope, or one this key may not see (404). */
export const NotFound: Story = { args: { envelopeId: 'env_missing' } };

/**
 * The server could not be reached; the badge keeps retrying with backoff. (Its own token gives it
 * a stream of its own here: the other stories' badges share one and stay online.)
 */
export const Offline: Story = { args: { envelopeId: 'env_offline', token: `${MOCK_TOKEN}_offline` } };

/** A dark host page and its brand colours, through custom properties only. */
export const Theming: Story = {
  render: (args) =>
    html`<div
      style="
        padding: 1.25rem; border-radius: 12px; background: #15171c; color: #e8eaed;
        font-family: Georgia, serif;
        --cs-status-badge-font-family: inherit;
        --cs-status-badge-font-size: 0.9rem;
        --cs-status-badge-radius: 6px;
        --cs-status-badge-draft-color: #d0d4da; --cs-status-badge-draft-background: #2a2e35;
        --cs-status-badge-sent-color: #9cc5ff; --cs-status-badge-sent-background: #15294a;
        --cs-status-badge-completed-color: #8fe3b0; --cs-status-badge-completed-background: #113822;
        --cs-status-badge-declined-color: #ffaaa5; --cs-status-badge-declined-background: #4a1714;
        --cs-status-badge-voided-color: #c8cbd0; --cs-status-badge-voided-background: #2f3137;
        --cs-status-badge-expired-color: #ffd27a; --cs-status-badge-expired-background: #3d2a07;
      "
    >
      <p style="margin:0 0 .75rem">Your agreements</p>
      <div style="display:flex;flex-wrap:wrap;gap:.75rem">
        ${STATUSES.map((status) => badge({ ...args, envelopeId: `env_${status}` }))}
      </div>
    </div>`,
};

/**
 * A live envelope: someone signs, then the other, and it completes. Each change fires
 * `cs-status-change` (see the Actions panel; the log below shows the same events).
 */
export const Events: Story = {
  args: { envelopeId: 'env_live' },
  render: (args) => {
    const log = (event: Event) => logEvent(event);
    return html`<div @cs-status-change=${log} @cs-error=${log}>${badge(args)} ${eventLog}</div>`;
  },
};
