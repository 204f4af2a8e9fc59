/* global URLSearchParams, Blob */
import { api, formatDateTime, h, startAgentSession } from './assets/demo.js';

/**
 * The evidence page: <cs-audit-viewer> re-verifies the envelope's hash chain in the browser, and
 * the sealed PDF is fetched with the bearer header (a plain link could not carry it) into an
 * object URL for download and an inline preview.
 */

const envelopeId = new URLSearchParams(location.search).get('envelope');
const pdfStatus = document.getElementById('pdf-status');
let session;
let envelope;
let pdfUrl;

function showError(error) {
  document.getElementById('error-text').textContent = ` ${error.message}`;
  document.getElementById('error').hidden = false;
}

async function sealedPdf() {
  if (pdfUrl) return pdfUrl;
  pdfStatus.textContent = 'Fetching the sealed PDF…';
  const response = await fetch(`/api/v1/envelopes/${encodeURIComponent(envelope.id)}/document`, {
    headers: { authorization: `Bearer ${session.token}` },
  });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new Error(problem.detail ?? `The server answered ${response.status}`);
  }
  const blob = new Blob([await response.arrayBuffer()], { type: 'application/pdf' });
  pdfUrl = URL.createObjectURL(blob);
  pdfStatus.textContent = `Sealed PDF ready (${Math.round(blob.size / 1024)} KB).`;
  return pdfUrl;
}

function fileName() {
  return `${envelope.title.replace(/[^\p{L}\p{N} ._-]+/gu, '').trim() || 'agreement'} (signed).pdf`;
}

document.getElementById('download').addEventListener('click', async () => {
  try {
    const url = await sealedPdf();
    const link = h('a', { href: url, download: fileName(), hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
  } catch (error) {
    pdfStatus.textContent = `Could not download: ${error.message}`;
  }
});

document.getElementById('preview').addEventListener('click', async () => {
  try {
    const preview = document.getElementById('pdf-preview');
    preview.data = await sealedPdf();
    preview.hidden = false;
  } catch (error) {
    pdfStatus.textContent = `Could not preview: ${error.message}`;
  }
});

async function showPicker() {
  // The list items carry the recipients' names: one request for the whole list.
  const { items } = await api('/api/v1/envelopes?limit=100', { token: session.token });
  const list = document.getElementById('picker-list');
  list.replaceChildren(
    ...items.map((e) =>
      h(
        'li',
        {},
        h(
          'a',
          { href: `?envelope=${encodeURIComponent(e.id)}` },
          e.title,
          h('span', { class: 'sub' }, `${e.recipients.map((r) => r.name).join(', ')} · ${formatDateTime(e.createdAt)}`),
        ),
        h('cs-status-badge', { 'envelope-id': e.id }),
      ),
    ),
  );
  document.getElementById('picker').hidden = false;
}

async function showEvidence() {
  envelope = await api(`/api/v1/envelopes/${encodeURIComponent(envelopeId)}`, { token: session.token });
  const customer = envelope.recipients.map((r) => r.name).join(', ');
  document.title = `Evidence: ${envelope.title} — Northwind Fibre`;
  document.getElementById('evidence-title').textContent = `Evidence: ${envelope.title}`;
  document.getElementById('evidence-sub').textContent = `${customer} · envelope ${envelope.id}`;
  document.getElementById('fact-customer').textContent = customer;
  document.getElementById('fact-sent').textContent = formatDateTime(envelope.sentAt);
  document.getElementById('fact-completed').textContent = formatDateTime(envelope.completedAt);
  document.getElementById('fact-pages').textContent = String(envelope.pages);
  document.getElementById('fact-original').textContent = envelope.documentSha256;
  document.getElementById('fact-sealed').textContent = envelope.sealedSha256 ?? 'not sealed yet';
  document.getElementById('badge').setAttribute('envelope-id', envelope.id);
  document.getElementById('audit').setAttribute('envelope-id', envelope.id);
  const sealed = Boolean(envelope.sealed);
  for (const id of ['download', 'preview']) document.getElementById(id).disabled = !sealed;
  if (!sealed) {
    document.getElementById('pdf-note').textContent =
      envelope.status === 'completed'
        ? 'The sealed PDF is being prepared; reload in a moment.'
        : `No sealed PDF: the agreement is ${envelope.status}. The audit trail still records every step.`;
  }
  document.getElementById('evidence').hidden = false;
}

async function start() {
  session = await startAgentSession();
  if (envelopeId) await showEvidence();
  else await showPicker();
  document.body.dataset.ready = 'true';
}

start().catch(showError);
