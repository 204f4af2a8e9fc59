import { matchesPattern, validateMergeData, type MergeData, type TemplateRole, type Variable } from '@countersign/core';

/** What a form control holds: text for inputs and selects, a boolean for a checkbox. */
export type RawValue = string | boolean;

/** One recipient row of the form, per role of the version. */
export interface RecipientRow {
  role: string;
  label: string;
  action: TemplateRole['action'];
  name: string;
  email: string;
  order: string;
}

/** What a host may prefill from its CRM record. */
export interface RecipientInput {
  role: string;
  name: string;
  email: string;
  order?: number;
}

/** The control's value for a prefilled merge value. */
export function toRaw(variable: Variable, value: MergeData[string] | undefined): RawValue {
  if (variable.type === 'boolean') return value === true || value === 'true';
  if (value === undefined || value === null) return '';
  return String(value);
}

/**
 * Merge data as the server takes it: empty controls left out, numbers and money as numbers
 * when they read as one (else the text, so validation can say what is wrong), booleans as
 * booleans. Keys the host prefilled that the version does not name are kept.
 */
export function toMergeData(
  variables: readonly Variable[],
  raw: Record<string, RawValue>,
  extra: MergeData = {},
  locale = 'en',
): MergeData {
  const known = new Set(variables.map((v) => v.key));
  const out: MergeData = {};
  for (const [key, value] of Object.entries(extra)) if (!known.has(key)) out[key] = value;
  for (const variable of variables) {
    const value = raw[variable.key];
    if (variable.type === 'boolean') {
      out[variable.key] = value === true;
      continue;
    }
    if (typeof value !== 'string' || value.trim() === '') continue;
    if (variable.type === 'number' || variable.type === 'money') {
      const n = parseNumber(value, locale);
      out[variable.key] = n ?? value;
    } else out[variable.key] = variable.type === 'text' ? value : value.trim();
  }
  return out;
}

/**
 * A number as a person types it in `locale`: group separators and spaces dropped, the locale's
 * decimal separator read as a point ("1,234.50" in en, "1.234,50" in de). Undefined when it is not one.
 */
export function parseNumber(text: string, locale = 'en'): number | undefined {
  let group = ',';
  let decimal = '.';
  try {
    for (const part of new Intl.NumberFormat(locale).formatToParts(12345.6)) {
      if (part.type === 'group') group = part.value;
      if (part.type === 'decimal') decimal = part.value;
    }
  } catch {
    /* an unknown locale reads as en */
  }
  const compact = text
    .trim()
    .replace(/[\s\u00a0\u202f]/g, '')
    .split(group)
    .join('')
    .replace(decimal, '.');
  if (!/^[-+]?(\d+\.?\d*|\.\d+)$/.test(compact)) return undefined;
  const n = Number(compact);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * A value that a simple pattern accepts, to show what is expected ("RMA-[0-9]{5}" → "RMA-12345"):
 * literals, escaped literals, \\d and the classes [0-9], [A-Z], [a-z] with an optional {n}, {n,m}
 * or +. Anything else (alternation, groups, optional parts) gives undefined: no example beats a
 * wrong one. The result is checked against the pattern before it is offered.
 */
export function patternExample(pattern: string): string | undefined {
  const token = /\\d|\[0-9\]|\[A-Z\]|\[a-z\]|\\[-./\\ _#:]|[A-Za-z0-9 _\-/#:]/y;
  const count = /\{(\d{1,2})(?:,\d{0,2})?\}|\+/y;
  const seq = { digit: 0, upper: 0, lower: 0 };
  let out = '';
  for (let at = 0; at < pattern.length;) {
    token.lastIndex = at;
    const t = token.exec(pattern);
    if (!t) return undefined;
    at = token.lastIndex;
    count.lastIndex = at;
    const c = count.exec(pattern);
    if (c) at = count.lastIndex;
    const times = c ? (c[1] === undefined ? 1 : Number(c[1])) : 1;
    for (let i = 0; i < times; i++) {
      if (t[0] === '\\d' || t[0] === '[0-9]') out += String((seq.digit++ % 9) + 1);
      else if (t[0] === '[A-Z]') out += String.fromCharCode(65 + (seq.upper++ % 26));
      else if (t[0] === '[a-z]') out += String.fromCharCode(97 + (seq.lower++ % 26));
      else out += t[0].length === 2 ? t[0][1] : t[0];
    }
  }
  return out && matchesPattern(pattern, out) ? out : undefined;
}

/** Problems per variable key (the first one of each); a pattern's says what a value looks like. */
export function variableErrors(variables: readonly Variable[], data: MergeData): Map<string, string> {
  const errors = new Map<string, string>();
  const byKey = new Map(variables.map((v) => [v.key, v]));
  for (const error of validateMergeData(variables, data)) {
    if (errors.has(error.path)) continue;
    const v = byKey.get(error.path);
    const example = v?.type === 'text' && v.pattern !== undefined ? patternExample(v.pattern) : undefined;
    const unlike = example !== undefined && error.message === 'Is not in the expected format';
    errors.set(error.path, unlike ? `${error.message}, like ${example}` : error.message);
  }
  return errors;
}

const EMAIL_CHECK: Variable[] = [{ key: 'email', type: 'email', required: true }];

/** Whether a recipient row must be sent: signers and approvers always, viewers once named. */
export function isRowUsed(row: RecipientRow): boolean {
  return row.action !== 'view' || row.name.trim() !== '' || row.email.trim() !== '';
}

/** Problems of one recipient row, keyed `name`, `email`, `order`, as message keys. */
export function recipientErrors(row: RecipientRow): Map<'name' | 'email' | 'order', string> {
  const errors = new Map<'name' | 'email' | 'order', string>();
  if (!isRowUsed(row)) return errors;
  if (!row.name.trim()) errors.set('name', 'composer.recipient.nameRequired');
  if (validateMergeData(EMAIL_CHECK, { email: row.email.trim() }).length)
    errors.set('email', 'composer.recipient.emailInvalid');
  const order = Number(row.order);
  if (!Number.isInteger(order) || order < 1 || order > 100) errors.set('order', 'composer.recipient.orderInvalid');
  return errors;
}

/** The rows for a version's roles, prefilled from the host's recipients by role. */
export function recipientRows(
  roles: ReadonlyArray<TemplateRole & { order: number }>,
  prefill: readonly RecipientInput[] = [],
): RecipientRow[] {
  return roles.map((role) => {
    const given = prefill.find((r) => r.role === role.key);
    return {
      role: role.key,
      label: role.label ?? role.key,
      action: role.action,
      name: given?.name ?? '',
      email: given?.email ?? '',
      order: String(given?.order ?? role.order),
    };
  });
}
