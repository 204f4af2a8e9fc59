import {
  checkCondition,
  parseClauseText,
  type AuditActor,
  type ClauseDiff,
  type ClausePatch,
  type Condition,
  type DiffPart,
} from '@countersign/core';
import { diffWordsWithSpace } from 'diff';
import { conflict, DomainError, forbidden, invalid, notFound, type ProblemItem } from '../errors.ts';
import type { ClauseContent, ClauseProposalRecord, ClauseRecord, ClauseVersionRecord } from '../store/types.ts';
import { requireRole } from './auth.ts';
import { staffActor, type ServiceDeps, type StaffPrincipal } from './context.ts';

/** Who writes the library: create, edit, publish, decide proposals. Everyone else reads what is published. */
export const CLAUSE_EDITORS = ['admin', 'legal'] as const;
export const CLAUSE_BODY_MAX = 20_000;

export interface ProposalInput {
  title?: string;
  body: string;
  comment: string;
}

const PLACEHOLDER = /\{\{\s*[A-Za-z0-9_.-]+\s*\}\}/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** Clause text must be usable by the renderer as is: real text, well-formed placeholders, no control characters. */
export function checkClauseBody(body: string, path = 'body'): ProblemItem[] {
  const errors: ProblemItem[] = [];
  if (body.length > CLAUSE_BODY_MAX) errors.push({ path, message: `At most ${CLAUSE_BODY_MAX} characters` });
  if (CONTROL.test(body)) errors.push({ path, message: 'Control characters are not allowed' });
  const rest = body.replace(PLACEHOLDER, '');
  if (rest.includes('{{') || rest.includes('}}')) {
    errors.push({ path, message: 'A placeholder is written {{key}} with letters, digits, _ . - only' });
  }
  if (!parseClauseText(body).length) errors.push({ path, message: 'The clause has no text' });
  return errors;
}

function checkContent(c: { body?: string; condition?: Condition | null }): void {
  const errors: ProblemItem[] = [];
  if (c.body !== undefined) errors.push(...checkClauseBody(c.body));
  if (c.condition !== undefined && c.condition !== null) errors.push(...checkCondition(c.condition, 'condition'));
  if (errors.length) throw invalid('The clause is not valid', errors);
}

function words(a: string, b: string): DiffPart[] {
  if (a === b) return a ? [{ op: 'equal', text: a }] : [];
  const changes = diffWordsWithSpace(a, b, { timeout: 250 });
  if (!changes) {
    // Too costly to align word by word: show it as replaced.
    return [...(a ? [{ op: 'delete' as const, text: a }] : []), ...(b ? [{ op: 'insert' as const, text: b }] : [])];
  }
  return changes.map((ch) => ({ op: ch.added ? 'insert' : ch.removed ? 'delete' : 'equal', text: ch.value }));
}

const conditionText = (c: Condition | undefined) => (c === undefined ? '' : JSON.stringify(c, null, 1));

export function diffVersions(a: ClauseVersionRecord, b: ClauseVersionRecord): ClauseDiff {
  const d: ClauseDiff = {
    from: a.version,
    to: b.version,
    changed: [],
    title: words(a.title, b.title),
    body: words(a.body, b.body),
    locked: words(String(a.locked), String(b.locked)),
    condition: words(conditionText(a.condition), conditionText(b.condition)),
  };
  for (const k of ['title', 'body', 'locked', 'condition'] as const) {
    if (d[k].some((p) => p.op !== 'equal')) d.changed.push(k);
  }
  return d;
}

const isEditor = (p: StaffPrincipal) => (CLAUSE_EDITORS as readonly string[]).includes(p.role);
const sameActor = (a: AuditActor, b: AuditActor) => a.kind === b.kind && a.id === b.id;

function contentOf(v: ClauseVersionRecord): ClauseContent {
  const c: ClauseContent = { title: v.title, body: v.body, locked: v.locked };
  if (v.condition !== undefined) c.condition = v.condition;
  if (v.category !== undefined) c.category = v.category;
  if (v.tags !== undefined) c.tags = v.tags;
  return c;
}

function sameContent(a: ClauseContent, b: ClauseContent): boolean {
  return JSON.stringify(contentOf(a as ClauseVersionRecord)) === JSON.stringify(contentOf(b as ClauseVersionRecord));
}

/** The library of approved clause text: versioned, published by legal, changed through proposals. */
export class ClauseService {
  constructor(private readonly deps: ServiceDeps) {}

  #now(): string {
    return this.deps.clock.now().toISOString();
  }

  async create(p: StaffPrincipal, input: ClauseContent & { key: string }): Promise<ClauseRecord> {
    requireRole(p, CLAUSE_EDITORS);
    checkContent(input);
    const now = this.#now();
    const { key, ...content } = input;
    const clause: ClauseRecord = {
      id: this.deps.ids.id('cl'),
      key,
      createdAt: now,
      updatedAt: now,
      versions: [
        {
          version: 1,
          status: 'draft',
          ...contentOf(content as ClauseVersionRecord),
          createdAt: now,
          createdBy: staffActor(p),
        },
      ],
      proposals: [],
    };
    if (!(await this.deps.store.clauses.insert(clause))) {
      throw new DomainError('conflict', `A clause with key ${key} exists`, {
        errors: [{ path: 'key', message: 'Already taken' }],
      });
    }
    return clause;
  }

  /**
   * Legal and admin see every version and every proposal; agents and managers see published
   * versions of clauses that have one, and only their own proposals.
   */
  #visible(p: StaffPrincipal, c: ClauseRecord): ClauseRecord | undefined {
    if (isEditor(p)) return c;
    const versions = c.versions.filter((v) => v.status === 'published');
    if (!versions.length) return undefined;
    const me = staffActor(p);
    return { ...c, versions, proposals: c.proposals.filter((x) => sameActor(x.proposedBy, me)) };
  }

  async list(p: StaffPrincipal, search?: string): Promise<ClauseRecord[]> {
    const needle = search?.trim().toLowerCase();
    return (await this.deps.store.clauses.list())
      .map((c) => this.#visible(p, c))
      .filter((c): c is ClauseRecord => {
        if (!c) return false;
        if (!needle) return true;
        const v = c.versions.at(-1)!;
        return [c.key, v.title, v.body].some((t) => t.toLowerCase().includes(needle));
      })
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async get(p: StaffPrincipal, id: string): Promise<ClauseRecord> {
    const c = await this.deps.store.clauses.get(id);
    const visible = c && this.#visible(p, c);
    if (!visible) throw notFound('Clause');
    return visible;
  }

  /** A change by legal: a new draft version from the latest one; earlier versions never change. */
  async update(p: StaffPrincipal, id: string, patch: ClausePatch): Promise<ClauseVersionRecord> {
    requireRole(p, CLAUSE_EDITORS);
    await this.get(p, id);
    checkContent(patch);
    return this.deps.store.clauses.update(id, (c) => {
      const latest = c.versions.at(-1)!;
      const next = contentOf(latest);
      if (patch.title !== undefined) next.title = patch.title;
      if (patch.body !== undefined) next.body = patch.body;
      if (patch.locked !== undefined) next.locked = patch.locked;
      if (patch.tags !== undefined) next.tags = patch.tags;
      if (patch.condition === null) delete next.condition;
      else if (patch.condition !== undefined) next.condition = patch.condition;
      if (patch.category === null) delete next.category;
      else if (patch.category !== undefined) next.category = patch.category;
      if (sameContent(next, latest)) throw conflict(`Nothing changed from version ${latest.version}`);
      return this.#append(c, next, staffActor(p));
    });
  }

  #append(c: ClauseRecord, content: ClauseContent, by: AuditActor, extra: Partial<ClauseVersionRecord> = {}) {
    const now = this.#now();
    const v: ClauseVersionRecord = {
      version: c.versions.at(-1)!.version + 1,
      status: 'draft',
      ...content,
      createdAt: now,
      createdBy: by,
      ...extra,
    };
    c.versions.push(v);
    c.updatedAt = now;
    return v;
  }

  /** Publishing is idempotent: a published version stays as it is and is returned again. */
  async publish(p: StaffPrincipal, id: string, n: number): Promise<ClauseVersionRecord> {
    requireRole(p, CLAUSE_EDITORS);
    await this.get(p, id);
    return this.deps.store.clauses.update(id, (c) => {
      const v = c.versions.find((x) => x.version === n);
      if (!v) throw notFound('Clause version');
      if (v.status !== 'published') {
        v.status = 'published';
        v.publishedAt = this.#now();
        v.publishedBy = staffActor(p);
        c.updatedAt = v.publishedAt;
      }
      return v;
    });
  }

  async diff(p: StaffPrincipal, id: string, a: number, b: number): Promise<ClauseDiff> {
    const c = await this.get(p, id);
    const va = c.versions.find((v) => v.version === a);
    const vb = c.versions.find((v) => v.version === b);
    if (!va || !vb) throw notFound('Clause version');
    return diffVersions(va, vb);
  }

  /**
   * Anyone on staff may propose a change to an unlocked clause; a locked one only legal and
   * admin may touch, so a proposal on it from an agent or manager is refused (nothing stored).
   * A clause counts as locked when its latest version or its latest published version is.
   */
  async propose(p: StaffPrincipal, id: string, input: ProposalInput): Promise<ClauseProposalRecord> {
    const visible = await this.get(p, id);
    const errors = checkClauseBody(input.body);
    if (errors.length) throw invalid('The proposal is not valid', errors);
    return this.deps.store.clauses.update(id, (c) => {
      const latest = c.versions.at(-1)!;
      const published = c.versions.filter((v) => v.status === 'published').at(-1);
      if (!isEditor(p) && (latest.locked || published?.locked)) {
        throw forbidden('Locked clauses can only be changed by legal');
      }
      // The base is what the proposer saw: for agents and managers, the latest published version.
      const base = visible.versions.at(-1)!;
      const proposal: ClauseProposalRecord = {
        id: this.deps.ids.id('prop'),
        baseVersion: base.version,
        body: input.body,
        comment: input.comment,
        status: 'pending',
        proposedBy: staffActor(p),
        proposedAt: this.#now(),
      };
      if (input.title !== undefined) proposal.title = input.title;
      c.proposals.push(proposal);
      return proposal;
    });
  }

  async proposals(p: StaffPrincipal, id: string): Promise<ClauseProposalRecord[]> {
    return (await this.get(p, id)).proposals;
  }

  /**
   * Legal decides once. Approving writes a new draft version from the latest one with the
   * proposal's title and body, authored by the proposer and approved by the reviewer; when the
   * clause's text changed since the proposal's base version, approving would silently undo
   * that change, so it is refused (409) and the proposal can only be rejected.
   */
  async decide(
    p: StaffPrincipal,
    id: string,
    pid: string,
    decision: 'approve' | 'reject',
    comment?: string,
  ): Promise<{ proposal: ClauseProposalRecord; version?: ClauseVersionRecord }> {
    requireRole(p, CLAUSE_EDITORS);
    await this.get(p, id);
    return this.deps.store.clauses.update(id, (c) => {
      const proposal = c.proposals.find((x) => x.id === pid);
      if (!proposal) throw notFound('Proposal');
      if (proposal.status !== 'pending') throw conflict(`The proposal was already ${proposal.status}`);
      const now = this.#now();
      proposal.status = decision === 'approve' ? 'approved' : 'rejected';
      proposal.decidedBy = staffActor(p);
      proposal.decidedAt = now;
      if (comment !== undefined) proposal.decisionComment = comment;
      if (decision === 'reject') return { proposal };

      const latest = c.versions.at(-1)!;
      const base = c.versions.find((v) => v.version === proposal.baseVersion)!;
      if (latest.title !== base.title || latest.body !== base.body) {
        throw conflict(
          `The clause changed since version ${base.version} (now ${latest.version}); reject this proposal and propose again`,
        );
      }
      const next = contentOf(latest);
      next.body = proposal.body;
      if (proposal.title !== undefined) next.title = proposal.title;
      if (sameContent(next, latest)) throw conflict(`The proposal does not change version ${latest.version}`);
      const version = this.#append(c, next, proposal.proposedBy, {
        approvedBy: staffActor(p),
        proposalId: proposal.id,
      });
      proposal.resultingVersion = version.version;
      return { proposal, version };
    });
  }
}
