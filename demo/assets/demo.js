/**
 * Small helpers shared by the demo pages. Plain ES module, no framework, no build step.
 */

/** The Countersign server: the same origin as this demo (the API is mounted beside it). */
export const server = location.origin;

/** GET/POST JSON with an optional bearer token; throws an Error carrying the problem details. */
export async function api(path, { method = 'GET', token, body } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : undefined;
  if (!response.ok) {
    const error = new Error(data?.detail || data?.title || `${response.status} ${response.statusText}`);
    error.status = response.status;
    error.problem = data;
    throw error;
  }
  return data;
}

/**
 * The agent console and the evidence page get a short-lived embed token for the demo agent,
 * minted by the demo back end with its own API key (POST /api/v1/embed-tokens), as a real host
 * would. Shows the agent's name and hands server and token to the page's `<cs-provider id="provider">`,
 * which every element on the page reads them from.
 */
export async function startAgentSession() {
  const session = await api('/demo/api/agent-session');
  document.getElementById('agent-name').textContent = session.agent.name;
  const provider = document.getElementById('provider');
  provider.setAttribute('server', server);
  provider.setAttribute('token', session.token);
  return session;
}

const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long' });

export function formatDateTime(iso) {
  return iso ? dateTime.format(new Date(iso)) : '—';
}

export function formatDate(iso) {
  return iso ? dateOnly.format(new Date(iso)) : '—';
}

/** Creates an element with attributes and children (strings become text nodes). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('.')) el[name.slice(1)] = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return el;
}
