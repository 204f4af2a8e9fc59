import type { FieldPlacement, TemplateRole } from '@countersign/core';
import { invalid, notFound, type ProblemItem } from '../errors.ts';
import type { TemplateRecord, TemplateVersionRecord } from '../store/types.ts';
import { requireRole } from './auth.ts';
import type { ServiceDeps, StaffPrincipal } from './context.ts';

export const TEMPLATE_ROLES = ['admin', 'legal'] as const;

/** A field as a template's author sends it: the server assigns a missing `id`; `required` defaults to false. */
export type TemplateFieldInput = Omit<FieldPlacement, 'id' | 'required'> &
  Partial<Pick<FieldPlacement, 'id' | 'required'>>;

export interface TemplateInput {
  name: string;
  documentId: string;
  roles: TemplateRole[];
  fields: TemplateFieldInput[];
}

const EPS = 1e-9;

export class TemplateService {
  constructor(private readonly deps: ServiceDeps) {}

  async create(p: StaffPrincipal, input: TemplateInput): Promise<TemplateRecord> {
    requireRole(p, TEMPLATE_ROLES);
    const doc = await this.deps.store.documents.get(input.documentId);
    if (!doc) throw invalid('Unknown document', [{ path: 'documentId', message: 'No such document' }]);

    const errors: ProblemItem[] = [];
    const roleKeys = new Set<string>();
    input.roles.forEach((r, i) => {
      if (roleKeys.has(r.key)) errors.push({ path: `roles.${i}.key`, message: `Duplicate role ${r.key}` });
      roleKeys.add(r.key);
    });
    const ids = new Set<string>();
    const fields: FieldPlacement[] = input.fields.map((f, i) => {
      const at = `fields.${i}`;
      if (!roleKeys.has(f.role)) errors.push({ path: `${at}.role`, message: `Role ${f.role} is not declared` });
      if (f.page > doc.pages) {
        errors.push({ path: `${at}.page`, message: `The document has ${doc.pages} pages` });
      }
      if (f.x + f.width > 1 + EPS) errors.push({ path: `${at}.width`, message: 'x + width must be ≤ 1' });
      if (f.y + f.height > 1 + EPS) errors.push({ path: `${at}.height`, message: 'y + height must be ≤ 1' });
      const id = f.id ?? this.deps.ids.id('fld');
      if (ids.has(id)) errors.push({ path: `${at}.id`, message: `Duplicate field id ${id}` });
      ids.add(id);
      const field: FieldPlacement = {
        id,
        type: f.type,
        role: f.role,
        page: f.page,
        x: f.x,
        y: f.y,
        width: f.width,
        height: f.height,
        required: f.required ?? f.type !== 'checkbox',
      };
      if (f.key !== undefined) field.key = f.key;
      if (f.label !== undefined) field.label = f.label;
      return field;
    });
    if (errors.length) throw invalid('The template is not valid', errors);

    const now = this.deps.clock.now().toISOString();
    const version: TemplateVersionRecord = {
      version: 1,
      status: 'draft',
      source: { kind: 'pdf', documentId: doc.id },
      documentSha256: doc.sha256,
      pages: doc.pages,
      roles: input.roles.map((r) => ({ ...r, order: r.order ?? 1 })),
      fields,
      variables: [],
      createdAt: now,
    };
    const template: TemplateRecord = {
      id: this.deps.ids.id('tpl'),
      name: input.name,
      createdAt: now,
      updatedAt: now,
      createdBy: p.keyId,
      versions: [version],
    };
    await this.deps.store.templates.insert(template);
    return template;
  }

  /**
   * Legal and admin see every template and version; agents and managers, who send from
   * templates, see only published versions of templates that have one (drafts stay with legal).
   */
  async list(p: StaffPrincipal): Promise<TemplateRecord[]> {
    const all = await this.deps.store.templates.list();
    return all
      .map((t) => this.visibleTo(p, t))
      .filter((t): t is TemplateRecord => t !== undefined)
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  }

  async get(p: StaffPrincipal, id: string): Promise<TemplateRecord> {
    const t = await this.deps.store.templates.get(id);
    const visible = t && this.visibleTo(p, t);
    if (!visible) throw notFound('Template');
    return visible;
  }

  private visibleTo(p: StaffPrincipal, t: TemplateRecord): TemplateRecord | undefined {
    if ((TEMPLATE_ROLES as readonly string[]).includes(p.role)) return t;
    const versions = t.versions.filter((v) => v.status === 'published');
    return versions.length ? { ...t, versions } : undefined;
  }

  /** Publishing is idempotent: a published version stays as it is and is returned again. */
  async publish(p: StaffPrincipal, id: string, n: number): Promise<TemplateVersionRecord> {
    requireRole(p, TEMPLATE_ROLES);
    if (!(await this.deps.store.templates.get(id))) throw notFound('Template');
    return this.deps.store.templates.update(id, (t) => {
      const v = t.versions.find((x) => x.version === n);
      if (!v) throw notFound('Template version');
      if (v.status !== 'published') {
        v.status = 'published';
        v.publishedAt = this.deps.clock.now().toISOString();
        t.updatedAt = v.publishedAt;
      }
      return v;
    });
  }
}
