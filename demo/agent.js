/* global navigator, FormData */
import { api, formatDateTime, h, startAgentSession } from './assets/demo.js';

/**
 * The agent console: the agent's envelopes with live <cs-status-badge>s, and a form that sends a
 * new agreement from a published template and hands back the customer's signing link.
 */

const tbody = document.getElementById('envelopes');
const form = document.getElementById('send-form');
const templateSelect = document.getElementById('template');
const sendButton = document.getElementById('send-button');
const sendError = document.getElementById('send-error');
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

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  sendError.hidden = true;
  if (!form.checkValidity()) {
    form.reportValidity();
    return;
  }
  const data = new FormData(form);
  const [planName, monthly] = String(data.get('plan')).split('|');
  const template = session.templates.find((t) => t.id === data.get('template'));
  sendButton.disabled = true;
  sendButton.textContent = 'Sending…';
  try {
    const envelope = await api('/api/v1/envelopes', {
      method: 'POST',
      token: session.token,
      body: {
        templateId: template.id,
        title: `${template.name} — ${planName}`,
        mergeData: {
          customer_name: data.get('name'),
          customer_email: data.get('email'),
          service_address: data.get('address'),
          account_number: data.get('account'),
          plan: planName,
          monthly_price: monthly,
        },
        recipients: [{ role: template.signerRole, name: data.get('name'), email: data.get('email') }],
        send: true,
      },
    });
    const recipient = envelope.recipients.find((r) => r.role === template.signerRole);
    const signing = await api(
      `/api/v1/envelopes/${encodeURIComponent(envelope.id)}/recipients/${encodeURIComponent(recipient.id)}/signing-session`,
      { method: 'POST', token: session.token, body: {} },
    );
    tbody.querySelector('td[colspan]')?.closest('tr')?.remove();
    tbody.prepend(row(envelope, { fresh: true }));
    showLink(signing);
  } catch (error) {
    sendError.textContent = `Could not send the agreement: ${error.message}`;
    sendError.hidden = false;
  } finally {
    sendButton.disabled = false;
    sendButton.textContent = 'Send agreement';
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
  templateSelect.replaceChildren(
    ...session.templates.map((t) => h('option', { value: t.id }, `${t.name} (version ${t.version})`)),
  );
  await loadEnvelopes();
  document.body.dataset.ready = 'true';
}

start().catch(showLoadError);
