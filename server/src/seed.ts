import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FieldPlacement, SigningSession } from '@countersign/core';
import type { TemplateFieldInput } from './services/templates.ts';

/** Anything with Hono's `request()`: an app, or a wrapper that calls a real server. */
export interface RequestTarget {
  request: (path: string, init?: RequestInit) => Response | Promise<Response>;
}

export interface SeedOptions {
  /** PDF to upload; default us_constitution.pdf from the test fixtures. */
  pdfPath?: string;
  title?: string;
  /** Default: one customer, Zoë Łukasz-Müller. Roles default to customer, signer2, signer3, … */
  recipients?: Array<{ name: string; email: string; role?: string }>;
  /** Orders 1, 2, 3… instead of everyone at order 1 (parallel). */
  sequential?: boolean;
  /** Replace the default fields; `page: -1` means the last page. */
  fields?: TemplateFieldInput[];
  mergeData?: Record<string, unknown>;
}

export interface SeededEnvelope {
  documentId: string;
  templateId: string;
  envelopeId: string;
  pages: number;
  recipients: Array<{ id: string; name: string; email: string; role: string }>;
  fields: FieldPlacement[];
  /** Signing session of the first recipient. */
  session: SigningSession;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The repository's PDF test fixtures (pdf-lib's, MIT; COUNTERSIGN_FIXTURES overrides). */
export function fixturesDir(): string {
  return process.env.COUNTERSIGN_FIXTURES ?? path.resolve(repoRoot, 'test/fixtures/pdfs');
}

/** The fields the default seed places for a role: all five kinds for the customer. */
export function defaultFields(role: string, isCustomer: boolean): TemplateFieldInput[] {
  const last: TemplateFieldInput = {
    id: `${role}_signature_last`,
    type: 'signature',
    role,
    page: -1,
    x: 0.55,
    y: 0.8,
    width: 0.35,
    height: 0.08,
    label: 'Signature',
  };
  if (!isCustomer) return [last];
  return [
    {
      id: `${role}_signature`,
      type: 'signature',
      role,
      page: 1,
      x: 0.1,
      y: 0.72,
      width: 0.35,
      height: 0.08,
      label: 'Signature',
    },
    {
      id: `${role}_date`,
      type: 'date_signed',
      role,
      page: 1,
      x: 0.55,
      y: 0.74,
      width: 0.25,
      height: 0.04,
      label: 'Date signed',
    },
    {
      id: `${role}_name`,
      key: 'printedName',
      type: 'text',
      role,
      page: 1,
      x: 0.1,
      y: 0.83,
      width: 0.4,
      height: 0.04,
      required: true,
      label: 'Printed name',
    },
    {
      id: `${role}_agree`,
      type: 'checkbox',
      role,
      page: 1,
      x: 0.1,
      y: 0.9,
      width: 0.03,
      height: 0.025,
      required: true,
      label: 'I agree to the terms',
    },
    last,
  ];
}

async function call<T>(target: RequestTarget, key: string, method: string, url: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, headers: { Authorization: `Bearer ${key}` } };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
  }
  const res = await target.request(url, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} → ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

/**
 * Creates a ready-to-sign envelope through the public API: upload, template, publish,
 * envelope (sent), and a signing session for the first recipient.
 */
export async function seedSigningEnvelope(
  target: RequestTarget,
  adminKey: string,
  opts: SeedOptions = {},
): Promise<SeededEnvelope> {
  const pdfPath = opts.pdfPath ?? path.join(fixturesDir(), 'us_constitution.pdf');
  const form = new FormData();
  form.append('file', new File([await readFile(pdfPath)], path.basename(pdfPath), { type: 'application/pdf' }));
  const doc = await call<{ id: string; pages: number }>(target, adminKey, 'POST', '/api/v1/documents', form);

  const people = (opts.recipients ?? [{ name: 'Zoë Łukasz-Müller', email: 'zoe@example.com' }]).map((r, i) => ({
    ...r,
    role: r.role ?? (i === 0 ? 'customer' : `signer${i + 1}`),
    order: opts.sequential ? i + 1 : 1,
  }));
  const roles = people.map((p) => ({ key: p.role, label: p.role, action: 'sign' as const, order: p.order }));
  const fields = (opts.fields ?? people.flatMap((p, i) => defaultFields(p.role, i === 0))).map((f) => ({
    ...f,
    page: f.page === -1 ? doc.pages : f.page,
  }));

  const template = await call<{ id: string; versions: Array<{ fields: SeededEnvelope['fields'] }> }>(
    target,
    adminKey,
    'POST',
    '/api/v1/templates',
    { name: opts.title ?? 'Service agreement', documentId: doc.id, roles, fields },
  );
  await call(target, adminKey, 'POST', `/api/v1/templates/${template.id}/versions/1/publish`);
  const envelope = await call<{
    id: string;
    recipients: Array<{ id: string; name: string; email: string; role: string }>;
  }>(target, adminKey, 'POST', '/api/v1/envelopes', {
    templateId: template.id,
    title: opts.title ?? 'Service agreement',
    mergeData: opts.mergeData,
    recipients: people.map(({ name, email, role }) => ({ name, email, role })),
    send: true,
  });
  const first = envelope.recipients[0]!;
  const session = await call<SigningSession>(
    target,
    adminKey,
    'POST',
    `/api/v1/envelopes/${envelope.id}/recipients/${first.id}/signing-session`,
  );
  return {
    documentId: doc.id,
    templateId: template.id,
    envelopeId: envelope.id,
    pages: doc.pages,
    recipients: envelope.recipients.map(({ id, name, email, role }) => ({ id, name, email, role })),
    fields: template.versions[0]!.fields,
    session,
  };
}
