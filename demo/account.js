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

/** A link to the customer's signed copy, served by the company's back end. */
function signedCopyLink(envelope) {
  const link = document.createElement('a');
  link.className = 'button';
  link.id = 'signed-copy';
  link.href = `/demo/api/customer/envelopes/${encodeURIComponent(envelope.envelopeId ?? envelope.id)}/document`;
  link.download = ''; // the server names the file
  link.textContent = 'Download your signed copy';
  return link;
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

/** The envelope being signed, as the back end describes it: `{ title, plan }` (plan may be null). */
let current = null;
/** True once the pad has loaded its signing view: later errors are the pad's to show inline. */
let padReady = false;

/** The page's words for the envelope on the pad, taken from the envelope itself. */
function describe(envelope) {
  const title = envelope?.title ?? 'Your agreement';
  const plan = envelope?.plan ?? null;
  return {
    id: envelope?.envelopeId ?? envelope?.id ?? null,
    title,
    plan,
    waiting: plan
      ? `Your upgrade to ${plan} needs your signature`
      : envelope
        ? `${title}: your signature is needed`
        : 'An agreement needs your signature',
    text: plan
      ? 'Please review and sign your new service agreement below. It only takes a minute, and your new speed ' +
        'starts the day after you sign.'
      : 'Please review and sign it below. It only takes a minute.',
    intro:
      `${envelope ? `This is your ${title}.` : 'Your agreement is below.'} Read it, fill in the highlighted fields ` +
      'and add your signature. You sign right here on northwindfibre.example — your details never leave your ' +
      'account page.',
  };
}

/** An agreement waits for the customer: every word about it comes from the envelope. */
function markPending(envelope) {
  for (const [el, text] of texts) el.textContent = text;
  current = describe(envelope);
  setBanner('todo', current.waiting, current.text);
  document.getElementById('agreement-title').textContent = current.title;
  document.getElementById('signing-intro').textContent = current.intro;
  pad.setAttribute('aria-label', `Sign: ${current.title}`);
  // The plan panel speaks of the plan's own agreement only.
  if (current.plan) {
    document.getElementById('plan-note').textContent = `Upgrade to ${current.plan} ordered, pending your agreement.`;
    planAgreement.textContent = 'Awaiting signature';
  }
  setPills('todo', 'Awaiting signature');
}

/** Signed: says only what happened (no copy is promised by mail: the demo server sends none). */
function markSigned(when, envelope = current) {
  const { title, plan } = describe(envelope);
  setPills('ok', 'Agreement signed');
  setBanner(
    'done',
    'Thank you, your agreement is signed',
    plan
      ? `Signed ${formatDate(when)}. Your upgrade to ${plan} goes live tomorrow.`
      : `${title}: signed ${formatDate(when)}.`,
  );
  if (plan) {
    planAgreement.textContent = `Signed ${formatDate(when)}`;
    document.getElementById('plan-note').textContent = `Upgrade confirmed: ${plan} starts tomorrow.`;
  }
  document.getElementById('agreement-title').textContent = title;
  document.getElementById('signing-intro').textContent =
    'Your signed agreement is shown below. Questions about it? Call us on 0800 000 0000.';
}

async function start() {
  setState('loading');
  padReady = false;
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
      if (session.lastSigned) {
        markSigned(session.lastSigned.completedAt, session.lastSigned);
        showPlaceholder('You have no agreements waiting for your signature.', signedCopyLink(session.lastSigned));
        placeholder.append(' ', newAgreementButton());
      } else {
        setPills('ok', 'No agreements to sign');
        showPlaceholder('You have no agreements waiting for your signature.', newAgreementButton());
      }
      return;
    }
    token = session.token;
    markPending(session);
  } else {
    // A signer link: the envelope's words arrive with cs-ready.
    markPending(null);
  }
  pad.setAttribute('server', server);
  pad.setAttribute('token', token);
  setState('ready');
}

pad.addEventListener('cs-ready', async (event) => {
  padReady = true;
  setState('ready');
  const id = event.detail?.envelopeId;
  if (!id || current?.id === id) return;
  try {
    const envelope = await api(`/demo/api/customer/envelopes/${encodeURIComponent(id)}`);
    markPending(envelope);
  } catch {
    // Not one of this customer's envelopes in the back end's eyes: keep the neutral words.
  }
});

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

/**
 * When the pad cannot load the agreement, its own account of why is the page's: the banner and
 * pills repeat its message. Once it has loaded, what it reports (a missing item at Finish, a
 * save that failed) it shows beside the field itself, and the page's banner stays as it is.
 */
pad.addEventListener('cs-error', (event) => {
  const { code, message } = event.detail ?? {};
  if (!message) return;
  const link = code === 'token-expired' || code === 'token-invalid' || code === 'unauthorized';
  if (padReady && !link) return;
  setPills('bad', link ? 'Signing link not valid' : 'Agreement unavailable');
  setBanner('error', link ? 'This signing link cannot be used' : 'We could not load your agreement', message);
});

start();
