import { css, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import {
  ApiError,
  fieldValidationRuleErrors,
  type FieldType,
  type FieldValidation,
  type FieldValidationRuleError,
  type PdfFormField,
  type Template,
  type TemplateField,
  type TemplateRole,
  type TemplateSource,
  type TemplateVersion,
  type Variable,
} from '@countersign/core';
import { CsConnectedElement } from '../internal/connected.ts';
import { toErrorDetail } from '../internal/error-code.ts';
import { translatePlural } from '../internal/localize.ts';
import { visuallyHidden } from '../internal/styles.ts';
import { PdfPagesController } from '../controllers/pdf-pages.ts';
import '../internal/condition-input.ts';
import './variables-editor.ts';
import './clause-document-editor.ts';
import type { VariablesChangeDetail } from './variables-editor.ts';
import type { ClausesSource, SourceChangeDetail } from './clause-document-editor.ts';
import {
  DEFAULT_SIZE,
  FINE_STEP,
  PLACE_GAP,
  SNAP_PX,
  STEP,
  clampBox,
  findFreeBox,
  moveBy,
  resizeBy,
  snapMove,
  snapResize,
  type Box,
  type Guide,
} from './geometry.ts';
import { styles } from './template-builder.styles.ts';
import './template-builder.strings.ts';

export interface TemplateSaveDetail {
  templateId: string;
  version: number;
}
export type TemplatePublishDetail = TemplateSaveDetail;

declare module '../internal/cs-element.ts' {
  interface CsEventMap {
    'cs-template-save': TemplateSaveDetail;
    'cs-template-publish': TemplatePublishDetail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'cs-template-save': CustomEvent<TemplateSaveDetail>;
    'cs-template-publish': CustomEvent<TemplatePublishDetail>;
  }
}

/** What undo and redo step through: every edit replaces the whole snapshot. */
interface Snapshot {
  roles: TemplateRole[];
  fields: TemplateField[];
  variables: Variable[];
  /** The clauses of a template composed from the library (undefined for a PDF template). */
  source?: ClausesSource;
}

type Phase = 'empty' | 'loading' | 'uploading' | 'ready';
type Tab = 'fields' | 'clauses' | 'variables';

interface Drag {
  kind: 'move' | 'resize' | 'new';
  pointerId: number;
  startX: number;
  startY: number;
  /** The element that follows the pointer (the field, or the palette's ghost). */
  el: HTMLElement;
  /** The page box the field started on (move, resize). */
  page?: HTMLElement;
  field?: TemplateField;
  type?: FieldType;
  started: boolean;
  box?: Box;
  /** The latest pointer position and Alt state (auto-scroll re-applies them). */
  x: number;
  y: number;
  alt: boolean;
  /** The viewer's scrollTop when the drag began: scrolling moves the pages under the pointer. */
  scrollTop: number;
}

export const FIELD_TYPES: FieldType[] = ['signature', 'initials', 'date_signed', 'text', 'checkbox'];
const ACTIONS = ['sign', 'approve', 'view'] as const;
/** Role colours, in role order; the legend shows which is which. */
export const ROLE_COLOURS = ['#2450d3', '#a34f00', '#1d7a3a', '#8e24aa', '#c62828', '#00796b', '#5d4037', '#455a64'];
// The field validation controls of the panel. (Kept here rather than in template-builder.styles.ts
// while that file is being refactored.)
const validationStyles = css`
  .validation {
    display: grid;
    gap: 0.5rem;
    margin: 0;
    padding: 0.5rem 0.75rem 0.75rem;
    border: 1px solid color-mix(in srgb, currentColor 25%, transparent);
    border-radius: var(--cs-radius, 8px);
    min-width: 0;
  }
  .validation legend {
    padding: 0 0.25rem;
    font-weight: 600;
  }
  .validation .hint {
    margin: 0;
  }
  .validation [aria-invalid='true'] {
    border-color: var(--_danger, #b3261e);
    outline: 1px solid var(--_danger, #b3261e);
  }
  .validation-error {
    margin: 0;
    color: var(--_danger, #b3261e);
    font-weight: 600;
  }
`;

/** Edits of one kind closer together than this (typing in an editor) are one undo step. */
const COALESCE_MS = 1000;
/** Within this many px of the viewer's top or bottom edge a drag scrolls the pages. */
const SCROLL_EDGE = 48;
/** Fastest auto-scroll, px a frame. */
const SCROLL_MAX = 40;
/** Pointer travel (px) before a press on the palette becomes a drag. */
const DRAG_THRESHOLD = 4;

let ids = 0;
const newId = (prefix: string) => `${prefix}_${Date.now().toString(36)}${(ids++).toString(36)}`;

/** Keeps a drag's events coming to `el`; a pointer already gone (or a synthetic one) just is not captured. */
function capture(el: Element, pointerId: number): void {
  try {
    el.setPointerCapture(pointerId);
  } catch {
    /* no active pointer with that id */
  }
}

/** A saved clauses source as the editor and the API take it: library clauses by reference. */
function sourceInput(source: Extract<TemplateSource, { kind: 'clauses' }>): ClausesSource {
  return {
    kind: 'clauses',
    title: source.title,
    ...(source.parties ? { parties: source.parties } : {}),
    clauses: source.clauses.map((c) => {
      const extra = { locked: c.locked, ...(c.condition !== undefined ? { condition: c.condition } : {}) };
      return c.clauseId
        ? { clauseId: c.clauseId, ...(c.clauseVersion ? { version: c.clauseVersion } : {}), ...extra }
        : { key: c.key, title: c.title, body: c.body, ...extra };
    }),
  };
}

/** An AcroForm field name as a field key (letters, digits, `_ . -`), or undefined when nothing is left. */
function keyFrom(name: string): string | undefined {
  const key = name
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9_.-]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64);
  return key || undefined;
}

/**
 * @summary Legal's template builder: upload a PDF (or open a template), drag fields onto its
 * pages, assign them to roles, save drafts, publish versions and browse the version history.
 *
 * Fields are placed as fractions of the page (0..1 from the top-left), exactly as stored.
 * Mouse, touch and pen drag fields (the corner handle resizes); with a field focused, arrow keys
 * move it by 1/200 of the page, Shift + arrows resize it, Alt makes the step 1/1000, Delete
 * removes it. Dragging snaps to the page edges and centre and to other fields' edges and
 * centres (guides show while dragging); hold Alt to place freely. Ctrl/Cmd + Z undoes,
 * Ctrl/Cmd + Shift + Z or Ctrl + Y redoes.
 *
 * @event cs-template-save - A draft was saved. `detail: { templateId, version }`.
 * @event cs-template-publish - A version was published. `detail: { templateId, version }`.
 * @event cs-error - Something failed and is shown in the builder. `detail: { code, message, status }`.
 *
 * @csspart base - The outer wrapper.
 * @csspart toolbar - The bar with the name, undo/redo, save and publish.
 * @csspart button - Every button (also `primary`).
 * @csspart palette - The field palette.
 * @csspart roles - The roles panel with its legend.
 * @csspart viewer - The scrolling document area.
 * @csspart page - One page box.
 * @csspart canvas - A page's rendered canvas.
 * @csspart field - Every placed field (also `field-selected`).
 * @csspart panel - The selected field's settings.
 * @csspart versions - The version history.
 * @csspart dropzone - The upload area of an empty builder.
 * @csspart message - Status and error messages.
 *
 * @cssprop [--cs-accent=#2450d3] - Brand colour of buttons, focus rings and guides.
 * @cssprop [--cs-accent-contrast=#fff] - Text on accent-coloured buttons.
 * @cssprop [--cs-surface=#fff] - Background (set with --cs-text for dark mode).
 * @cssprop [--cs-text=#1b2230] - Text colour.
 * @cssprop [--cs-font=system-ui, sans-serif] - Font family.
 * @cssprop [--cs-radius=8px] - Corner radius of controls and panels.
 * @cssprop [--cs-danger=#b3261e] - Errors.
 * @cssprop [--cs-viewer-height=min(75vh, 60rem)] - Height of the scrolling document area.
 */
export class CsTemplateBuilder extends CsConnectedElement {
  static override styles = [visuallyHidden, styles, validationStyles];

  /** Opens this template (its latest version) instead of starting from an upload. */
  @property({ attribute: 'template-id', reflect: true }) templateId?: string;

  @state() private phase: Phase = 'empty';
  @state() private tab: Tab = 'fields';
  @state() private name = '';
  @state() private roles: TemplateRole[] = [{ key: 'signer', label: 'Signer', action: 'sign' }];
  @state() private fields: TemplateField[] = [];
  @state() private variables: Variable[] = [];
  @state() private source?: ClausesSource;
  @state() private documentId?: string;
  @state() private documentName = '';
  @state() private formFields: PdfFormField[] = [];
  @state() private version?: number;
  @state() private status?: 'draft' | 'published';
  @state() private versions: TemplateVersion[] = [];
  @state() private selectedId?: string;
  @state() private busy?: 'save' | 'publish' | 'draft' | 'open';
  @state() private error?: { message: string; items: string[] };
  @state() private notice = '';
  /** The page a palette click last found full (its new field overlaps another), shown by the palette. */
  @state() private fullPage?: number;
  @state() private dragOver = false;
  /** Edits since the last save or load. */
  @state() private dirty = false;
  @state() private undoStack: Snapshot[] = [];
  /** What is wrong with the validation being typed in the panel (not committed until it is sound). */
  @state() private validationErrors?: { fieldId: string; errors: FieldValidationRuleError[] };
  @state() private redoStack: Snapshot[] = [];

  @query('.viewer') private viewerEl?: HTMLElement;

  private objectUrl?: string;
  private drag?: Drag;
  /** A palette press that became a drag ends in a click on the palette button: ignore that one. */
  private suppressClickUntil = 0;
  private loadedId?: string;

  private readonly pages = new PdfPagesController(this, {
    firstPaint: () => performance.mark('cs-builder-first-page'),
    error: (error) => {
      const status = (error as { status?: number })?.status ?? 0;
      const message = (error as Error)?.message ?? String(error);
      this.error = { message: this.t('builder.documentFailed'), items: [] };
      this.emit('cs-error', { code: 'document-failed', message, status });
    },
  });

  private get readOnly(): boolean {
    return this.status === 'published';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('keydown', this.onHostKey);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('keydown', this.onHostKey);
    this.releaseObjectUrl();
    this.loadedId = undefined;
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('selectedId' as keyof CsTemplateBuilder)) this.validationErrors = undefined;
    if (changed.has('templateId') || changed.has('server') || changed.has('token') || changed.has('config' as never)) {
      const key = this.templateId && this.client ? `${this.templateId} ${this.client.server}` : undefined;
      if (key && key !== this.loadedId) {
        this.loadedId = key;
        void this.openTemplate(this.templateId!);
      }
    }
  }

  override updated(): void {
    this.pages.setRoot(this.viewerEl ?? null);
    if (this.viewerEl) {
      for (const box of this.renderRoot.querySelectorAll<HTMLElement>('.page')) {
        this.pages.observe(box, Number(box.dataset['page']));
      }
    }
  }

  // ---- errors

  private report(error: unknown, prefix?: (message: string) => string): void {
    const detail = toErrorDetail(error);
    const problem = error instanceof ApiError ? error.problem : undefined;
    const items = (problem?.errors ?? []).map((e) => (e.path ? `${e.path}: ${e.message}` : e.message));
    const message = prefix ? prefix(detail.message) : detail.message;
    this.error = { message, items };
    this.emit('cs-error', { code: detail.code, message: detail.message, status: detail.status ?? 0 });
  }

  // ---- opening documents and templates

  private releaseObjectUrl(): void {
    if (this.objectUrl) URL.revokeObjectURL(this.objectUrl);
    this.objectUrl = undefined;
  }

  private showPdf(blob: Blob): void {
    this.releaseObjectUrl();
    this.objectUrl = URL.createObjectURL(blob);
    void this.pages.open({ url: this.objectUrl });
  }

  /** Uploads a PDF chosen or dropped by the user and starts a new, unsaved template from it. */
  async upload(file: File): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.error = undefined;
    this.phase = 'uploading';
    this.documentName = file.name;
    try {
      const doc = await client.uploadDocument(file, file.name);
      this.documentId = doc.id;
      this.formFields = doc.formFields ?? [];
      this.name ||= file.name.replace(/\.pdf$/i, '');
      this.templateId = undefined;
      this.loadedId = undefined;
      this.version = undefined;
      this.status = undefined;
      this.versions = [];
      this.fields = [];
      this.source = undefined;
      this.selectedId = undefined;
      this.undoStack = [];
      this.redoStack = [];
      this.phase = 'ready';
      this.showPdf(file);
    } catch (error) {
      this.phase = this.documentId ? 'ready' : 'empty';
      this.report(error, (message) => this.t('builder.error.upload', { message }));
    }
  }

  private async openTemplate(id: string): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.phase = 'loading';
    this.error = undefined;
    try {
      const template: Template = await client.getTemplate(id);
      const { items } = await client.listTemplateVersions(id);
      this.name = template.name;
      this.versions = items;
      const latest = items.at(-1);
      if (latest) await this.showVersion(latest);
      this.phase = 'ready';
    } catch (error) {
      this.phase = 'empty';
      this.report(error);
    }
  }

  /** Shows a saved version: its roles and fields; a published one read-only. */
  private async showVersion(v: TemplateVersion): Promise<void> {
    const client = this.client!;
    this.version = v.version;
    this.status = v.status;
    this.roles = v.roles.map(({ key, label, action }) => ({ key, action, ...(label ? { label } : {}) }));
    this.fields = v.fields.map((f) => ({ ...f }));
    this.variables = v.variables;
    this.undoStack = [];
    this.redoStack = [];
    this.dirty = false;
    this.selectedId = undefined;
    if (v.source.kind === 'clauses') {
      this.source = sourceInput(v.source);
      // Its text is what there is to edit; the Fields tab only holds the roles.
      if (this.tab === 'fields') this.tab = 'clauses';
      this.documentId = undefined;
      this.formFields = [];
      this.pages.close();
      this.releaseObjectUrl();
      return;
    }
    this.source = undefined;
    if (v.source.documentId !== this.documentId) {
      const documentId = v.source.documentId;
      this.documentId = documentId;
      const [doc, blob] = await Promise.all([
        client.getDocument(documentId).catch(() => undefined),
        client.fetchBlob(client.documentContentUrl(documentId)),
      ]);
      this.documentName = doc?.name ?? '';
      // Offered once, while the template has no fields yet.
      this.formFields = v.fields.length ? [] : (doc?.formFields ?? []);
      this.showPdf(blob);
    }
  }

  // ---- edits and history

  private snapshot(): Snapshot {
    return { roles: this.roles, fields: this.fields, variables: this.variables, source: this.source };
  }

  private lastCommit?: { kind: string; at: number };

  /**
   * Every edit goes through here, so undo and redo cover all of them. Edits of the same
   * `coalesce` kind in quick succession (typing) make one step.
   */
  private commit(next: Partial<Snapshot>, coalesce?: string): void {
    if (this.readOnly) return;
    const now = performance.now();
    const last = this.lastCommit;
    const merge = coalesce && last?.kind === coalesce && now - last.at < COALESCE_MS && this.undoStack.length;
    if (!merge) this.undoStack = [...this.undoStack, this.snapshot()];
    this.lastCommit = coalesce ? { kind: coalesce, at: now } : undefined;
    this.redoStack = [];
    this.dirty = true;
    if (next.roles) this.roles = next.roles;
    if (next.fields) this.fields = next.fields;
    if (next.variables) this.variables = next.variables;
    if (next.source) this.source = next.source;
  }

  undo(): void {
    const previous = this.undoStack.at(-1);
    if (!previous || this.readOnly) return;
    this.redoStack = [...this.redoStack, this.snapshot()];
    this.undoStack = this.undoStack.slice(0, -1);
    this.restore(previous);
    this.notice = this.t('builder.undone');
  }

  redo(): void {
    const next = this.redoStack.at(-1);
    if (!next || this.readOnly) return;
    this.undoStack = [...this.undoStack, this.snapshot()];
    this.redoStack = this.redoStack.slice(0, -1);
    this.restore(next);
    this.notice = this.t('builder.redone');
  }

  private restore(s: Snapshot): void {
    this.lastCommit = undefined;
    this.dirty = true;
    this.roles = s.roles;
    this.fields = s.fields;
    this.variables = s.variables;
    this.source = s.source;
    this.validationErrors = undefined;
    if (this.selectedId && !s.fields.some((f) => f.id === this.selectedId)) this.selectedId = undefined;
  }

  /**
   * Reads the validation controls of the panel as they stand; a sound rule becomes the field's
   * (typing in one control is one undo step), an unsound one stays in the controls with its errors.
   */
  private onValidationInput(field: TemplateField, event: Event): void {
    const panel = (event.currentTarget as HTMLElement).closest('.validation')!;
    const value = (name: string) =>
      panel.querySelector<HTMLInputElement | HTMLSelectElement>(`.validation-${name}`)?.value;
    const kind = value('kind') as FieldValidation['kind'] | '';
    const { validation: _old, ...rest } = field;
    let rule: FieldValidation | undefined;
    if (kind) {
      rule = { kind };
      const pattern = value('pattern');
      if (kind === 'pattern') rule.pattern = pattern ?? '';
      if (kind === 'number') {
        for (const key of ['min', 'max'] as const) {
          const n = value(key)?.trim();
          if (n) rule[key] = Number(n);
        }
      }
      const message = value('message')?.trim();
      if (message) rule.message = message;
    }
    const errors = rule ? fieldValidationRuleErrors(rule) : [];
    this.validationErrors = errors.length ? { fieldId: field.id, errors } : undefined;
    if (errors.length) return;
    if (JSON.stringify(rule) === JSON.stringify(field.validation)) return;
    this.commit(
      { fields: this.fields.map((f) => (f.id === field.id ? (rule ? { ...rest, validation: rule } : rest) : f)) },
      event.type === 'input' ? `validation ${field.id} ${(event.target as HTMLElement).className}` : undefined,
    );
  }

  private updateField(id: string, patch: Partial<TemplateField>): void {
    this.commit({ fields: this.fields.map((f) => (f.id === id ? { ...f, ...patch } : f)) });
  }

  /** A count string in the right plural form for the locale ("1 form field", "2 form fields"). */
  private tn(key: string, count: number): string {
    return translatePlural(this.effectiveLocale, key, count);
  }

  private addField(type: FieldType, page: number, box: Box): TemplateField {
    const field: TemplateField = {
      id: newId('fld'),
      type,
      role: this.roles[0]!.key,
      page,
      ...clampBox(box),
      required: type !== 'checkbox',
    };
    this.commit({ fields: [...this.fields, field] });
    this.selectedId = field.id;
    this.notice = this.t('builder.added', { type: this.t(`builder.type.${type}`), page });
    return field;
  }

  private removeField(id: string): void {
    const field = this.fields.find((f) => f.id === id);
    if (!field) return;
    this.commit({ fields: this.fields.filter((f) => f.id !== id) });
    if (this.selectedId === id) this.selectedId = undefined;
    this.notice = this.t('builder.removed', { type: this.t(`builder.type.${field.type}`) });
  }

  /**
   * Adds a field of `type` to the page in view (a palette click or its keyboard path): in the
   * middle when that is free, else in the first free spot (see findFreeBox). On a full page it
   * goes a step down and right of the last field placed there, and the notice says it overlaps.
   */
  private async addToPageInView(type: FieldType): Promise<void> {
    const page = this.pageInView();
    const size = DEFAULT_SIZE[type];
    const others = this.fields.filter((f) => f.page === page);
    const centre = { x: 0.5 - size.width / 2, y: 0.5 - size.height / 2 };
    const free = findFreeBox(size, others, centre);
    const last = others.at(-1);
    const box =
      free ?? clampBox({ ...size, x: (last?.x ?? centre.x) + 2 * PLACE_GAP, y: (last?.y ?? centre.y) + 2 * PLACE_GAP });
    const field = this.addField(type, page, box);
    this.fullPage = free ? undefined : page;
    if (!free) this.notice = this.t('builder.addedFull', { type: this.t(`builder.type.${type}`), page });
    await this.updateComplete;
    this.fieldEl(field.id)?.focus();
  }

  private pageInView(): number {
    const viewer = this.viewerEl?.getBoundingClientRect();
    if (!viewer) return 1;
    const middle = viewer.top + viewer.height / 2;
    for (const box of this.renderRoot.querySelectorAll<HTMLElement>('.page')) {
      const r = box.getBoundingClientRect();
      if (r.bottom >= middle || r.bottom >= viewer.top + 40) return Number(box.dataset['page']);
    }
    return 1;
  }

  /** Starts a template composed from the clause library instead of a PDF. */
  compose(): void {
    this.error = undefined;
    this.templateId = undefined;
    this.loadedId = undefined;
    this.version = undefined;
    this.status = undefined;
    this.versions = [];
    this.documentId = undefined;
    this.formFields = [];
    this.fields = [];
    this.selectedId = undefined;
    this.pages.close();
    this.releaseObjectUrl();
    this.source = { kind: 'clauses', title: this.name, clauses: [] };
    this.undoStack = [];
    this.redoStack = [];
    this.phase = 'ready';
    this.tab = 'clauses';
  }

  private importFormFields(): void {
    const role = this.roles[0]!.key;
    const taken = new Set(this.fields.map((f) => f.key));
    const imported = this.formFields.map((f): TemplateField => {
      const key = keyFrom(f.name);
      const field: TemplateField = {
        id: newId('fld'),
        type: f.type,
        role,
        page: f.page,
        ...clampBox({ x: f.x, y: f.y, width: f.width, height: f.height }),
        required: f.required,
        label: f.name,
      };
      if (key && !taken.has(key)) {
        field.key = key;
        taken.add(key);
      }
      return field;
    });
    this.commit({ fields: [...this.fields, ...imported] });
    this.formFields = [];
    this.notice = this.tn('builder.formFieldsAdded', imported.length);
  }

  // ---- roles

  private roleColour(key: string): string {
    const index = Math.max(
      0,
      this.roles.findIndex((r) => r.key === key),
    );
    return ROLE_COLOURS[index % ROLE_COLOURS.length]!;
  }

  private roleName(role: TemplateRole | undefined): string {
    return role?.label || role?.key || '';
  }

  private addRole(): void {
    const keys = new Set(this.roles.map((r) => r.key));
    let n = this.roles.length + 1;
    while (keys.has(`signer_${n}`)) n++;
    this.commit({
      roles: [...this.roles, { key: `signer_${n}`, label: this.t('builder.role.new', { n }), action: 'sign' }],
    });
  }

  private updateRole(index: number, patch: Partial<TemplateRole>): void {
    this.commit({ roles: this.roles.map((r, i) => (i === index ? { ...r, ...patch } : r)) });
  }

  private moveRole(index: number, by: -1 | 1): void {
    const roles = [...this.roles];
    const [role] = roles.splice(index, 1);
    roles.splice(index + by, 0, role!);
    this.commit({ roles });
  }

  /** Removes a role; its fields go to the first remaining role. */
  private removeRole(index: number): void {
    if (this.roles.length < 2) return;
    const removed = this.roles[index]!;
    const roles = this.roles.filter((_, i) => i !== index);
    const fallback = roles[0]!.key;
    this.commit({
      roles,
      fields: this.fields.map((f) => (f.role === removed.key ? { ...f, role: fallback } : f)),
    });
  }

  // ---- saving and publishing

  private body() {
    const roles = this.roles.map((r, i) => ({ ...r, order: i + 1 }));
    // A clauses version gets its signature and date fields from the composer.
    if (this.source) return { source: this.source, roles, variables: this.variables };
    return { roles, fields: this.fields.map((f) => ({ ...f })), variables: this.variables };
  }

  private get hasContent(): boolean {
    return !!(this.documentId || this.source);
  }

  /** Saves the draft: creates the template, or updates the open draft version. */
  async save(): Promise<TemplateSaveDetail | undefined> {
    const client = this.client;
    if (!client || !this.hasContent || this.readOnly) return undefined;
    this.busy = 'save';
    this.error = undefined;
    try {
      let saved: TemplateSaveDetail;
      if (!this.templateId || this.version === undefined) {
        const template = await client.createTemplate({
          name: this.name.trim() || this.source?.title.trim() || this.t('builder.untitled'),
          ...(this.source ? {} : { documentId: this.documentId }),
          ...this.body(),
        });
        saved = { templateId: template.id, version: template.versions.at(-1)?.version ?? 1 };
        this.loadedId = `${template.id} ${client.server}`;
        this.templateId = template.id;
      } else {
        const v = await client.updateTemplateVersion(this.templateId, this.version, this.body());
        saved = { templateId: this.templateId, version: v.version };
      }
      this.version = saved.version;
      this.status = 'draft';
      this.dirty = false;
      await this.refreshVersions();
      this.notice = this.t('builder.saved', { version: saved.version });
      this.emit('cs-template-save', saved);
      return saved;
    } catch (error) {
      this.report(error);
      return undefined;
    } finally {
      this.busy = undefined;
    }
  }

  /** Saves the draft, then publishes it: it becomes read-only and can be sent. */
  async publish(): Promise<void> {
    const client = this.client;
    if (!client || this.readOnly) return;
    const saved = await this.save();
    if (!saved) return;
    this.busy = 'publish';
    try {
      const v = await client.publishTemplateVersion(saved.templateId, saved.version);
      this.status = v.status;
      await this.refreshVersions();
      this.notice = this.t('builder.published', { version: v.version });
      this.selectedId = undefined;
      this.emit('cs-template-publish', { templateId: saved.templateId, version: v.version });
    } catch (error) {
      this.report(error);
    } finally {
      this.busy = undefined;
    }
  }

  /** Opens the next draft version, starting from the latest one. */
  async newDraft(): Promise<void> {
    const client = this.client;
    if (!client || !this.templateId) return;
    this.busy = 'draft';
    this.error = undefined;
    try {
      // One draft at a time: open the one there is rather than be refused (409).
      const open = this.versions.find((v) => v.status === 'draft');
      const v = open ?? (await client.createTemplateVersion(this.templateId));
      await this.refreshVersions();
      await this.showVersion(v);
    } catch (error) {
      this.report(error);
    } finally {
      this.busy = undefined;
    }
  }

  private async refreshVersions(): Promise<void> {
    if (!this.templateId) return;
    this.versions = (await this.client!.listTemplateVersions(this.templateId)).items;
  }

  private async openVersion(v: TemplateVersion): Promise<void> {
    this.busy = 'open';
    try {
      await this.showVersion(v);
    } catch (error) {
      this.report(error);
    } finally {
      this.busy = undefined;
    }
  }

  // ---- keyboard

  private readonly onHostKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && this.drag) {
      e.preventDefault();
      this.endDrag();
      return;
    }
    if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
    const target = e.composedPath()[0] as HTMLElement | undefined;
    // Text boxes keep their own undo.
    if (target?.matches?.('input[type="text"], input:not([type]), textarea')) return;
    const key = e.key.toLowerCase();
    if (key === 'z' && !e.shiftKey) this.undo();
    else if ((key === 'z' && e.shiftKey) || (key === 'y' && e.ctrlKey)) this.redo();
    else return;
    e.preventDefault();
  };

  private onFieldKey(e: KeyboardEvent, field: TemplateField): void {
    if (this.readOnly) return;
    if (e.key === 'Delete' || e.key === 'Backspace') {
      e.preventDefault();
      this.removeField(field.id);
      this.viewerEl?.focus();
      return;
    }
    const arrows: Record<string, [number, number]> = {
      ArrowLeft: [-1, 0],
      ArrowRight: [1, 0],
      ArrowUp: [0, -1],
      ArrowDown: [0, 1],
    };
    if (e.key === 'PageDown' || e.key === 'PageUp') {
      e.preventDefault();
      const page = field.page + (e.key === 'PageDown' ? 1 : -1);
      if (page < 1 || page > this.pages.sizes.length) return;
      this.updateField(field.id, { page });
      this.notice = this.position({ ...field, page });
      // The field's button moves into the other page's overlay: keep focus on it.
      void this.updateComplete.then(() => this.fieldEl(field.id)?.focus());
      return;
    }
    const dir = arrows[e.key];
    if (!dir) return;
    e.preventDefault();
    const step = e.altKey ? FINE_STEP : STEP;
    const [dx, dy] = [dir[0] * step, dir[1] * step];
    const next = e.shiftKey ? resizeBy(field, dx, dy) : moveBy(field, dx, dy);
    this.selectedId = field.id;
    this.updateField(field.id, next);
    // Screen readers hear where the field went.
    this.notice = this.position({ ...field, ...next });
  }

  // ---- pointer: moving, resizing, placing from the palette

  private fieldEl(id: string): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>(`.field[data-field-id="${CSS.escape(id)}"]`);
  }

  private onFieldPointerDown(e: PointerEvent, field: TemplateField): void {
    if (e.button !== 0 || this.readOnly) return;
    const el = e.currentTarget as HTMLElement;
    const resize = (e.target as HTMLElement).classList.contains('handle');
    e.preventDefault();
    el.focus();
    capture(el, e.pointerId);
    this.selectedId = field.id;
    this.drag = {
      kind: resize ? 'resize' : 'move',
      pointerId: e.pointerId,
      startX: e.clientX,
      startY: e.clientY,
      el,
      page: el.closest<HTMLElement>('.page') ?? undefined,
      field,
      started: false,
      x: e.clientX,
      y: e.clientY,
      alt: e.altKey,
      scrollTop: this.viewerEl?.scrollTop ?? 0,
    };
  }

  private onPalettePointerDown(e: PointerEvent, type: FieldType): void {
    if (e.button !== 0 || this.readOnly) return;
    const el = e.currentTarget as HTMLElement;
    capture(el, e.pointerId);
    this.drag = {
      kind: 'new',
      pointerId: e.pointerId,
      startX: e.clientX,
      startY: e.clientY,
      el,
      type,
      started: false,
      x: e.clientX,
      y: e.clientY,
      alt: e.altKey,
      scrollTop: this.viewerEl?.scrollTop ?? 0,
    };
  }

  private readonly onPointerMove = (e: PointerEvent) => {
    const drag = this.drag;
    if (!drag || e.pointerId !== drag.pointerId) return;
    drag.x = e.clientX;
    drag.y = e.clientY;
    drag.alt = e.altKey;
    if (!drag.started) {
      if (Math.hypot(e.clientX - drag.startX, e.clientY - drag.startY) < DRAG_THRESHOLD) return;
      drag.started = true;
      this.toggleAttribute('dragging', true);
    }
    this.applyDrag(drag);
    this.autoScroll();
  };

  /**
   * Shows where the drag would put the field. Only the dragged element changes (a transform or
   * its size; no re-render), so a drag stays cheap however long the document is.
   */
  private applyDrag(drag: Drag): void {
    if (drag.kind === 'new') {
      this.moveGhost(drag);
      return;
    }
    const page = drag.page!;
    const rect = page.getBoundingClientRect();
    const field = drag.field!;
    // Pages scrolled by s px moved up by s: the pointer is s px further down the page.
    const dxPx = drag.x - drag.startX;
    const dyPx = drag.y - drag.startY + ((this.viewerEl?.scrollTop ?? 0) - drag.scrollTop);
    const others = this.fields.filter((f) => f.page === field.page && f.id !== field.id);
    const tolX = SNAP_PX / rect.width;
    const tolY = SNAP_PX / rect.height;
    if (drag.kind === 'move') {
      let box = moveBy(field, dxPx / rect.width, dyPx / rect.height);
      let guides: Guide[] = [];
      if (!drag.alt) ({ box, guides } = snapMove(box, others, tolX, tolY));
      drag.box = box;
      // Above or below its page the field follows the pointer freely (towards another page).
      const free = drag.y < rect.top || drag.y > rect.bottom;
      const tx = (box.x - field.x) * rect.width;
      const ty = free ? dyPx : (box.y - field.y) * rect.height;
      drag.el.style.transform = `translate(${tx}px, ${ty}px)`;
      this.showGuides(page, free ? [] : guides);
    } else {
      let box = resizeBy(field, dxPx / rect.width, dyPx / rect.height);
      let guides: Guide[] = [];
      if (!drag.alt) ({ box, guides } = snapResize(box, others, tolX, tolY));
      drag.box = box;
      drag.el.style.width = `${box.width * 100}%`;
      drag.el.style.height = `${box.height * 100}%`;
      this.showGuides(page, guides);
    }
  }

  #scrollFrame = 0;

  /** While a drag holds the pointer near the viewer's top or bottom edge, scroll the pages. */
  private autoScroll(): void {
    if (this.#scrollFrame) return;
    const step = () => {
      this.#scrollFrame = 0;
      const drag = this.drag;
      const viewer = this.viewerEl;
      if (!drag?.started || !viewer || drag.kind === 'resize') return;
      const r = viewer.getBoundingClientRect();
      const depth =
        drag.y < r.top + SCROLL_EDGE ? drag.y - (r.top + SCROLL_EDGE) : Math.max(0, drag.y - (r.bottom - SCROLL_EDGE));
      if (!depth) return;
      const before = viewer.scrollTop;
      viewer.scrollTop += Math.max(-SCROLL_MAX, Math.min(SCROLL_MAX, depth / 2));
      if (viewer.scrollTop === before) return;
      this.applyDrag(drag);
      this.#scrollFrame = requestAnimationFrame(step);
    };
    this.#scrollFrame = requestAnimationFrame(step);
  }

  /** Ends a drag without committing anything: the field goes back, guides and ghost go away. */
  private endDrag(): Drag | undefined {
    const drag = this.drag;
    this.drag = undefined;
    cancelAnimationFrame(this.#scrollFrame);
    this.#scrollFrame = 0;
    this.toggleAttribute('dragging', false);
    this.hideGuides();
    this.ghost?.remove();
    this.ghost = undefined;
    if (drag && drag.kind !== 'new') {
      drag.el.style.transform = '';
      drag.el.style.width = '';
      drag.el.style.height = '';
    }
    if (drag?.started && drag.kind === 'new') this.suppressClickUntil = performance.now() + 500;
    return drag;
  }

  private readonly onPointerUp = (e: PointerEvent) => {
    if (!this.drag || e.pointerId !== this.drag.pointerId) return;
    const drag = this.endDrag()!;
    if (!drag.started || e.type === 'pointercancel') return;
    if (drag.kind === 'new') {
      this.dropNew(drag.type!, e);
      return;
    }
    const field = drag.field!;
    if (!drag.box) return;
    // Dropped over another page: the field moves there, at the same place under the pointer.
    const target = drag.kind === 'move' ? this.pageAt(e.clientX, e.clientY) : undefined;
    if (target && target.page !== field.page) {
      const from = drag.page!.getBoundingClientRect();
      const scrolled = (this.viewerEl?.scrollTop ?? 0) - drag.scrollTop;
      const left = from.left + drag.box.x * from.width;
      const top = from.top + field.y * from.height + (e.clientY - drag.startY + scrolled);
      const to = target.rect;
      const box = clampBox({
        x: (left - to.left) / to.width,
        y: (top - to.top) / to.height,
        width: (field.width * from.width) / to.width,
        height: (field.height * from.height) / to.height,
      });
      this.updateField(field.id, { ...box, page: target.page });
      return;
    }
    this.updateField(field.id, drag.box);
  };

  private ghost?: HTMLElement;

  private moveGhost(drag: Drag): void {
    const size = DEFAULT_SIZE[drag.type!];
    const page = this.renderRoot.querySelector<HTMLElement>('.page')?.getBoundingClientRect();
    const width = size.width * (page?.width ?? 600);
    const height = size.height * (page?.height ?? 800);
    if (!this.ghost) {
      this.ghost = document.createElement('div');
      this.ghost.className = `ghost type-${drag.type}`;
      this.ghost.setAttribute('aria-hidden', 'true');
      this.ghost.textContent = this.t(`builder.type.${drag.type}`);
      this.renderRoot.appendChild(this.ghost);
    }
    this.ghost.style.cssText = `width:${width}px;height:${height}px;transform:translate(${drag.x - width / 2}px, ${drag.y - height / 2}px)`;
  }

  /** Places a new field centred under the pointer, if the pointer is over a page. */
  private dropNew(type: FieldType, e: PointerEvent): void {
    const target = this.pageAt(e.clientX, e.clientY);
    if (!target) return;
    const { rect, page } = target;
    const size = DEFAULT_SIZE[type];
    let box = clampBox({
      x: (e.clientX - rect.left) / rect.width - size.width / 2,
      y: (e.clientY - rect.top) / rect.height - size.height / 2,
      ...size,
    });
    if (!e.altKey) {
      const others = this.fields.filter((f) => f.page === page);
      box = snapMove(box, others, SNAP_PX / rect.width, SNAP_PX / rect.height).box;
    }
    const field = this.addField(type, page, box);
    void this.updateComplete.then(() => this.fieldEl(field.id)?.focus());
  }

  private pageAt(x: number, y: number): { page: number; rect: DOMRect } | undefined {
    for (const box of this.renderRoot.querySelectorAll<HTMLElement>('.page')) {
      const rect = box.getBoundingClientRect();
      if (x >= rect.left && x <= rect.right && y >= rect.top && y <= rect.bottom) {
        return { page: Number(box.dataset['page']), rect };
      }
    }
    return undefined;
  }

  private showGuides(page: HTMLElement, guides: Guide[]): void {
    const layer = page.querySelector<HTMLElement>('.guides');
    if (!layer) return;
    if (this.guideLayer && this.guideLayer !== layer) this.guideLayer.replaceChildren();
    this.guideLayer = layer;
    const key = guides.map((g) => `${g.axis}${g.at}`).join();
    if (layer.dataset['key'] === key) return;
    layer.dataset['key'] = key;
    layer.replaceChildren(
      ...guides.map((g) => {
        const line = document.createElement('div');
        line.className = `guide guide-${g.axis}`;
        line.style[g.axis === 'x' ? 'left' : 'top'] = `${g.at * 100}%`;
        return line;
      }),
    );
  }

  private guideLayer?: HTMLElement;

  private hideGuides(): void {
    if (this.guideLayer) {
      this.guideLayer.replaceChildren();
      delete this.guideLayer.dataset['key'];
    }
    this.guideLayer = undefined;
  }

  // ---- file input and drop

  private onFileChosen(e: Event): void {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (file) void this.upload(file);
    input.value = '';
  }

  private onDragOver(e: DragEvent): void {
    if (!e.dataTransfer?.types.includes('Files')) return;
    e.preventDefault();
    this.dragOver = true;
  }

  private onDrop(e: DragEvent): void {
    e.preventDefault();
    this.dragOver = false;
    const file = e.dataTransfer?.files[0];
    if (file) void this.upload(file);
  }

  // ---- rendering

  override render(): TemplateResult {
    if (!this.client) {
      return html`<div part="base" class="base">
        <p part="message" class="message" role="status">${this.t('builder.unconfigured')}</p>
      </div>`;
    }
    return html`<div
      part="base"
      class="base"
      role="region"
      aria-label=${this.t('builder.label')}
      data-state=${this.phase}
      @pointermove=${this.onPointerMove}
      @pointerup=${this.onPointerUp}
      @pointercancel=${this.onPointerUp}
    >
      ${this.renderToolbar()} ${this.renderError()}
      <p class="visually-hidden" role="status" aria-live="polite">${this.notice}</p>
      ${
        this.readOnly
          ? html`<div part="message" class="banner readonly" role="status">
              <span>${this.t('builder.readOnly', { version: this.version ?? '' })}</span>
              <button part="button" class="button" ?disabled=${!!this.busy} @click=${() => this.newDraft()}>
                ${this.t('builder.newDraft')}
              </button>
            </div>`
          : nothing
      }
      ${this.renderTabs()}
    </div>`;
  }

  private renderToolbar(): TemplateResult {
    const status = this.status ? this.t(`builder.status.${this.status}`) : this.t('builder.status.unsaved');
    const canEdit = this.phase === 'ready' && !this.readOnly && !this.busy;
    return html`<div part="toolbar" class="toolbar">
      <label class="name">
        <span class="visually-hidden">${this.t('builder.name')}</span>
        <input
          type="text"
          .value=${this.name}
          placeholder=${this.t('builder.untitled')}
          ?disabled=${this.readOnly || !!this.templateId}
          @input=${(e: Event) => (this.name = (e.target as HTMLInputElement).value)}
        />
      </label>
      <span class="status" data-status=${this.status ?? 'unsaved'}>
        ${this.version ? this.t('builder.version', { version: this.version }) + ' · ' : ''}${status}${
          this.dirty && this.version ? ` · ${this.t('builder.status.dirty')}` : ''
        }
      </span>
      <div class="group" role="group" aria-label="${this.t('builder.undo')} / ${this.t('builder.redo')}">
        <button
          part="button"
          class="button undo"
          ?disabled=${!this.undoStack.length || this.readOnly}
          aria-keyshortcuts="Control+Z Meta+Z"
          @click=${() => this.undo()}
        >
          ${this.t('builder.undo')}
        </button>
        <button
          part="button"
          class="button redo"
          ?disabled=${!this.redoStack.length || this.readOnly}
          aria-keyshortcuts="Control+Shift+Z Meta+Shift+Z Control+Y"
          @click=${() => this.redo()}
        >
          ${this.t('builder.redo')}
        </button>
      </div>
      <div class="group">
        <button
          part="button"
          class="button save"
          ?disabled=${!canEdit || !this.hasContent}
          aria-busy=${this.busy === 'save' ? 'true' : 'false'}
          @click=${() => this.save()}
        >
          ${this.busy === 'save' ? this.t('builder.saving') : this.t('builder.save')}
        </button>
        <button
          part="button primary"
          class="button primary publish"
          ?disabled=${!canEdit || !this.hasContent}
          aria-busy=${this.busy === 'publish' ? 'true' : 'false'}
          @click=${() => this.publish()}
        >
          ${this.busy === 'publish' ? this.t('builder.publishing') : this.t('builder.publish')}
        </button>
      </div>
    </div>`;
  }

  private renderError(): TemplateResult | typeof nothing {
    const error = this.error;
    if (!error) return nothing;
    return html`<div part="message" class="banner error" role="alert">
      <div>
        <p class="error-title">${this.t('builder.error.title')}</p>
        <p class="error-message">${error.message}</p>
        ${
          error.items.length
            ? html`<ul>
                ${error.items.map((item) => html`<li>${item}</li>`)}
              </ul>`
            : nothing
        }
      </div>
      <button part="button" class="button" @click=${() => (this.error = undefined)}>
        ${this.t('builder.error.dismiss')}
      </button>
    </div>`;
  }

  private renderTabs(): TemplateResult {
    const tabs: Tab[] = ['fields', 'clauses', 'variables'];
    return html`<div class="tabs" role="tablist" aria-label=${this.t('builder.tabs')} @keydown=${this.onTabKey}>
        ${tabs.map(
          (tab) =>
            html`<button
              role="tab"
              class="tab"
              id="tab-${tab}"
              aria-controls="panel-${tab}"
              aria-selected=${this.tab === tab ? 'true' : 'false'}
              tabindex=${this.tab === tab ? 0 : -1}
              @click=${() => (this.tab = tab)}
            >
              ${this.t(`builder.tab.${tab}`)}
            </button>`,
        )}
      </div>
      <div role="tabpanel" id="panel-fields" aria-labelledby="tab-fields" ?hidden=${this.tab !== 'fields'}>
        ${this.renderFieldsTab()}
      </div>
      <div role="tabpanel" id="panel-clauses" aria-labelledby="tab-clauses" ?hidden=${this.tab !== 'clauses'}>
        ${this.renderClausesTab()}
      </div>
      <div role="tabpanel" id="panel-variables" aria-labelledby="tab-variables" ?hidden=${this.tab !== 'variables'}>
        <cs-variables-editor
          class="variables-editor"
          .variables=${this.variables}
          ?disabled=${this.readOnly}
          locale=${this.effectiveLocale}
          @cs-variables-change=${(e: CustomEvent<VariablesChangeDetail>) =>
            this.commit({ variables: e.detail.variables }, 'variables')}
        ></cs-variables-editor>
      </div>`;
  }

  private onTabKey(e: KeyboardEvent): void {
    const tabs: Tab[] = ['fields', 'clauses', 'variables'];
    const i = tabs.indexOf(this.tab);
    const next =
      e.key === 'ArrowRight'
        ? tabs[(i + 1) % tabs.length]
        : e.key === 'ArrowLeft'
          ? tabs[(i + tabs.length - 1) % tabs.length]
          : undefined;
    if (!next) return;
    e.preventDefault();
    this.tab = next;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`#tab-${next}`)?.focus());
  }

  private renderClausesTab(): TemplateResult {
    if (this.source) {
      return html`<cs-clause-document-editor
        class="clause-editor"
        .server=${this.effectiveServer}
        .token=${this.effectiveToken}
        locale=${this.effectiveLocale}
        .source=${this.source}
        .variables=${this.variables}
        ?inert=${this.readOnly}
        @cs-source-change=${(e: CustomEvent<SourceChangeDetail>) => this.commit({ source: e.detail.source }, 'source')}
      ></cs-clause-document-editor>`;
    }
    if (this.documentId) return html`<p part="message" class="message">${this.t('builder.clauses.pdf')}</p>`;
    return html`<div part="message" class="message">
      <p>${this.t('builder.clauses.none')}</p>
      <button part="button" class="button compose" ?disabled=${this.phase !== 'empty'} @click=${() => this.compose()}>
        ${this.t('builder.compose')}
      </button>
    </div>`;
  }

  private renderFieldsTab(): TemplateResult {
    if (this.phase === 'loading') {
      return html`<p part="message" class="message" role="status">${this.t('builder.loading')}</p>`;
    }
    if (this.phase === 'uploading') {
      return html`<p part="message" class="message" role="status">
        ${this.t('builder.uploading', { name: this.documentName })}
      </p>`;
    }
    if (this.phase === 'empty') return this.renderDropzone();
    if (this.source) {
      return html`<div class="workspace clauses-mode">
        <div class="side">
          <p class="hint">${this.t('builder.clauses.fields')}</p>
          ${this.renderRoles()}
        </div>
        <div class="side">${this.renderVersions()}</div>
      </div>`;
    }
    return html`<div class="workspace">
      <div class="side">${this.renderPalette()} ${this.renderRoles()}</div>
      ${this.renderViewer()}
      <div class="side">${this.renderPanel()} ${this.renderVersions()}</div>
    </div>`;
  }

  private renderDropzone(): TemplateResult {
    return html`<div
      part="dropzone"
      class="dropzone ${this.dragOver ? 'over' : ''}"
      @dragover=${this.onDragOver}
      @dragleave=${() => (this.dragOver = false)}
      @drop=${this.onDrop}
    >
      <h2>${this.t('builder.drop.title')}</h2>
      <p>${this.dragOver ? this.t('builder.drop.active') : this.t('builder.drop.body')}</p>
      <label class="button primary file">
        <span>${this.t('builder.drop.choose')}</span>
        <input class="visually-hidden" type="file" accept="application/pdf,.pdf" @change=${this.onFileChosen} />
      </label>
      <p>${this.t('builder.drop.or')}</p>
      <button part="button" class="button compose" @click=${() => this.compose()}>${this.t('builder.compose')}</button>
    </div>`;
  }

  private renderPalette(): TemplateResult {
    return html`<section part="palette" class="palette" aria-labelledby="palette-title">
      <h2 id="palette-title">${this.t('builder.palette')}</h2>
      <p class="hint" id="palette-hint">${this.t('builder.palette.hint')}</p>
      <div class="palette-items">
        ${FIELD_TYPES.map(
          (type) =>
            html`<button
              part="button"
              class="button palette-item type-${type}"
              data-type=${type}
              aria-describedby="palette-hint"
              ?disabled=${this.readOnly}
              @pointerdown=${(e: PointerEvent) => this.onPalettePointerDown(e, type)}
              @click=${() => {
                if (performance.now() < this.suppressClickUntil) this.suppressClickUntil = 0;
                else void this.addToPageInView(type);
              }}
            >
              ${this.t(`builder.type.${type}`)}
            </button>`,
        )}
      </div>
      ${
        this.fullPage !== undefined
          ? html`<p class="hint place-full">${this.t('builder.pageFull', { page: this.fullPage })}</p>`
          : nothing
      }
      ${
        this.formFields.length && !this.readOnly
          ? html`<button part="button" class="button import" @click=${() => this.importFormFields()}>
              ${this.tn('builder.formFields', this.formFields.length)}
            </button>`
          : nothing
      }
    </section>`;
  }

  private renderRoles(): TemplateResult {
    const last = this.roles.length - 1;
    return html`<section part="roles" class="roles" aria-labelledby="roles-title">
      <h2 id="roles-title">${this.t('builder.roles')}</h2>
      <ol class="role-list">
        ${repeat(
          this.roles,
          (r) => r.key,
          (role, i) => {
            const name = this.roleName(role);
            return html`<li class="role" data-role=${role.key} style="--role:${this.roleColour(role.key)}">
              <span class="swatch" aria-hidden="true"></span>
              <input
                type="text"
                class="role-label"
                aria-label=${this.t('builder.role.label', { n: i + 1 })}
                .value=${role.label ?? ''}
                ?disabled=${this.readOnly}
                @change=${(e: Event) => this.updateRole(i, { label: (e.target as HTMLInputElement).value })}
              />
              <select
                class="role-action"
                aria-label=${this.t('builder.role.action', { n: i + 1 })}
                ?disabled=${this.readOnly}
                @change=${(e: Event) =>
                  this.updateRole(i, { action: (e.target as HTMLSelectElement).value as TemplateRole['action'] })}
              >
                ${ACTIONS.map(
                  (a) =>
                    html`<option value=${a} ?selected=${role.action === a}>${this.t(`builder.action.${a}`)}</option>`,
                )}
              </select>
              <span class="role-buttons">
                <button
                  part="button"
                  class="button icon"
                  aria-label=${this.t('builder.role.up', { name })}
                  ?disabled=${this.readOnly || i === 0}
                  @click=${() => this.moveRole(i, -1)}
                >
                  ↑
                </button>
                <button
                  part="button"
                  class="button icon"
                  aria-label=${this.t('builder.role.down', { name })}
                  ?disabled=${this.readOnly || i === last}
                  @click=${() => this.moveRole(i, 1)}
                >
                  ↓
                </button>
                <button
                  part="button"
                  class="button icon remove-role"
                  aria-label=${this.t('builder.role.remove', { name })}
                  ?disabled=${this.readOnly || last === 0}
                  @click=${() => this.removeRole(i)}
                >
                  ×
                </button>
              </span>
            </li>`;
          },
        )}
      </ol>
      <button part="button" class="button add-role" ?disabled=${this.readOnly} @click=${() => this.addRole()}>
        ${this.t('builder.role.add')}
      </button>
    </section>`;
  }

  private renderViewer(): TemplateResult {
    const sizes = this.pages.sizes;
    const count = sizes.length;
    const byPage = new Map<number, TemplateField[]>();
    for (const f of this.fields) byPage.set(f.page, [...(byPage.get(f.page) ?? []), f]);
    return html`<div class="viewer-wrap">
      <ul class="legend" aria-label=${this.t('builder.legend')}>
        ${this.roles.map(
          (r) =>
            html`<li style="--role:${this.roleColour(r.key)}">
              <span class="swatch" aria-hidden="true"></span>${this.roleName(r)}
            </li>`,
        )}
      </ul>
      <div part="viewer" class="viewer" role="region" tabindex="0" aria-label=${this.t('builder.document')}>
        ${
          this.pages.status === 'error'
            ? html`<p part="message" class="banner error" role="alert">${this.t('builder.documentFailed')}</p>`
            : nothing
        }
        <p class="visually-hidden" id="field-keys">${this.t('builder.field.keys')}</p>
        <div class="pages">
          ${repeat(
            Array.from({ length: count }, (_, i) => i + 1),
            (n) => n,
            (n) => {
              const size = sizes[n - 1] ?? sizes[0] ?? { width: 612, height: 792 };
              return html`<div
                part="page"
                class="page"
                data-page=${n}
                role="group"
                aria-label=${this.t('builder.page', { page: n, pages: count })}
                style="aspect-ratio:${size.width} / ${size.height}"
              >
                <div class="overlay">
                  ${repeat(
                    byPage.get(n) ?? [],
                    (f) => f.id,
                    (f) => this.renderField(f, count),
                  )}
                  <div class="guides" aria-hidden="true"></div>
                </div>
              </div>`;
            },
          )}
        </div>
      </div>
    </div>`;
  }

  private renderField(field: TemplateField, pages: number): TemplateResult {
    const selected = field.id === this.selectedId;
    const role = this.roles.find((r) => r.key === field.role);
    const type = this.t(`builder.type.${field.type}`);
    return html`<button
      part="field${selected ? ' field-selected' : ''}"
      class="field type-${field.type} ${selected ? 'selected' : ''}"
      data-field-id=${field.id}
      data-role=${field.role}
      style="--role:${this.roleColour(field.role)};left:${field.x * 100}%;top:${field.y * 100}%;width:${
        field.width * 100
      }%;height:${field.height * 100}%"
      aria-pressed=${selected ? 'true' : 'false'}
      aria-label=${this.t('builder.field.describe', {
        type: field.label ? `${field.label} (${type})` : type,
        role: this.roleName(role),
        page: field.page,
      })}
      aria-describedby="field-keys"
      aria-disabled=${this.readOnly ? 'true' : 'false'}
      @pointerdown=${(e: PointerEvent) => this.onFieldPointerDown(e, field)}
      @click=${() => (this.selectedId = field.id)}
      @focus=${() => (this.selectedId = field.id)}
      @keydown=${(e: KeyboardEvent) => this.onFieldKey(e, field)}
      data-pages=${pages}
    >
      <span class="field-text" aria-hidden="true">${field.label || type}</span>
      ${this.readOnly ? nothing : html`<span class="handle" aria-hidden="true"></span>`}
    </button>`;
  }

  /** Where a field is, in words (percentages of the page, to a tenth, in the element's locale). */
  private position(field: TemplateField): string {
    const pct = new Intl.NumberFormat(this.effectiveLocale, { maximumFractionDigits: 1 });
    return this.t('builder.field.position', {
      page: field.page,
      x: pct.format(field.x * 100),
      y: pct.format(field.y * 100),
      width: pct.format(field.width * 100),
      height: pct.format(field.height * 100),
    });
  }

  private renderPanel(): TemplateResult {
    const field = this.fields.find((f) => f.id === this.selectedId);
    if (!field) {
      return html`<section part="panel" class="panel" aria-labelledby="panel-title">
        <h2 id="panel-title">${this.t('builder.field.settings')}</h2>
        <p class="hint">${this.t('builder.field.none')}</p>
      </section>`;
    }
    const ro = this.readOnly;
    return html`<section part="panel" class="panel" aria-labelledby="panel-title" data-field-id=${field.id}>
      <h2 id="panel-title">${this.t('builder.field.settings')}</h2>
      <p class="panel-type">${this.t('builder.field.type')}: ${this.t(`builder.type.${field.type}`)}</p>
      <p class="hint position">${this.position(field)}</p>
      <label class="stack">
        <span>${this.t('builder.field.role')}</span>
        <select
          class="field-role"
          ?disabled=${ro}
          @change=${(e: Event) => this.updateField(field.id, { role: (e.target as HTMLSelectElement).value })}
        >
          ${this.roles.map(
            (r) => html`<option value=${r.key} ?selected=${r.key === field.role}>${this.roleName(r)}</option>`,
          )}
        </select>
      </label>
      <label class="check">
        <input
          type="checkbox"
          class="field-required"
          .checked=${field.required}
          ?disabled=${ro}
          @change=${(e: Event) => this.updateField(field.id, { required: (e.target as HTMLInputElement).checked })}
        />
        <span>${this.t('builder.field.required')}</span>
      </label>
      <label class="stack">
        <span>${this.t('builder.field.label')}</span>
        <input
          type="text"
          class="field-label"
          .value=${field.label ?? ''}
          ?disabled=${ro}
          @change=${(e: Event) => {
            const label = (e.target as HTMLInputElement).value;
            this.updateField(field.id, { label: label || undefined });
          }}
        />
      </label>
      <label class="stack">
        <span>${this.t('builder.field.key')}</span>
        <input
          type="text"
          class="field-key"
          .value=${field.key ?? ''}
          ?disabled=${ro}
          spellcheck="false"
          @change=${(e: Event) => {
            const key = (e.target as HTMLInputElement).value.trim();
            // Without a key nothing is prefilled, so whether the signer may change it no longer applies.
            this.updateField(field.id, key ? { key } : { key: undefined, signerEditable: undefined });
          }}
        />
      </label>
      <cs-condition-input
        class="field-condition"
        label=${this.t('builder.field.condition')}
        .value=${field.condition}
        .variables=${this.variables}
        ?disabled=${ro}
        locale=${this.effectiveLocale}
        @cs-condition-change=${(e: CustomEvent<{ value: TemplateField['condition']; valid: boolean }>) => {
          if (!e.detail.valid) return;
          const { condition: _old, ...rest } = field;
          this.commit(
            {
              fields: this.fields.map((f) =>
                f.id === field.id ? (e.detail.value === undefined ? rest : { ...rest, condition: e.detail.value }) : f,
              ),
            },
            `condition ${field.id}`,
          );
        }}
      ></cs-condition-input>
      ${field.type === 'text' && field.key ? this.renderSignerEditable(field) : nothing}
      ${field.type === 'text' ? this.renderValidation(field) : nothing}
      <button part="button" class="button remove-field" ?disabled=${ro} @click=${() => this.removeField(field.id)}>
        ${this.t('builder.field.remove')}
      </button>
    </section>`;
  }

  /** A keyed text field is prefilled from merge data: may the signer change that value? */
  private renderSignerEditable(field: TemplateField): TemplateResult {
    return html`<label class="check">
        <input
          type="checkbox"
          class="field-signer-editable"
          .checked=${field.signerEditable === true}
          ?disabled=${this.readOnly}
          aria-describedby="signer-editable-hint"
          @change=${(e: Event) => {
            const { signerEditable: _old, ...rest } = field;
            const checked = (e.target as HTMLInputElement).checked;
            this.commit({
              fields: this.fields.map((f) =>
                f.id === field.id ? (checked ? { ...rest, signerEditable: true } : rest) : f,
              ),
            });
          }}
        />
        <span>${this.t('builder.field.signerEditable')}</span>
      </label>
      <p class="hint" id="signer-editable-hint">${this.t('builder.field.signerEditableHint')}</p>`;
  }

  /** The text field's format: a kind, and the pattern, bounds and message that kind takes. */
  private renderValidation(field: TemplateField): TemplateResult {
    const ro = this.readOnly;
    const rule = field.validation;
    const errors = this.validationErrors?.fieldId === field.id ? this.validationErrors.errors : [];
    // While a rule is being corrected the controls show what was typed, not the last sound rule.
    const kind = (this.renderRoot.querySelector<HTMLSelectElement>('.validation-kind')?.value || undefined) as
      FieldValidation['kind'] | undefined;
    const shown = errors.length ? kind : rule?.kind;
    // Only max can be wrong on its own terms here (below min): the inputs take numbers only.
    const errorFor = (key: 'min' | 'max') =>
      errors.some((e) => e.path === key) ? this.t('builder.validation.minMax') : undefined;
    const input = (e: Event) => this.onValidationInput(field, e);
    const number = (key: 'min' | 'max') => {
      const error = errorFor(key);
      return html`<label class="stack">
          <span>${this.t(`builder.validation.${key}`)}</span>
          <input
            type="number"
            step="any"
            class="validation-${key}"
            .value=${rule?.[key] !== undefined ? String(rule[key]) : ''}
            ?disabled=${ro}
            aria-invalid=${error ? 'true' : 'false'}
            aria-describedby=${error ? `validation-${key}-error` : nothing}
            @input=${input}
          />
        </label>
        ${error ? html`<p class="validation-error" id="validation-${key}-error">${error}</p>` : nothing}`;
    };
    const patternCode = errors.find((e) => e.path === 'pattern')?.code;
    const patternError = patternCode ? this.t(`builder.validation.${patternCode}`) : undefined;
    return html`<fieldset class="validation" ?disabled=${ro}>
      <legend>${this.t('builder.validation')}</legend>
      <label class="stack">
        <span>${this.t('builder.validation.kind')}</span>
        <select class="validation-kind" @change=${input}>
          ${(['', 'email', 'phone', 'number', 'date', 'pattern'] as const).map(
            (k) =>
              html`<option value=${k} ?selected=${(shown ?? '') === k}>
                ${this.t(`builder.validation.${k || 'none'}`)}
              </option>`,
          )}
        </select>
      </label>
      ${
        shown === 'pattern'
          ? html`<label class="stack">
                <span>${this.t('builder.validation.patternLabel')}</span>
                <input
                  type="text"
                  class="validation-pattern"
                  spellcheck="false"
                  autocomplete="off"
                  .value=${rule?.pattern ?? ''}
                  aria-invalid=${patternError ? 'true' : 'false'}
                  aria-describedby="validation-pattern-hint${patternError ? ' validation-pattern-error' : ''}"
                  @input=${input}
                />
              </label>
              <p class="hint" id="validation-pattern-hint">${this.t('builder.validation.patternHint')}</p>
              ${patternError ? html`<p class="validation-error" id="validation-pattern-error">${patternError}</p>` : nothing}`
          : nothing
      }
      ${shown === 'number' ? html`${number('min')}${number('max')}` : nothing}
      ${
        shown
          ? html`<label class="stack">
              <span>${this.t('builder.validation.message')}</span>
              <input
                type="text"
                class="validation-message"
                maxlength="200"
                .value=${rule?.message ?? ''}
                @input=${input}
              />
            </label>`
          : nothing
      }
    </fieldset>`;
  }

  private renderVersions(): TemplateResult | typeof nothing {
    if (!this.versions.length) return nothing;
    return html`<section part="versions" class="versions" aria-labelledby="versions-title">
      <h2 id="versions-title">${this.t('builder.versions')}</h2>
      ${
        // Opening another version would drop the edits: save (or undo) them first.
        this.dirty ? html`<p class="hint" id="versions-dirty">${this.t('builder.versions.dirty')}</p>` : nothing
      }
      <ol>
        ${[...this.versions].reverse().map(
          (v) =>
            html`<li>
              <button
                class="link version"
                data-version=${v.version}
                aria-current=${v.version === this.version ? 'true' : 'false'}
                aria-describedby=${this.dirty ? 'versions-dirty' : nothing}
                ?disabled=${!!this.busy || this.dirty}
                @click=${() => this.openVersion(v)}
              >
                ${this.t('builder.version', { version: v.version })} · ${this.t(`builder.status.${v.status}`)}
              </button>
            </li>`,
        )}
      </ol>
    </section>`;
  }
}
