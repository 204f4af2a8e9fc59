/* global history, URLSearchParams */
import { api, formatDate, server } from './assets/demo.js';

/**
 * The customer's account page. The signing token comes from one of two places:
 *  - the signer link an agent sent (`account.html#token=…`): the fragment never reaches a server log;
 *  - Northwind's own back end (`GET /demo/api/customer/signing-session`), which holds the company's
 *    API key and asks Countersign for a short-lived session for the logged-in customer.
 */

const pad = document.getElementById('pad');
const frame = document.getElementById('signing-frame');
const placeholder = document.getElementById('signing-placeholder');
const banner = document.getElementById('banner');
const bannerTitle = document.getElementById('banner-title');
const bannerText = document.getElementById('banner-text');
const pills = [document.getElementById('agreement-pill'), document.getElementById('agreement-status')];
const planAgreement = document.getElementById('plan-agreement');
const texts = ['banner-title', 'banner-text', 'plan-agreement', 'plan-note', 'agreement-title', 'signing-intro'].map(
  (id) => [document.getElementById(id), document.getElementById(id).textContent],
);

function setState(state) {
  frame.dataset.state = state;
  placeholder.hidden = state === 'ready';
  frame.setAttribute('aria-busy', String(state === 'loading'));
  document.body.dataset.signing = state;
}

function setPills(kind, text) {
  for (const pill of pills) {
    pill.className = `pill pill--${kind}`;
    pill.textContent = text;
  }
}

function setBanner(kind, title, text) {
  banner.className = `banner banner--${kind}`;
  bannerTitle.textContent = title;
  bannerText.textContent = text;
}

function showPlaceholder(text, action) {
  placeholder.replaceChildren(document.createTextNode(text));
  if (action) {
    placeholder.append(document.createElement('br'), action);
  }
}

/** Reads and removes `#token=…` so the token does not linger in the address bar or history. */
function tokenFromFragment() {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get('token');
  if (token) history.replaceState(null, '', `${location.pathname}${location.search}#agreement`);
  return token;
}

function newAgreementButton() {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'button button--ghost';
  button.textContent = 'Start the demo again with a new agreement';
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await api('/demo/api/customer/new-agreement', { method: 'POST' });
      await start();
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

/** Back to the page as served: an agreement waits for the customer. */
function markPending() {
  for (const [el, text] of texts) el.textContent = text;
  banner.className = 'banner banner--todo';
  setPills('todo', 'Awaiting signature');
}

function markSigned(when) {
  setPills('ok', 'Agreement signed');
  setBanner(
    'done',
    'Thank you, your agreement is signed',
    `Signed ${formatDate(when)}. Your upgrade to Fibre 900 goes live tomorrow; we have emailed you a copy of the signed agreement.`,
  );
  planAgreement.textContent = `Signed ${formatDate(when)}`;
  document.getElementById('plan-note').textContent = 'Upgrade confirmed: Fibre 900 starts tomorrow.';
  document.getElementById('agreement-title').textContent = 'Your service agreement';
  document.getElementById('signing-intro').textContent =
    'Your signed agreement is on its way to your inbox. Questions about it? Call us on 0800 000 0000.';
}

async function start() {
  setState('loading');
  showPlaceholder('Loading your agreement…');
  let token = tokenFromFragment();
  if (!token) {
    let session;
    try {
      session = await api('/demo/api/customer/signing-session');
    } catch (error) {
      setState('none');
      setBanner('error', 'We could not load your agreement', error.message);
      showPlaceholder('Please try again in a moment.');
      return;
    }
    if (!session.token) {
      // Nothing waiting: the customer has already signed (or declined) their agreement.
      setState('none');
      if (session.lastSigned) markSigned(session.lastSigned.completedAt);
      else setPills('ok', 'No agreements to sign');
      showPlaceholder('You have no agreements waiting for your signature.', newAgreementButton());
      return;
    }
    token = session.token;
  }
  markPending();
  pad.setAttribute('server', server);
  pad.setAttribute('token', token);
  setState('ready');
}

pad.addEventListener('cs-ready', () => setState('ready'));

pad.addEventListener('cs-complete', (event) => {
  markSigned(event.detail?.completedAt ?? new Date().toISOString());
  document.getElementById('agreement').scrollIntoView({ block: 'start' });
});

pad.addEventListener('cs-decline', () => {
  setPills('bad', 'Agreement declined');
  setBanner(
    'error',
    'You declined the agreement',
    'Your plan stays as it is. An adviser will call you to talk it through; you can also call us on 0800 000 0000.',
  );
  planAgreement.textContent = 'Declined';
});

pad.addEventListener('cs-error', (event) => {
  const code = event.detail?.code;
  if (code === 'token-expired' || code === 'token-invalid' || code === 'unauthorized') {
    setBanner('error', 'This signing link has expired', 'Reload the page to continue: we will open a fresh session.');
  }
});

start();
