/* global navigator */
import { api, formatDateTime, h, startAgentSession } from './assets/demo.js';

/**
 * The agent console: the agent's envelopes with live <cs-status-badge>s, and
 * <cs-envelope-composer>, which sends a new agreement from a published template; the page then
 * hands back the customer's signing link.
 */

const tbody = document.getElementById('envelopes');
const composer = document.getElementById('composer');
const linkBox = document.getElementById('link-box');
const linkInput = document.getElementById('link');
const openLink = document.getElementById('open-link');
const copyStatus = document.getElementById('copy-status');

let session;

/** Items of a list response, whichever envelope the server wraps them in. */
function items(body) {
  if (Array.isArray(body)) return body;
  return body?.items ?? body?.envelopes ?? body?.data ?? [];
}

function customerOf(envelope) {
  const signer = envelope.recipients?.find((r) => r.action === 'sign') ?? envelope.recipients?.[0];
  return signer ? `${signer.name} · ${signer.email}` : '';
}

function row(envelope, { fresh = false } = {}) {
  const badge = h('cs-status-badge', { 'envelope-id': envelope.id, 'show-progress': true });
  return h(
    'tr',
    { 'data-envelope-id': envelope.id, class: fresh ? 'is-new' : undefined },
    h('td', { class: 'title' }, envelope.title, h('span', { class: 'sub' }, customerOf(envelope))),
    h('td', { 'data-label': 'Sent' }, formatDateTime(envelope.sentAt ?? envelope.createdAt)),
    h('td', { 'data-label': 'Status' }, badge),
    h(
      'td',
      {},
      h(
        'a',
        { href: `evidence.html?envelope=${encodeURIComponent(envelope.id)}` },
        'Evidence',
        h('span', { class: 'visually-hidden' }, ` for ${envelope.title}, ${customerOf(envelope)}`),
      ),
    ),
  );
}

async function loadEnvelopes() {
  const list = items(await api('/api/v1/envelopes', { token: session.token }));
  // The list holds summaries; the details carry the recipients' names for the table.
  const details = await Promise.all(
    list.map((e) =>
      e.recipients?.[0]?.name ? e : api(`/api/v1/envelopes/${encodeURIComponent(e.id)}`, { token: session.token }),
    ),
  );
  if (!details.length) {
    tbody.replaceChildren(h('tr', {}, h('td', { colspan: 4, class: 'muted' }, 'No agreements yet.')));
    return;
  }
  tbody.replaceChildren(...details.map((e) => row(e)));
}

function showLink(signing) {
  linkInput.value = signing.url;
  openLink.href = signing.url;
  document.getElementById('link-expiry').textContent = `at ${formatDateTime(signing.expiresAt)}`;
  copyStatus.textContent = '';
  linkBox.hidden = false;
  document.getElementById('link-title').focus();
}

/** What the host's CRM knows about the customer on screen: the composer starts from it. */
function prefillComposer() {
  const c = session.customer;
  composer.mergeData = {
    customer_company: c.name,
    customer_contact: c.name,
    customer_name: c.name,
    customer_email: c.email,
    account_number: c.account,
    service_address: c.address,
    billing_email: c.email,
  };
  composer.recipients = [{ role: 'customer', name: c.name, email: c.email }];
}

composer.addEventListener('cs-envelope-sent', async (event) => {
  try {
    const envelope = await api(`/api/v1/envelopes/${encodeURIComponent(event.detail.envelopeId)}`, {
      token: session.token,
    });
    const recipient = envelope.recipients.find((r) => r.action === 'sign') ?? envelope.recipients[0];
    const signing = await api(
      `/api/v1/envelopes/${encodeURIComponent(envelope.id)}/recipients/${encodeURIComponent(recipient.id)}/signing-session`,
      { method: 'POST', token: session.token, body: {} },
    );
    tbody.querySelector('td[colspan]')?.closest('tr')?.remove();
    tbody.prepend(row(envelope, { fresh: true }));
    showLink(signing);
  } catch (error) {
    showLoadError(error);
  }
});

document.getElementById('copy-link').addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText(linkInput.value);
    copyStatus.textContent = 'Link copied.';
  } catch {
    linkInput.select();
    copyStatus.textContent = 'Select the link and copy it.';
  }
});

document.getElementById('refresh').addEventListener('click', () => loadEnvelopes().catch(showLoadError));

function showLoadError(error) {
  document.getElementById('load-error-text').textContent = ` ${error.message}`;
  document.getElementById('load-error').hidden = false;
}

async function start() {
  session = await startAgentSession();
  prefillComposer();
  await loadEnvelopes();
  document.body.dataset.ready = 'true';
}

start().catch(showLoadError);
