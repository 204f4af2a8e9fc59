import path from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import type { RequestTarget } from '../seed.ts';
import { BROADBAND_VARIABLES } from './library.ts';
import {
  DEMO_AGENT,
  DEMO_CUSTOMER,
  DEMO_LEGAL,
  sendAgreement,
  SIGNER_ROLE,
  staffToken,
  type DemoState,
} from './seed-demo.ts';

/**
 * The Northwind Fibre demo site: the company's tiny back end (`/demo/api/*`), its static pages
 * (`/demo/*`), the built elements (`/elements/*`), and Countersign's API on the same origin.
 */
export interface DemoSiteOptions {
  /** The Countersign app (its `fetch` serves everything the demo does not). */
  app: RequestTarget & { fetch: (request: Request, env?: unknown) => Response | Promise<Response> };
  state: DemoState;
  /** Folder of the demo pages (demo/). */
  demoDir: string;
  /** Folder of the built elements (packages/elements/dist). */
  elementsDir: string;
  /** The clock the session cache reads (ms since the epoch); tests pass their own. */
  now?: () => number;
}

interface EnvelopeSummary {
  id: string;
  title: string;
  status: string;
  completedAt?: string;
  updatedAt: string;
  recipients: Array<{ id: string; status: string; email?: string; role?: string }>;
}

interface EnvelopeDetail extends EnvelopeSummary {
  recipients: Array<{ id: string; status: string; email: string; role: string }>;
  templateId: string;
}

interface SigningSession {
  token: string;
  url: string;
  expiresAt: string;
}

/** A live session is handed out again until this close to its expiry (then a fresh one is minted). */
export const SESSION_REUSE_MARGIN_MS = 60_000;

export function createDemoSite(opts: DemoSiteOptions): Hono {
  const { app, state } = opts;
  const now = opts.now ?? (() => Date.now());
  const site = new Hono();
  /**
   * The customer's live signing session per envelope. Each minted session is a "Signing link
   * issued" event on the envelope's audit trail, so a reload reuses the live one instead.
   */
  const sessions = new Map<string, SigningSession>();

  /** The company back end calling Countersign with its own API key, as a real host server would. */
  async function backend<T>(method: string, url: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${state.backendKey}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await app.request(url, { method, headers, body: body === undefined ? null : JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${url} → ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  }

  /** The demo customer's envelopes, newest first, with recipient details. */
  async function customerEnvelopes(): Promise<EnvelopeDetail[]> {
    const { items } = await backend<{ items: EnvelopeSummary[] }>('GET', '/api/v1/envelopes');
    const out: EnvelopeDetail[] = [];
    for (const summary of items) {
      if (!['sent', 'completed'].includes(summary.status)) continue;
      const e = await backend<EnvelopeDetail>('GET', `/api/v1/envelopes/${encodeURIComponent(summary.id)}`);
      if (e.recipients.some((r) => r.email === DEMO_CUSTOMER.email)) out.push(e);
    }
    return out;
  }

  site.use('/demo/api/*', async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  });

  // The logged-in customer's pending agreement → a short-lived signing session for the page.
  site.get('/demo/api/customer/signing-session', async (c) => {
    const envelopes = await customerEnvelopes();
    for (const e of envelopes) {
      const me = e.recipients.find((r) => r.email === DEMO_CUSTOMER.email && r.role === SIGNER_ROLE);
      if (e.status !== 'sent' || !me || ['signed', 'approved', 'declined'].includes(me.status)) continue;
      const key = `${e.id}/${me.id}`;
      let session = sessions.get(key);
      if (!session || Date.parse(session.expiresAt) - now() < SESSION_REUSE_MARGIN_MS) {
        session = await backend<SigningSession>(
          'POST',
          `/api/v1/envelopes/${encodeURIComponent(e.id)}/recipients/${encodeURIComponent(me.id)}/signing-session`,
        );
        sessions.set(key, session);
      }
      return c.json({ envelopeId: e.id, title: e.title, plan: planOf(e, state.templates.broadband), ...session });
    }
    const last = envelopes.find((e) => e.status === 'completed');
    return c.json({
      token: null,
      lastSigned: last
        ? {
            envelopeId: last.id,
            title: last.title,
            plan: planOf(last, state.templates.broadband),
            completedAt: last.completedAt ?? last.updatedAt,
          }
        : null,
    });
  });

  // What the account page says about one of the customer's envelopes (a signer link's, say).
  site.get('/demo/api/customer/envelopes/:id', async (c) => {
    const e = (await customerEnvelopes()).find((x) => x.id === c.req.param('id'));
    if (!e) {
      return c.json(
        { type: 'about:blank', title: 'Not found', status: 404, detail: 'No such agreement on this account.' },
        404,
        { 'content-type': 'application/problem+json' },
      );
    }
    return c.json({ id: e.id, title: e.title, plan: planOf(e, state.templates.broadband), status: e.status });
  });

  /*
   * The customer's signed copy, through the company's back end (which holds the API key): the
   * account page offers it after signing and on every later visit, long after the signing
   * session has expired.
   */
  site.get('/demo/api/customer/envelopes/:id/document', async (c) => {
    const e = (await customerEnvelopes()).find((x) => x.id === c.req.param('id'));
    if (!e || e.status !== 'completed') {
      return c.json(
        { type: 'about:blank', title: 'Not found', status: 404, detail: 'No signed agreement with this id.' },
        404,
        { 'content-type': 'application/problem+json' },
      );
    }
    const res = await app.request(`/api/v1/envelopes/${encodeURIComponent(e.id)}/document`, {
      headers: { authorization: `Bearer ${state.backendKey}` },
    });
    const headers = new Headers({ 'cache-control': 'no-store' });
    for (const name of ['content-type', 'content-length', 'content-disposition', 'retry-after']) {
      const value = res.headers.get(name);
      if (value) headers.set(name, value);
    }
    return new Response(res.body, { status: res.status, headers });
  });

  // Demo convenience: a fresh agreement for the customer, so the demo can be run again.
  site.post('/demo/api/customer/new-agreement', async (c) => {
    const e = await sendAgreement(app, state);
    return c.json({ envelopeId: e.id }, 201);
  });

  /*
   * The staff pages get a short-lived embed token for the logged-in staff member, minted by this
   * back end with its own admin key (POST /api/v1/embed-tokens), as a real host would. (The demo
   * has no login: the agent and the legal counsel are fixed.)
   */
  site.get('/demo/api/agent-session', async (c) => {
    const { token, expiresAt } = await staffToken(app, state, 'agent', DEMO_AGENT);
    return c.json({
      token,
      expiresAt,
      agent: { name: DEMO_AGENT.name, team: DEMO_AGENT.team, role: 'agent' },
      templates: [
        { id: state.templateId, name: state.templateName, version: state.templateVersion, signerRole: SIGNER_ROLE },
      ],
      customer: DEMO_CUSTOMER,
      envelopes: state.envelopes,
    });
  });

  site.get('/demo/api/legal-session', async (c) => {
    const { token, expiresAt } = await staffToken(app, state, 'legal', DEMO_LEGAL);
    return c.json({
      token,
      expiresAt,
      user: { name: DEMO_LEGAL.name, team: DEMO_LEGAL.team, role: 'legal' },
      templates: state.templates,
    });
  });

  site.get('/', (c) => c.redirect('/demo/', 302));
  site.get('/demo', (c) => c.redirect('/demo/', 301));
  site.use(
    '/demo/*',
    serveStatic({
      root: opts.demoDir,
      rewriteRequestPath: (p) => p.replace(/^\/demo/, ''),
      onFound: (_path, c) => {
        c.header('Cache-Control', 'no-cache');
      },
    }),
  );
  site.use(
    '/elements/*',
    serveStatic({
      root: opts.elementsDir,
      rewriteRequestPath: (p) => p.replace(/^\/elements/, ''),
      onFound: (_path, c) => {
        c.header('Cache-Control', 'no-cache');
      },
    }),
  );
  site.get('/elements/*', (c) =>
    c.text('The elements are not built: run `npm run build` (npm start does it for you).', 404),
  );

  // Everything else is Countersign itself, with the node-server bindings passed on (client IP).
  site.all('*', (c) => app.fetch(c.req.raw, c.env));

  site.onError((err, c) => {
    console.error('[demo]', err);
    return c.json({ type: 'about:blank', title: 'Demo back end error', status: 500, detail: err.message }, 500);
  });
  return site;
}

const planVariable = BROADBAND_VARIABLES.find((v) => v.key === 'plan');
const PLANS: string[] = planVariable?.type === 'enum' ? planVariable.options.map((o) => o.value) : [];

/**
 * The broadband plan a service agreement is for, or null for any other envelope (an equipment
 * return, an amendment), whose page text then comes from its own title. The envelope view has
 * no merge data, so the plan is read from the title the composer and the seed give it.
 */
function planOf(e: EnvelopeDetail, broadbandTemplateId: string): string | null {
  if (e.templateId !== broadbandTemplateId) return null;
  return PLANS.find((plan) => e.title.includes(plan)) ?? null;
}

export function demoPaths(repoRoot: string): { demoDir: string; elementsDir: string } {
  return {
    demoDir: path.join(repoRoot, 'demo'),
    elementsDir: path.join(repoRoot, 'packages/elements/dist'),
  };
}
