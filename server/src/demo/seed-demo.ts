import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Clause, PdfFormField, TemplateVersion, UploadedDocument } from '@countersign/core';
import type { RequestTarget } from '../seed.ts';
import {
  BROADBAND_VARIABLES,
  LIBRARY_CLAUSES,
  RETURN_FIELD_OVERRIDES,
  RETURN_VARIABLES,
  SAAS_ROLES,
  SAAS_VARIABLES,
} from './library.ts';
import { returnAuthorizationPdf } from './return-form.ts';
import { serviceAgreementPdf } from './service-agreement.ts';
import { drawnSignaturePng, pngDataUrl } from './signature-png.ts';

/**
 * Demo data for Northwind Fibre, created once through the public HTTP API (the same paths a
 * real host takes): API keys; the clause library; three published templates (the broadband
 * service agreement on an uploaded PDF, the Cloud Backup subscription amendment composed from
 * library clauses with a conditional premium-SLA clause, and the equipment return
 * authorization built on a fillable PDF's own form fields); and a few envelopes — one waiting
 * for the demo customer, one completed and sealed, one declined.
 */

export const DEMO_CUSTOMER = {
  name: 'Zoë Łukasz-Müller',
  email: 'zoe.lukasz-muller@example.com',
  account: 'NWF-204871',
  address: 'Flat 3, 27 Kestrel Road, Bristol BS6 5QT',
} as const;

/** The demo's staff, as the host's own user directory knows them (embed tokens carry them). */
export const DEMO_AGENT = {
  id: 'u-priya-natarajan',
  name: 'Priya Natarajan',
  email: 'priya.natarajan@northwind.example',
  team: 'Retention team, Bristol',
} as const;

export const DEMO_LEGAL = {
  id: 'u-ingrid-halvorsen',
  name: 'Ingrid Halvorsen',
  email: 'ingrid.halvorsen@northwind.example',
  team: 'Legal, Bristol',
} as const;

export const SIGNER_ROLE = 'customer';

/**
 * What the demo back end remembers between starts, in `<dataDir>/demo-state.json`.
 * DEMO ONLY: it keeps two API keys in clear text so the demo survives a restart without the
 * admin key. A real host keeps its API key in its own secret store.
 */
export interface DemoState {
  version: 2;
  /** The company back end's key (role manager: sees every envelope). Never sent to a browser. */
  backendKey: string;
  /**
   * The staff portal's key (role admin): it only mints short-lived embed tokens for the demo's
   * logged-in agent and legal counsel. Never sent to a browser.
   */
  staffKey: string;
  /** The broadband service agreement, which the customer page's "new agreement" sends. */
  templateId: string;
  templateName: string;
  templateVersion: number;
  templates: { broadband: string; saasAmendment: string; returnAuthorization: string };
  envelopes: { pending: string; completed?: string; declined?: string };
}

type StaffUser = typeof DEMO_AGENT | typeof DEMO_LEGAL;

/** A short-lived embed token for one of the demo's staff, minted with the staff portal's key. */
export async function staffToken(
  target: RequestTarget,
  state: Pick<DemoState, 'staffKey'>,
  role: 'agent' | 'legal',
  user: StaffUser,
  expiresIn = 3600,
): Promise<{ token: string; expiresAt: string }> {
  const { id, name, email } = user;
  return new Api(target, state.staffKey).call('POST', '/api/v1/embed-tokens', {
    role,
    user: { id, name, email },
    expiresIn,
  });
}

interface Envelope {
  id: string;
  status: string;
  sealed: boolean;
  completedAt?: string;
  recipients: Array<{ id: string; role: string; name: string; email: string; status: string }>;
}

class Api {
  constructor(
    private readonly target: RequestTarget,
    private readonly key: string,
  ) {}

  async call<T>(method: string, url: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.key}`,
      'user-agent': 'Northwind demo seed',
    };
    const init: RequestInit = { method, headers };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    const res = await this.target.request(url, init);
    const text = await res.text();
    if (!res.ok) throw new Error(`demo seed: ${method} ${url} → ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

function mergeDataFor(c: { name: string; email: string; address: string; account: string }, plan = 'Fibre 900') {
  return {
    customer_name: c.name,
    customer_email: c.email,
    service_address: c.address,
    account_number: c.account,
    plan,
    monthly_price: plan === 'Fibre 900' ? '38.00' : '32.00',
  };
}

/** Sends a new agreement to a customer with the agent's key. */
export async function sendAgreement(
  target: RequestTarget,
  state: DemoState,
  customer: { name: string; email: string; address: string; account: string } = DEMO_CUSTOMER,
  plan = 'Fibre 900',
): Promise<Envelope> {
  const agent = new Api(target, (await staffToken(target, state, 'agent', DEMO_AGENT, 300)).token);
  return agent.call<Envelope>('POST', '/api/v1/envelopes', {
    templateId: state.templateId,
    title: `${state.templateName} — ${plan}`,
    mergeData: mergeDataFor(customer, plan),
    recipients: [{ role: SIGNER_ROLE, name: customer.name, email: customer.email }],
    send: true,
  });
}

async function signerApi(target: RequestTarget, state: DemoState, e: Envelope): Promise<Api> {
  const agent = new Api(target, (await staffToken(target, state, 'agent', DEMO_AGENT, 300)).token);
  const session = await agent.call<{ token: string }>(
    'POST',
    `/api/v1/envelopes/${e.id}/recipients/${e.recipients[0]!.id}/signing-session`,
  );
  return new Api(target, session.token);
}

async function readState(file: string): Promise<DemoState | undefined> {
  try {
    const state = JSON.parse(await readFile(file, 'utf8')) as DemoState;
    return state.version === 2 ? state : undefined;
  } catch {
    return undefined;
  }
}

async function keyWorks(target: RequestTarget, key: string): Promise<boolean> {
  const res = await target.request('/api/v1/envelopes', { headers: { authorization: `Bearer ${key}` } });
  await res.body?.cancel();
  return res.ok;
}

export function demoStateFile(dataDir: string): string {
  return path.join(dataDir, 'demo-state.json');
}

/**
 * Seeds the demo once per data dir and returns its state. Needs the admin key only the first
 * time; later starts reuse the keys remembered in demo-state.json.
 */
export async function seedDemo(
  target: RequestTarget,
  opts: { dataDir: string; adminKey?: string; log?: (line: string) => void },
): Promise<DemoState> {
  const file = demoStateFile(opts.dataDir);
  const existing = await readState(file);
  if (existing && (await keyWorks(target, existing.backendKey)) && (await keyWorks(target, existing.staffKey))) {
    return existing;
  }
  if (!opts.adminKey) {
    throw new Error(
      'This data dir already has API keys but no demo data. Start with COUNTERSIGN_ADMIN_KEY set to its admin key, ' +
        'or use an empty COUNTERSIGN_DATA_DIR.',
    );
  }
  const log = opts.log ?? (() => {});
  const admin = new Api(target, opts.adminKey);

  const backend = await admin.call<{ key: string }>('POST', '/api/v1/api-keys', {
    name: 'Northwind Fibre web back end',
    role: 'manager',
  });
  const staffKey = await admin.call<{ key: string }>('POST', '/api/v1/api-keys', {
    name: 'Northwind Fibre staff portal (mints embed tokens)',
    role: 'admin',
  });
  if (process.env.COUNTERSIGN_DEMO_INJECT_SEED_FAILURE === '1') {
    // Test hook (test/e2e/bootstrap.test.ts): fail where it hurts most, after keys exist.
    throw new Error('demo seed: injected failure (COUNTERSIGN_DEMO_INJECT_SEED_FAILURE=1)');
  }
  const legal = new Api(target, (await staffToken(target, { staffKey: staffKey.key }, 'legal', DEMO_LEGAL)).token);

  const agreement = await serviceAgreementPdf(SIGNER_ROLE);
  const form = new FormData();
  form.append(
    'file',
    new File([new Uint8Array(agreement.pdf)], 'Northwind Fibre broadband service agreement (NWF-BSA-7).pdf', {
      type: 'application/pdf',
    }),
  );
  const doc = await legal.call<{ id: string; pages: number }>('POST', '/api/v1/documents', form);
  const templateName = 'Broadband service agreement';
  const template = await legal.call<{ id: string }>('POST', '/api/v1/templates', {
    name: templateName,
    documentId: doc.id,
    roles: [{ key: SIGNER_ROLE, label: 'Customer', action: 'sign', order: 1 }],
    fields: agreement.fields,
    variables: BROADBAND_VARIABLES,
  });
  await legal.call('POST', `/api/v1/templates/${template.id}/versions/1/publish`);
  log(`demo: template "${templateName}" published (${doc.pages} pages)`);

  const saasAmendment = await seedSaasAmendment(legal);
  log('demo: clause library (7 clauses) and "Cloud Backup subscription amendment" published');
  const returnAuthorization = await seedReturnAuthorization(legal);
  log('demo: "Equipment return authorization" published from its fillable PDF');

  const state: DemoState = {
    version: 2,
    backendKey: backend.key,
    staffKey: staffKey.key,
    templateId: template.id,
    templateName,
    templateVersion: 1,
    templates: { broadband: template.id, saasAmendment, returnAuthorization },
    envelopes: { pending: '' },
  };

  // A completed, sealed agreement: signed through the signer API with a drawn PNG signature.
  const completed = await sendAgreement(
    target,
    state,
    {
      name: 'Tomás Ó Briain',
      email: 'tomas.obriain@example.com',
      address: '12 Harbour Lane, Cork T12 X2Y3',
      account: 'NWF-198552',
    },
    'Fibre 500',
  );
  const signer = await signerApi(target, state, completed);
  await signer.call('GET', '/api/v1/signing');
  await signer.call('POST', '/api/v1/signing/consent', { accepted: true });
  await signer.call('PUT', '/api/v1/signing/fields/install_phone', { value: '+353 21 555 0142' });
  await signer.call('PUT', '/api/v1/signing/fields/initials', { value: { kind: 'typed', text: 'TÓB' } });
  await signer.call('PUT', '/api/v1/signing/fields/signature', {
    value: { kind: 'drawn', image: pngDataUrl(drawnSignaturePng(2)) },
  });
  await signer.call('PUT', '/api/v1/signing/fields/accept_terms', { value: true });
  await signer.call('POST', '/api/v1/signing/complete', {});
  state.envelopes.completed = completed.id;

  // A declined one, so the console shows more than the happy path.
  const declined = await sendAgreement(target, state, {
    name: 'Aarav Deshpande',
    email: 'aarav.deshpande@example.com',
    address: '4 Mill Street, Bath BA1 1AA',
    account: 'NWF-207310',
  });
  const decliner = await signerApi(target, state, declined);
  await decliner.call('GET', '/api/v1/signing');
  await decliner.call('POST', '/api/v1/signing/decline', {
    reason: 'Moving house next month; will sign at the new address.',
  });
  state.envelopes.declined = declined.id;

  // Last, so it is the newest: the agreement waiting for the demo customer.
  state.envelopes.pending = (await sendAgreement(target, state)).id;

  await waitSealed(new Api(target, state.backendKey), completed.id);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(`${file}.tmp`, JSON.stringify(state, null, 2), { mode: 0o600 });
  await rename(`${file}.tmp`, file);
  log('demo: seeded 3 envelopes (waiting for Zoë, completed and sealed, declined)');
  return state;
}

/** The library clauses, each published, and the amendment template composed from them. */
async function seedSaasAmendment(legal: Api): Promise<string> {
  const ids: string[] = [];
  for (const input of LIBRARY_CLAUSES) {
    const clause = await legal.call<Clause>('POST', '/api/v1/clauses', input);
    await legal.call('POST', `/api/v1/clauses/${clause.id}/versions/${clause.version}/publish`);
    ids.push(clause.id);
  }
  const template = await legal.call<{ id: string }>('POST', '/api/v1/templates', {
    name: 'Cloud Backup subscription amendment',
    source: {
      kind: 'clauses',
      title: 'Cloud Backup subscription amendment — {{customer_company}}',
      parties: [
        { label: 'Provider', lines: ['Northwind Fibre Ltd', '1 Temple Quay, Bristol BS1 6DZ'] },
        {
          label: 'Customer',
          lines: ['{{customer_company}}', 'Attn. {{customer_contact}}', 'Account {{account_number}}'],
        },
      ],
      clauses: ids.map((clauseId) => ({ clauseId })),
    },
    roles: SAAS_ROLES,
    variables: SAAS_VARIABLES,
  });
  await legal.call('POST', `/api/v1/templates/${template.id}/versions/1/publish`);
  return template.id;
}

/** Uploads the fillable return form and places its own form fields as the template's fields. */
async function seedReturnAuthorization(legal: Api): Promise<string> {
  const form = new FormData();
  form.append(
    'file',
    new File([new Uint8Array(await returnAuthorizationPdf())], 'Equipment return authorization (NWF-RMA-3).pdf', {
      type: 'application/pdf',
    }),
  );
  const doc = await legal.call<UploadedDocument>('POST', '/api/v1/documents', form);
  const fields = doc.formFields.map((f: PdfFormField) => {
    const o = RETURN_FIELD_OVERRIDES[f.name];
    return {
      id: f.name,
      type: o?.type ?? f.type,
      role: SIGNER_ROLE,
      page: f.page,
      x: f.x,
      y: f.y,
      width: f.width,
      height: f.height,
      required: o?.required ?? f.required,
      label: o?.label ?? f.name,
      ...(o?.key ? { key: o.key } : {}),
    };
  });
  const template = await legal.call<{ id: string }>('POST', '/api/v1/templates', {
    name: 'Equipment return authorization',
    documentId: doc.id,
    roles: [{ key: SIGNER_ROLE, label: 'Customer', action: 'sign', order: 1 }],
    fields,
    variables: RETURN_VARIABLES,
  });
  await legal.call<TemplateVersion>('POST', `/api/v1/templates/${template.id}/versions/1/publish`);
  return template.id;
}

async function waitSealed(api: Api, id: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const e = await api.call<Envelope>('GET', `/api/v1/envelopes/${id}`);
    if (e.sealed) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`demo seed: envelope ${id} was not sealed within ${timeoutMs} ms`);
}

/**
 * The first start's generated admin key, kept in `<dataDir>/demo-admin-key.pending` from the
 * moment the key exists until the start that seeds the demo has printed it. A first start that
 * fails (a seed error, a kill) leaves it there, so the next start uses that key to finish the
 * setup and prints it then, instead of refusing a data dir that has keys but no demo.
 * DEMO ONLY, like demo-state.json: a clear-text key on disk (mode 0600).
 */
export function pendingAdminKeyFile(dataDir: string): string {
  return path.join(dataDir, 'demo-admin-key.pending');
}

export async function readPendingAdminKey(dataDir: string): Promise<string | undefined> {
  try {
    return (await readFile(pendingAdminKeyFile(dataDir), 'utf8')).trim() || undefined;
  } catch {
    return undefined;
  }
}

export async function writePendingAdminKey(dataDir: string, key: string): Promise<void> {
  const file = pendingAdminKeyFile(dataDir);
  await writeFile(`${file}.tmp`, key, { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}

export async function clearPendingAdminKey(dataDir: string): Promise<void> {
  await rm(pendingAdminKeyFile(dataDir), { force: true });
}
