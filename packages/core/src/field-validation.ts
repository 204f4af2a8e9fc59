/**
 * A text field's format (email, phone, number, date, pattern): the same checks run in the
 * signer pad before a value is sent and on the server before it is stored.
 */

import type { FieldPlacement, FieldValidation } from './types.ts';
import { matchesPattern, patternError, type PatternError } from './patterns.ts';
import { isEmailAddress, isIsoDate, phoneDigits } from './variables.ts';

/** Why a value fails its field's validation; `limit` is the bound a number crossed. */
export type FieldValueProblem =
  { code: 'email' | 'phone' | 'number' | 'date' | 'pattern' } | { code: 'min' | 'max'; limit: number };

/** A problem with the rule itself, at its property (what the builder and the server refuse). */
export interface FieldValidationRuleError {
  path: 'kind' | 'pattern' | 'min' | 'max';
  code: 'unknown-kind' | 'pattern-required' | PatternError['code'] | 'not-for-kind' | 'not-a-number' | 'min-above-max';
  message: string;
}

const KINDS = new Set<string>(['email', 'phone', 'number', 'date', 'pattern']);

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** A number typed by a person: optional sign, digits, one decimal point or comma; no grouping. */
export function parseFieldNumber(text: string): number | undefined {
  const t = text.trim();
  if (!/^[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)$/.test(t)) return undefined;
  const n = Number(t.replace(',', '.'));
  return Number.isFinite(n) ? n : undefined;
}

/** What is wrong with a rule: unknown kind, a pattern that does not compile, min above max… */
export function fieldValidationRuleErrors(rule: FieldValidation): FieldValidationRuleError[] {
  const errors: FieldValidationRuleError[] = [];
  if (!KINDS.has(rule.kind))
    errors.push({ path: 'kind', code: 'unknown-kind', message: `Unknown validation ${String(rule.kind)}` });
  if (rule.kind === 'pattern') {
    if (rule.pattern === undefined || rule.pattern === '')
      errors.push({ path: 'pattern', code: 'pattern-required', message: 'A pattern is required' });
    else {
      const error = patternError(rule.pattern);
      if (error) errors.push({ path: 'pattern', code: error.code, message: error.message });
    }
  } else if (rule.pattern !== undefined) {
    errors.push({ path: 'pattern', code: 'not-for-kind', message: 'Only a pattern validation takes a pattern' });
  }
  for (const key of ['min', 'max'] as const) {
    const n = rule[key];
    if (n === undefined) continue;
    if (rule.kind !== 'number')
      errors.push({ path: key, code: 'not-for-kind', message: `Only a number validation takes ${key}` });
    else if (typeof n !== 'number' || !Number.isFinite(n))
      errors.push({ path: key, code: 'not-a-number', message: 'Must be a number' });
  }
  if (rule.kind === 'number' && rule.min !== undefined && rule.max !== undefined && rule.min > rule.max)
    errors.push({ path: 'max', code: 'min-above-max', message: 'max must not be less than min' });
  return errors;
}

/**
 * Why `value` does not fit `field`'s validation, or undefined when it does. An empty value
 * passes: whether the field must be filled is the `required` check's business.
 */
export function fieldValueProblem(
  field: Pick<FieldPlacement, 'type' | 'validation'>,
  value: unknown,
): FieldValueProblem | undefined {
  const rule = field.validation;
  if (field.type !== 'text' || !rule || isEmpty(value)) return undefined;
  if (typeof value !== 'string') return { code: rule.kind === 'pattern' ? 'pattern' : rule.kind };
  const text = value.trim();
  switch (rule.kind) {
    case 'email':
      return isEmailAddress(text) ? undefined : { code: 'email' };
    case 'phone':
      return phoneDigits(text) ? undefined : { code: 'phone' };
    case 'date':
      return isIsoDate(text) ? undefined : { code: 'date' };
    case 'number': {
      const n = parseFieldNumber(text);
      if (n === undefined) return { code: 'number' };
      if (rule.min !== undefined && n < rule.min) return { code: 'min', limit: rule.min };
      if (rule.max !== undefined && n > rule.max) return { code: 'max', limit: rule.max };
      return undefined;
    }
    case 'pattern': {
      // A stored pattern the engine cannot use checks nothing, as an invalid one always did.
      return !rule.pattern || matchesPattern(rule.pattern, text) !== false ? undefined : { code: 'pattern' };
    }
  }
}

const DEFAULT_MESSAGES: Record<FieldValueProblem['code'], (limit?: number) => string> = {
  email: () => 'Enter an email address, like name@example.com',
  phone: () => 'Enter a phone number (8 to 15 digits, may start with +)',
  number: () => 'Enter a number',
  min: (limit) => `Enter a number of at least ${limit}`,
  max: (limit) => `Enter a number of at most ${limit}`,
  date: () => 'Enter a date as YYYY-MM-DD',
  pattern: () => 'This is not in the expected format',
};

/**
 * The message to show for `value` in `field` (the rule's own `message` when it has one), or
 * undefined when the value is valid. An empty value is valid here (see `fieldValueProblem`).
 */
export function validateFieldValue(
  field: Pick<FieldPlacement, 'type' | 'validation'>,
  value: unknown,
): string | undefined {
  const problem = fieldValueProblem(field, value);
  if (!problem) return undefined;
  const custom = field.validation?.message?.trim();
  return custom || DEFAULT_MESSAGES[problem.code]('limit' in problem ? problem.limit : undefined);
}
