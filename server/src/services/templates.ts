import {
  canonicalJson,
  checkCondition,
  fieldValidationRuleErrors,
  patternError,
  type ClauseRefInput,
  type Condition,
  type InlineClauseInput as CoreInlineClauseInput,
  type MergeData,
  type PartyBlock,
  type TemplateClause,
  type TemplateRole,
  type Variable,
} from '@countersign/core';
import type { FieldPlacement } from '@countersign/core';
import { conflict, invalid, notFound, type ProblemItem } from '../errors.ts';
import { sha256Hex } from '@countersign/core';
import type {
  DocumentRecord,
  InlineClausesSource,
  StoredTemplateClause,
  TemplateFieldRecord,
  TemplateRecord,
  TemplateVersionRecord,
} from '../store/types.ts';
import { requireRole } from './auth.ts';
import type { ServiceDeps, StaffPrincipal } from './context.ts';
import { composePreview, stampPreview } from './previews.ts';

export const TEMPLATE_ROLES = ['admin', 'legal'] as const;

/** A field as a template's author sends it: the server assigns a missing `id`; `required` defaults to false. */
export type TemplateFieldInput = Omit<FieldPlacement, 'id' | 'required'> &
  Partial<Pick<FieldPlacement, 'id' | 'required'>> & { condition?: Condition };

export type VersionSource = TemplateVersionRecord['source'];

/** A clause written into the version. `clauseId`/`clauseVersion` (a clause read back) make it a library reference. */
export type InlineClauseInput = CoreInlineClauseInput & Pick<TemplateClause, 'clauseId' | 'clauseVersion'>;

export type SourceInput =
  | { kind: 'pdf'; documentId: string }
  | {
      kind: 'clauses';
      title: string;
      parties?: PartyBlock[];
      clauses: Array<InlineClauseInput | ClauseRefInput>;
    };

type ResolvedSource = Pick<VersionContent, 'source' | 'documentSha256' | 'pages'>;

export interface TemplateInput {
  name: string;
  /** An uploaded PDF; or give `source` (e.g. inline clauses). */
  documentId?: string;
  source?: SourceInput;
  roles: TemplateRole[];
  fields: TemplateFieldInput[];
  variables?: Variable[];
}

/** What a new or edited version may replace; whatever is left out is kept from the version it starts from. */
export interface VersionInput {
  documentId?: string;
  source?: SourceInput;
  roles?: TemplateRole[];
  fields?: TemplateFieldInput[];
  variables?: Variable[];
}

type VersionContent = Pick<
  TemplateVersionRecord,
  'source' | 'documentSha256' | 'pages' | 'roles' | 'fields' | 'variables'
>;

const EPS = 1e-9;

type Change<T> = { before: T; after: T };
const GEOMETRY = ['page', 'x', 'y', 'width', 'height'] as const;
type Geometry = Pick<FieldPlacement, (typeof GEOMETRY)[number]>;

export interface VersionDiff {
  templateId: string;
  from: number;
  to: number;
  identical: boolean;
  document: { changed: boolean } & Change<{
    kind: VersionSource['kind'];
    documentId?: string;
    sha256: string;
    pages: number;
  }>;
  clauses: {
    added: TemplateClause[];
    removed: TemplateClause[];
    changed: Array<{ key: string } & Change<TemplateClause>>;
  };
  roles: {
    added: TemplateVersionRecord['roles'];
    removed: TemplateVersionRecord['roles'];
    changed: Array<{ key: string } & Change<TemplateVersionRecord['roles'][number]>>;
  };
  fields: {
    added: TemplateFieldRecord[];
    removed: TemplateFieldRecord[];
    /** Same id, other page or box. */
    moved: Array<{ id: string } & Change<Geometry>>;
    /** Same id, other type, role, key, label, required flag or condition. */
    changed: Array<{ id: string } & Change<TemplateFieldRecord>>;
  };
  variables: {
    added: Variable[];
    removed: Variable[];
    changed: Array<{ key: string } & Change<Variable>>;
  };
}

const same = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null);

/** Added, removed and changed members of two lists matched by a key. */
function byKey<T>(before: T[], after: T[], key: (x: T) => string) {
  const old = new Map(before.map((x) => [key(x), x]));
  const now = new Map(after.map((x) => [key(x), x]));
  return {
    added: after.filter((x) => !old.has(key(x))),
    removed: before.filter((x) => !now.has(key(x))),
    both: after.filter((x) => old.has(key(x))).map((x) => ({ before: old.get(key(x))!, after: x })),
  };
}

/** A structural diff of two versions: roles by key, fields by id, variables by key, the document by hash. */
export function diffVersions(templateId: string, a: TemplateVersionRecord, b: TemplateVersionRecord): VersionDiff {
  const roles = byKey(a.roles, b.roles, (r) => r.key);
  const fields = byKey(a.fields, b.fields, (f) => f.id);
  const variables = byKey(a.variables, b.variables, (v) => v.key);
  const geometry = (f: FieldPlacement): Geometry => ({
    page: f.page,
    x: f.x,
    y: f.y,
    width: f.width,
    height: f.height,
  });
  const rest = (f: TemplateFieldRecord) => {
    const out: Record<string, unknown> = { ...f };
    for (const k of GEOMETRY) delete out[k];
    return out;
  };
  const doc = (v: TemplateVersionRecord) => ({
    kind: v.source.kind,
    ...(v.source.kind === 'pdf' ? { documentId: v.source.documentId } : {}),
    sha256: v.documentSha256,
    pages: v.pages,
  });
  const clauseList = (v: TemplateVersionRecord): TemplateClause[] =>
    v.source.kind === 'clauses' ? v.source.clauses.map((c) => ({ ...c, locked: c.locked ?? false })) : [];
  const clauses = byKey(clauseList(a), clauseList(b), (c) => c.key);
  const diff: VersionDiff = {
    templateId,
    from: a.version,
    to: b.version,
    identical: false,
    document: { changed: a.documentSha256 !== b.documentSha256, before: doc(a), after: doc(b) },
    clauses: {
      added: clauses.added,
      removed: clauses.removed,
      changed: clauses.both.filter((c) => !same(c.before, c.after)).map((c) => ({ key: c.after.key, ...c })),
    },
    roles: {
      added: roles.added,
      removed: roles.removed,
      changed: roles.both.filter((c) => !same(c.before, c.after)).map((c) => ({ key: c.after.key, ...c })),
    },
    fields: {
      added: fields.added,
      removed: fields.removed,
      moved: fields.both
        .filter((c) => !same(geometry(c.before), geometry(c.after)))
        .map((c) => ({ id: c.after.id, before: geometry(c.before), after: geometry(c.after) })),
      changed: fields.both.filter((c) => !same(rest(c.before), rest(c.after))).map((c) => ({ id: c.after.id, ...c })),
    },
    variables: {
      added: variables.added,
      removed: variables.removed,
      changed: variables.both.filter((c) => !same(c.before, c.after)).map((c) => ({ key: c.after.key, ...c })),
    },
  };
  const lists = [diff.clauses, diff.roles, diff.fields, diff.variables].flatMap((g) => Object.values(g) as unknown[][]);
  diff.identical = !diff.document.changed && lists.every((l) => l.length === 0);
  return diff;
}

export class TemplateService {
  constructor(private readonly deps: ServiceDeps) {}

  async #document(id: string): Promise<DocumentRecord> {
    const doc = await this.deps.store.documents.get(id);
    if (!doc) throw invalid('Unknown document', [{ path: 'documentId', message: 'No such document' }]);
    return doc;
  }

  /**
   * The document side of a version: an uploaded PDF, or clauses (hashed as canonical JSON) with
   * each library reference resolved to the text of the version it is pinned to.
   */
  async resolveSource(input: SourceInput): Promise<ResolvedSource> {
    if (input.kind === 'pdf') {
      const doc = await this.#document(input.documentId);
      return { source: { kind: 'pdf', documentId: doc.id }, documentSha256: doc.sha256, pages: doc.pages };
    }
    const errors: ProblemItem[] = [];
    const clauses: StoredTemplateClause[] = [];
    const keys = new Map<string, number>();
    for (const [i, item] of input.clauses.entries()) {
      const at = `source.clauses.${i}`;
      const clause = await this.#clause(item, at, errors);
      if (!clause) continue;
      if (clause.condition !== undefined) errors.push(...checkCondition(clause.condition, `${at}.condition`));
      const first = keys.get(clause.key);
      if (first !== undefined) {
        errors.push({ path: `${at}.key`, message: `Clause ${clause.key} is already clause ${first + 1}` });
      } else keys.set(clause.key, i);
      clauses.push(clause);
    }
    if (errors.length) throw invalid('The template is not valid', errors);
    const source: InlineClausesSource = {
      kind: 'clauses',
      title: input.title,
      ...(input.parties ? { parties: input.parties } : {}),
      clauses,
    };
    return { source, documentSha256: await sha256Hex(canonicalJson(source)), pages: 0 };
  }

  /** One clause of a source: inline as written, or a library clause at its pinned version. */
  async #clause(
    item: InlineClauseInput | ClauseRefInput,
    at: string,
    errors: ProblemItem[],
  ): Promise<StoredTemplateClause | undefined> {
    if (!item.clauseId) {
      const c = item as InlineClauseInput;
      return {
        key: c.key,
        title: c.title,
        body: c.body,
        locked: c.locked ?? false,
        ...(c.condition !== undefined ? { condition: c.condition } : {}),
      };
    }
    const asked = 'version' in item ? item.version : (item as InlineClauseInput).clauseVersion;
    const record = await this.deps.store.clauses.get(item.clauseId);
    if (!record) {
      errors.push({ path: `${at}.clauseId`, message: 'No such clause in the library' });
      return undefined;
    }
    const version =
      asked === undefined
        ? record.versions.filter((v) => v.status === 'published').at(-1)
        : record.versions.find((v) => v.version === asked);
    if (!version || version.status !== 'published') {
      errors.push(
        asked === undefined
          ? { path: `${at}.clauseId`, message: `Clause ${record.key} has no published version` }
          : {
              path: `${at}.${'version' in item ? 'version' : 'clauseVersion'}`,
              message: version
                ? `Version ${asked} of clause ${record.key} is a draft; only a published version can be used`
                : `Clause ${record.key} has no version ${asked}`,
            },
      );
      return undefined;
    }
    const condition = item.condition ?? version.condition;
    return {
      key: record.key,
      title: version.title,
      body: version.body,
      locked: version.locked || item.locked === true,
      ...(condition !== undefined ? { condition } : {}),
      clauseId: record.id,
      clauseVersion: version.version,
    };
  }

  /** Checks a version's parts against each other and its document; every problem at once. */
  async #content(
    resolved: ResolvedSource,
    roles: TemplateRole[],
    inputFields: TemplateFieldInput[],
    variables: Variable[],
  ): Promise<VersionContent> {
    const { source, documentSha256, pages } = resolved;
    const errors: ProblemItem[] = [];
    if (source.kind === 'clauses' && inputFields.length) {
      errors.push({
        path: 'fields',
        message: 'A clauses version gets its signature and date fields from the composer',
      });
    }
    const roleKeys = new Set<string>();
    roles.forEach((r, i) => {
      if (roleKeys.has(r.key)) errors.push({ path: `roles.${i}.key`, message: `Duplicate role ${r.key}` });
      roleKeys.add(r.key);
    });
    const variableKeys = new Set<string>();
    variables.forEach((v, i) => {
      if (variableKeys.has(v.key)) errors.push({ path: `variables.${i}.key`, message: `Duplicate variable ${v.key}` });
      variableKeys.add(v.key);
      const bad = v.type === 'text' && v.pattern !== undefined ? patternError(v.pattern) : undefined;
      if (bad) errors.push({ path: `variables.${i}.pattern`, message: bad.message });
    });
    const ids = new Set<string>();
    const fields: TemplateFieldRecord[] = inputFields.map((f, i) => {
      const at = `fields.${i}`;
      if (!roleKeys.has(f.role)) errors.push({ path: `${at}.role`, message: `Role ${f.role} is not declared` });
      if (f.page > pages) {
        errors.push({ path: `${at}.page`, message: `The document has ${pages} pages` });
      }
      if (f.x + f.width > 1 + EPS) errors.push({ path: `${at}.width`, message: 'x + width must be ≤ 1' });
      if (f.y + f.height > 1 + EPS) errors.push({ path: `${at}.height`, message: 'y + height must be ≤ 1' });
      if (f.condition !== undefined) errors.push(...checkCondition(f.condition, `${at}.condition`));
      if (f.validation !== undefined) {
        if (f.type !== 'text') errors.push({ path: `${at}.validation`, message: 'Only text fields take a validation' });
        for (const e of fieldValidationRuleErrors(f.validation))
          errors.push({ path: `${at}.validation.${e.path}`, message: e.message });
      }
      if (f.signerEditable !== undefined && f.type !== 'text') {
        errors.push({ path: `${at}.signerEditable`, message: 'Only text fields are prefilled from merge data' });
      }
      const id = f.id ?? this.deps.ids.id('fld');
      if (ids.has(id)) errors.push({ path: `${at}.id`, message: `Duplicate field id ${id}` });
      ids.add(id);
      const field: TemplateFieldRecord = {
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
      if (f.condition !== undefined) field.condition = f.condition;
      if (f.validation !== undefined) field.validation = { ...f.validation };
      if (f.signerEditable !== undefined) field.signerEditable = f.signerEditable;
      return field;
    });
    if (errors.length) throw invalid('The template is not valid', errors);
    return {
      source,
      documentSha256,
      pages,
      roles: roles.map((r) => ({ ...r, order: r.order ?? 1 })),
      fields,
      variables,
    };
  }

  async create(p: StaffPrincipal, input: TemplateInput): Promise<TemplateRecord> {
    requireRole(p, TEMPLATE_ROLES);
    const source = await this.resolveSource(input.source ?? { kind: 'pdf', documentId: input.documentId ?? '' });
    const content = await this.#content(source, input.roles, input.fields, input.variables ?? []);
    const now = this.deps.clock.now().toISOString();
    const version: TemplateVersionRecord = { version: 1, status: 'draft', ...content, createdAt: now };
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

  /** The version's parts with `input` applied over them, checked as a whole. */
  async #apply(base: TemplateVersionRecord, input: VersionInput): Promise<VersionContent> {
    const given =
      input.source ?? (input.documentId ? { kind: 'pdf' as const, documentId: input.documentId } : undefined);
    // Without a new source the base's stays as it was resolved: its library clauses stay pinned.
    const source: ResolvedSource = given
      ? await this.resolveSource(given)
      : base.source.kind === 'pdf'
        ? await this.resolveSource(base.source)
        : { source: base.source, documentSha256: base.documentSha256, pages: base.pages };
    // Switching to clauses drops the placed fields unless new ones are given (and refused).
    const fields = input.fields ?? (source.source.kind === 'clauses' ? [] : base.fields);
    return this.#content(source, input.roles ?? base.roles, fields, input.variables ?? base.variables);
  }

  /**
   * Opens the next version as a draft, starting from the latest one with `input` applied.
   * One draft at a time: while one is open it is edited (PATCH), not joined by another (409).
   */
  async createVersion(p: StaffPrincipal, id: string, input: VersionInput): Promise<TemplateVersionRecord> {
    requireRole(p, TEMPLATE_ROLES);
    if (!(await this.deps.store.templates.get(id))) throw notFound('Template');
    return this.deps.store.templates.update(id, async (t) => {
      const open = t.versions.find((v) => v.status === 'draft');
      if (open) throw conflict(`Version ${open.version} is still a draft: edit or publish it first`);
      const latest = t.versions.at(-1)!;
      const now = this.deps.clock.now().toISOString();
      const version: TemplateVersionRecord = {
        version: latest.version + 1,
        status: 'draft',
        ...(await this.#apply(latest, input)),
        createdAt: now,
      };
      t.versions.push(version);
      t.updatedAt = now;
      return version;
    });
  }

  /** Edits a draft version; a published version never changes (409). */
  async updateVersion(p: StaffPrincipal, id: string, n: number, input: VersionInput): Promise<TemplateVersionRecord> {
    requireRole(p, TEMPLATE_ROLES);
    if (!(await this.deps.store.templates.get(id))) throw notFound('Template');
    return this.deps.store.templates.update(id, async (t) => {
      const i = t.versions.findIndex((x) => x.version === n);
      const v = t.versions[i];
      if (!v) throw notFound('Template version');
      if (v.status !== 'draft') throw conflict(`Version ${n} is published and cannot change; open a new version`);
      const updated: TemplateVersionRecord = { ...v, ...(await this.#apply(v, input)) };
      t.versions[i] = updated;
      t.updatedAt = this.deps.clock.now().toISOString();
      return updated;
    });
  }

  async versions(p: StaffPrincipal, id: string): Promise<TemplateVersionRecord[]> {
    return (await this.get(p, id)).versions;
  }

  async diff(p: StaffPrincipal, id: string, a: number, b: number): Promise<VersionDiff> {
    const t = await this.get(p, id);
    const from = t.versions.find((v) => v.version === a);
    const to = t.versions.find((v) => v.version === b);
    if (!from || !to) throw notFound('Template version');
    return diffVersions(t.id, from, to);
  }

  /**
   * A version as a PDF to read: a clauses version composed with whatever merge data is given
   * (blanks for the rest), a PDF version as its document with the merge values (or "[Label]")
   * stamped into the text fields tied to variables. Same visibility as reading the version.
   */
  async preview(
    p: StaffPrincipal,
    id: string,
    n: number,
    mergeData: MergeData,
  ): Promise<{ kind: 'bytes'; bytes: Uint8Array; name: string } | { kind: 'stored'; sha256: string; name: string }> {
    const t = await this.get(p, id);
    const v = t.versions.find((x) => x.version === n);
    if (!v) throw notFound('Template version');
    if (v.source.kind === 'pdf') {
      const doc = await this.#document(v.source.documentId);
      const original = v.fields.some((f) => f.type === 'text' && f.key)
        ? await this.deps.blobs.get(doc.sha256)
        : undefined;
      if (!original) return { kind: 'stored', sha256: doc.sha256, name: doc.name };
      const bytes = await stampPreview(original, v.fields, v.variables, mergeData);
      return { kind: 'bytes', bytes, name: `${t.name} v${v.version} preview.pdf` };
    }
    const bytes = await composePreview(v.source, v.variables, v.roles, mergeData);
    return { kind: 'bytes', bytes, name: `${t.name} v${v.version} preview.pdf` };
  }

  /** Unsaved builder state (legal, admin) as a PDF: checked and resolved as saving it would, then composed. */
  async previewSource(
    p: StaffPrincipal,
    input: { source: Extract<SourceInput, { kind: 'clauses' }>; variables?: Variable[]; mergeData?: MergeData },
  ): Promise<Uint8Array> {
    requireRole(p, TEMPLATE_ROLES);
    const { source } = await this.resolveSource(input.source);
    if (source.kind !== 'clauses') throw invalid('Only a clauses source can be previewed');
    return composePreview(source, input.variables ?? [], [], input.mergeData ?? {});
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
