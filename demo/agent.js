/* global navigator, history, URLSearchParams, setTimeout, clearTimeout */
import { api, formatDateTime, h, startAgentSession } from './assets/demo.js';

/**
 * The agent console: the agent's envelopes with live <cs-status-badge>s (one event stream for
 * the page: every badge sits in the one <cs-provider>), searched, filtered and paged through
 * `GET /api/v1/envelopes?q=&status=&limit=&cursor=`; a fresh signing link for an envelope still
 * waiting for its signer; and <cs-envelope-composer>, which sends a new agreement from a
 * published template, after which the page hands back the customer's signing link.
 */

const PAGE_SIZE = 20;
const SEARCH_DELAY_MS = 300;
/** Recipient statuses that still have something to do. */
const WAITING = new Set(['pending', 'notified', 'opened', 'verified']);

const tbody = document.getElementById('envelopes');
const composer = document.getElementById('composer');
const filters = document.getElementById('filters');
const searchInput = document.getElementById('q');
const statusSelect = document.getElementById('status');
const summary = document.getElementById('list-summary');
const moreButton = document.getElementById('more');
const linkBox = document.getElementById('link-box');
const linkInput = document.getElementById('link');
const openLink = document.getElementById('open-link');
const copyStatus = document.getElementById('copy-status');

let session;
/** What the list shows now: the query, the rows loaded so far, the total and the next page. */
const list = { q: '', status: '', shown: 0, total: 0, nextCursor: undefined, generation: 0 };

function signerOf(envelope) {
  return envelope.recipients?.find((r) => r.action === 'sign') ?? envelope.recipients?.[0];
}

function customerOf(envelope) {
  const signer = signerOf(envelope);
  return signer ? `${signer.name} · ${signer.email}` : '';
}

/** A person's name and email, each isolated so a right-to-left name does not reorder its neighbours. */
function personOf(recipient) {
  return recipient ? [h('bdi', {}, recipient.name), ' · ', h('bdi', {}, recipient.email)] : [];
}

/** A date as text and as a machine-readable <time>; dir=auto keeps it whole inside right-to-left text. */
function timeOf(iso) {
  return iso ? h('time', { datetime: iso, dir: 'auto' }, formatDateTime(iso)) : formatDateTime(iso);
}

/** Who acts next (a signer, or an approver routed before them): the lowest routing order still waiting. */
function waitingSigner(envelope) {
  if (envelope.status !== 'sent') return undefined;
  return (envelope.recipients ?? [])
    .filter((r) => r.action !== 'view' && WAITING.has(r.status))
    .sort((a, b) => (a.order ?? 1) - (b.order ?? 1))[0];
}

function row(envelope, { fresh = false } = {}) {
  const badge = h('cs-status-badge', { 'envelope-id': envelope.id, 'show-progress': true });
  const about = ` for ${envelope.title}, ${customerOf(envelope)}`;
  const signer = waitingSigner(envelope);
  const actions = h(
    'td',
    { class: 'actions' },
    h(
      'a',
      { href: `evidence.html?envelope=${encodeURIComponent(envelope.id)}` },
      'Evidence',
      h('span', { class: 'visually-hidden' }, about),
    ),
  );
  if (signer) {
    const button = h(
      'button',
      { type: 'button', class: 'button button--ghost button--small', 'data-action': 'new-link' },
      'New signing link',
      h('span', { class: 'visually-hidden' }, about),
    );
    button.addEventListener('click', () => issueLink(envelope, signer, button));
    actions.prepend(button);
  }
  return h(
    'tr',
    { 'data-envelope-id': envelope.id, 'data-status': envelope.status, class: fresh ? 'is-new' : undefined },
    h('td', { class: 'title' }, envelope.title, h('span', { class: 'sub' }, ...personOf(signerOf(envelope)))),
    h('td', { 'data-label': 'Sent' }, timeOf(envelope.sentAt ?? envelope.createdAt)),
    h('td', { 'data-label': 'Status' }, badge),
    actions,
  );
}

function describeList() {
  const filtered = list.q || list.status;
  if (!list.total) {
    if (list.q) return `No agreements match “${list.q}”.`;
    return filtered ? 'No agreements match.' : 'No agreements yet.';
  }
  const noun = `${list.status ? `${list.status} ` : ''}${list.total === 1 ? 'agreement' : 'agreements'}`;
  const what = list.q ? `${noun} matching “${list.q}”` : noun;
  return list.shown < list.total ? `Showing 1–${list.shown} of ${list.total} ${what}.` : `${list.total} ${what}.`;
}

function showSummary() {
  summary.textContent = describeList();
  moreButton.hidden = !list.nextCursor;
  if (!list.total) {
    tbody.replaceChildren(h('tr', {}, h('td', { colspan: 4, class: 'muted' }, describeList())));
  }
}

async function fetchPage(cursor) {
  const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (list.q) params.set('q', list.q);
  if (list.status) params.set('status', list.status);
  if (cursor) params.set('cursor', cursor);
  return api(`/api/v1/envelopes?${params}`, { token: session.token });
}

/** Loads the first page for the current query; a newer query wins over a slower older one. */
async function loadEnvelopes() {
  const generation = ++list.generation;
  tbody.setAttribute('aria-busy', 'true');
  let page;
  try {
    page = await fetchPage();
  } finally {
    if (generation === list.generation) tbody.removeAttribute('aria-busy');
  }
  if (generation !== list.generation) return;
  hideError();
  list.total = page.total;
  list.shown = page.items.length;
  list.nextCursor = page.nextCursor;
  tbody.replaceChildren(...page.items.map((e) => row(e)));
  showSummary();
}

async function loadMore() {
  if (!list.nextCursor) return;
  const generation = list.generation;
  moreButton.disabled = true;
  try {
    const page = await fetchPage(list.nextCursor);
    if (generation !== list.generation) return;
    const rows = page.items.map((e) => row(e));
    tbody.append(...rows);
    list.shown += rows.length;
    list.total = page.total;
    list.nextCursor = page.nextCursor;
    showSummary();
    // Keyboard users continue where the new rows start.
    rows[0]?.querySelector('a, button')?.focus();
  } finally {
    moreButton.disabled = false;
  }
}

/** The query lives in the address, so a reload or a shared link shows the same list. */
function readQuery() {
  const params = new URLSearchParams(location.search);
  list.q = (params.get('q') ?? '').trim();
  list.status = params.get('status') ?? '';
  searchInput.value = list.q;
  statusSelect.value = [...statusSelect.options].some((o) => o.value === list.status) ? list.status : '';
  list.status = statusSelect.value;
}

function applyQuery() {
  list.q = searchInput.value.trim();
  list.status = statusSelect.value;
  const params = new URLSearchParams();
  if (list.q) params.set('q', list.q);
  if (list.status) params.set('status', list.status);
  const query = params.toString();
  history.replaceState(null, '', `${location.pathname}${query ? `?${query}` : ''}${location.hash}`);
  loadEnvelopes().catch((error) => showError('Could not load the agreements', error));
}

let searchTimer;
searchInput.addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(applyQuery, SEARCH_DELAY_MS);
});
statusSelect.addEventListener('change', applyQuery);
filters.addEventListener('submit', (event) => {
  event.preventDefault();
  clearTimeout(searchTimer);
  applyQuery();
});
moreButton.addEventListener('click', () => loadMore().catch((error) => showError('Could not load more', error)));

function showLink(signing, envelope, recipient = signerOf(envelope)) {
  linkInput.value = signing.url;
  openLink.href = signing.url;
  document.getElementById('link-title').textContent = `Signing link: ${envelope.title}`;
  document.getElementById('link-for').textContent = recipient ? `For ${recipient.name} · ${recipient.email}.` : '';
  document.getElementById('link-expiry').textContent = `at ${formatDateTime(signing.expiresAt)}`;
  copyStatus.textContent = '';
  linkBox.hidden = false;
  document.getElementById('link-title').focus();
}

/** Mints a fresh signing session for the waiting signer, as the agent: for a lost or expired link. */
async function issueLink(envelope, signer, button) {
  const tr = button.closest('tr');
  button.disabled = true;
  if (tr.nextElementSibling?.matches('.row-alert')) tr.nextElementSibling.remove();
  try {
    const signing = await api(
      `/api/v1/envelopes/${encodeURIComponent(envelope.id)}/recipients/${encodeURIComponent(signer.id)}/signing-session`,
      { method: 'POST', token: session.token, body: {} },
    );
    hideError();
    showLink(signing, envelope, signer);
  } catch (error) {
    // Said under the row the agent is looking at, which may be far below the page's banner.
    tr.after(
      h(
        'tr',
        { class: 'row-alert' },
        h(
          'td',
          { colspan: 4 },
          h(
            'div',
            { role: 'alert', class: 'banner banner--error' },
            h('p', {}, h('strong', {}, `Could not issue a new link for ${envelope.title}`), error.message),
          ),
        ),
      ),
    );
  } finally {
    button.disabled = false;
  }
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
    const recipient = waitingSigner(envelope) ?? envelope.recipients[0];
    const signing = await api(
      `/api/v1/envelopes/${encodeURIComponent(envelope.id)}/recipients/${encodeURIComponent(recipient.id)}/signing-session`,
      { method: 'POST', token: session.token, body: {} },
    );
    if (list.q || list.status) {
      // Whether the new agreement matches the query is the server's to say.
      await loadEnvelopes();
    } else {
      tbody.querySelector('tr:not([data-envelope-id], .row-alert)')?.remove();
      tbody.prepend(row(envelope, { fresh: true }));
      list.total += 1;
      list.shown += 1;
      summary.textContent = describeList();
    }
    showLink(signing, envelope, recipient);
  } catch (error) {
    showError('Could not issue the signing link', error);
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

document
  .getElementById('refresh')
  .addEventListener('click', () => loadEnvelopes().catch((error) => showError('Could not load the agreements', error)));

function showError(title, error) {
  document.getElementById('load-error-title').textContent = title;
  document.getElementById('load-error-text').textContent = ` ${error.message}`;
  document.getElementById('load-error').hidden = false;
}

function hideError() {
  document.getElementById('load-error').hidden = true;
}

async function start() {
  readQuery();
  session = await startAgentSession();
  prefillComposer();
  await loadEnvelopes();
  document.body.dataset.ready = 'true';
}

start().catch((error) => showError('Could not load the agreements', error));
