/**
 * Typed merge variables of a template version, and the validation of merge data against
 * them: the same code checks the agent's form in the browser and the request on the server.
 */

import { matchesPattern } from './patterns.ts';

export type VariableType = 'text' | 'number' | 'money' | 'date' | 'email' | 'phone' | 'enum' | 'boolean';

interface VariableBase {
  key: string;
  label?: string;
  required?: boolean;
  help?: string;
}

export type Variable = VariableBase &
  (
    | { type: 'text'; minLength?: number; maxLength?: number; pattern?: string }
    | { type: 'number'; min?: number; max?: number; integer?: boolean }
    | { type: 'money'; currency: string; min?: number; max?: number }
    | { type: 'date'; min?: string; max?: string }
    | { type: 'email' }
    | { type: 'phone' }
    | { type: 'enum'; options: Array<{ value: string; label?: string }> }
    | { type: 'boolean' }
  );

export type MergeData = Record<string, string | number | boolean | null>;

export interface VariableError {
  path: string;
  message: string;
}

const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]{2,}$/u;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** Minor-unit digits of a currency (2 for EUR, 0 for JPY, 3 for BHD). */
export function currencyDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** An email address as the API accepts it (at most 254 characters). */
export function isEmailAddress(text: string): boolean {
  return text.length <= 254 && EMAIL.test(text);
}

/** A real calendar date written YYYY-MM-DD. */
export function isIsoDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** The digits of a phone number written in any usual way; E.164 allows 8–15 of them. */
export function phoneDigits(text: string): string | undefined {
  const compact = text.replace(/[\s().-]/g, '');
  return /^\+?\d{8,15}$/.test(compact) ? compact : undefined;
}

/** Problems with one value (already known not to be empty). */
function checkValue(variable: Variable, value: unknown): string | undefined {
  switch (variable.type) {
    case 'text': {
      if (typeof value !== 'string') return 'Must be text';
      if (variable.minLength !== undefined && value.length < variable.minLength)
        return `Must be at least ${variable.minLength} characters`;
      if (variable.maxLength !== undefined && value.length > variable.maxLength)
        return `Must be at most ${variable.maxLength} characters`;
      // A stored pattern the engine cannot use checks nothing (templates refuse one at save).
      if (variable.pattern !== undefined && matchesPattern(variable.pattern, value) === false)
        return 'Is not in the expected format';
      return undefined;
    }
    case 'number':
    case 'money': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n)) return 'Must be a number';
      if (variable.type === 'number' && variable.integer && !Number.isInteger(n)) return 'Must be a whole number';
      if (variable.type === 'money') {
        const digits = currencyDigits(variable.currency);
        if (Math.abs(Math.round(n * 10 ** digits) - n * 10 ** digits) > 1e-6)
          return `Must have at most ${digits} decimals for ${variable.currency}`;
      }
      if (variable.min !== undefined && n < variable.min) return `Must be at least ${variable.min}`;
      if (variable.max !== undefined && n > variable.max) return `Must be at most ${variable.max}`;
      return undefined;
    }
    case 'date':
      if (typeof value !== 'string' || !isIsoDate(value)) return 'Must be a date (YYYY-MM-DD)';
      if (variable.min !== undefined && value < variable.min) return `Must be on or after ${variable.min}`;
      if (variable.max !== undefined && value > variable.max) return `Must be on or before ${variable.max}`;
      return undefined;
    case 'email':
      return typeof value === 'string' && isEmailAddress(value) ? undefined : 'Must be an email address';
    case 'phone':
      return typeof value === 'string' && phoneDigits(value) ? undefined : 'Must be a phone number';
    case 'enum':
      return variable.options.some((o) => o.value === value)
        ? undefined
        : `Must be one of ${variable.options.map((o) => o.value).join(', ')}`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'Must be true or false';
  }
}

/**
 * Validates merge data against a version's variables: required ones present, each value of
 * its type. Keys the variables do not name are left alone (fields may prefill from them).
 */
export function validateMergeData(variables: readonly Variable[], data: Record<string, unknown>): VariableError[] {
  const errors: VariableError[] = [];
  for (const variable of variables) {
    const value = data[variable.key];
    if (isEmpty(value)) {
      if (variable.required) errors.push({ path: variable.key, message: 'Is required' });
      continue;
    }
    const problem = checkValue(variable, value);
    if (problem) errors.push({ path: variable.key, message: problem });
  }
  return errors;
}

/** A value as a person reads it in the contract, in `locale` (money and dates through Intl). */
export function formatVariable(variable: Variable | undefined, value: unknown, locale = 'en'): string {
  if (isEmpty(value)) return '';
  if (!variable) return String(value);
  switch (variable.type) {
    case 'money': {
      const n = Number(value);
      return Number.isFinite(n)
        ? new Intl.NumberFormat(locale, { style: 'currency', currency: variable.currency }).format(n)
        : String(value);
    }
    case 'number': {
      const n = Number(value);
      return Number.isFinite(n) ? new Intl.NumberFormat(locale).format(n) : String(value);
    }
    case 'date':
      return typeof value === 'string' && isIsoDate(value)
        ? new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${value}T00:00:00Z`))
        : String(value);
    case 'boolean':
      return value === true ? 'Yes' : 'No';
    case 'enum':
      return variable.options.find((o) => o.value === value)?.label ?? String(value);
    default:
      return String(value);
  }
}

/**
 * Fills `{{key}}` placeholders with formatted merge values. The result is plain text: a value
 * is never read as markup or as another placeholder. Unknown keys stay visible as `{{key}}`.
 */
export function interpolate(
  text: string,
  data: Record<string, unknown>,
  variables: readonly Variable[] = [],
  locale = 'en',
): string {
  const byKey = new Map(variables.map((v) => [v.key, v]));
  return text.replace(/\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g, (match, key: string) =>
    key in data && !isEmpty(data[key]) ? formatVariable(byKey.get(key), data[key], locale) : match,
  );
}

/** The `{{keys}}` a text uses, in order of first use. */
export function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g)].map((m) => m[1]!))];
}
