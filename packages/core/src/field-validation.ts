/**
 * A text field's format (email, phone, number, date, pattern): the same checks run in the
 * signer pad before a value is sent and on the server before it is stored.
 */

import type { FieldPlacement, FieldValidation } from './types.ts';
import { isEmailAddress, isIsoDate, phoneDigits } from './variables.ts';

/** Why a value fails its field's validation; `limit` is the bound a number crossed. */
export type FieldValueProblem =
  { code: 'email' | 'phone' | 'number' | 'date' | 'pattern' } | { code: 'min' | 'max'; limit: number };

/** A problem with the rule itself, at its property (what the builder and the server refuse). */
export interface FieldValidationRuleError {
  path: 'kind' | 'pattern' | 'min' | 'max';
  code:
    | 'unknown-kind'
    | 'pattern-required'
    | 'pattern-invalid'
    | 'pattern-slow'
    | 'not-for-kind'
    | 'not-a-number'
    | 'min-above-max';
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

function compile(pattern: string): RegExp | undefined {
  try {
    // Compiled alone first, so a pattern like `a)|(b` cannot step out of the anchoring group.
    new RegExp(pattern, 'u');
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    return undefined;
  }
}

/** A quantifier at `i`: its length, whether it repeats (more than once) and whether its count varies. */
function quantifierAt(pattern: string, i: number): { length: number; repeats: boolean; variable: boolean } | undefined {
  const c = pattern[i];
  let q: { length: number; repeats: boolean; variable: boolean } | undefined;
  if (c === '*' || c === '+') q = { length: 1, repeats: true, variable: true };
  else if (c === '?') q = { length: 1, repeats: false, variable: true };
  else if (c === '{') {
    const m = /^\{(\d+)(?:(,)(\d*))?\}/.exec(pattern.slice(i));
    if (!m) return undefined;
    const min = Number(m[1]);
    const max = m[2] ? (m[3] ? Number(m[3]) : Infinity) : min;
    q = { length: m[0].length, repeats: max > 1, variable: max !== min };
  }
  if (q && pattern[i + q.length] === '?') q.length++; // lazy
  return q;
}

/**
 * True when a repeated group holds a repetition whose count varies, as in `(a+)+` or
 * `(\w+\s?)*`: the shape that makes a backtracking engine take exponential time on a near
 * miss, which would stall the server on one signer's value. A heuristic (overlapping
 * alternatives like `(a|a)*` pass), but it catches the patterns people write by mistake;
 * `(\d{3}-)+` and `[A-Z]{2}\d+` are fine.
 */
function hasNestedRepetition(pattern: string): boolean {
  const groups: boolean[] = []; // per open group: holds a variable repetition
  const mark = () => {
    if (groups.length) groups[groups.length - 1] = true;
  };
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    let inner = false;
    if (c === '(') {
      groups.push(false);
      i++;
      const prefix = /^\?(?::|=|!|<=|<!|<[A-Za-z_$][\w$]*>)/.exec(pattern.slice(i));
      if (prefix) i += prefix[0].length;
      continue;
    } else if (c === ')') {
      inner = groups.pop() ?? false;
      i++;
    } else if (c === '\\') {
      i += 2;
    } else if (c === '[') {
      i++;
      while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
      i++;
    } else {
      i++;
    }
    const q = quantifierAt(pattern, i);
    if (q) {
      if (inner && q.repeats) return true;
      i += q.length;
    }
    if (inner || q?.variable) mark();
  }
  return false;
}

/** What is wrong with a rule: unknown kind, a pattern that does not compile, min above max… */
export function fieldValidationRuleErrors(rule: FieldValidation): FieldValidationRuleError[] {
  const errors: FieldValidationRuleError[] = [];
  if (!KINDS.has(rule.kind))
    errors.push({ path: 'kind', code: 'unknown-kind', message: `Unknown validation ${String(rule.kind)}` });
  if (rule.kind === 'pattern') {
    if (rule.pattern === undefined || rule.pattern === '')
      errors.push({ path: 'pattern', code: 'pattern-required', message: 'A pattern is required' });
    else if (!compile(rule.pattern))
      errors.push({
        path: 'pattern',
        code: 'pattern-invalid',
        message: 'The pattern is not a valid regular expression',
      });
    else if (hasNestedRepetition(rule.pattern))
      errors.push({
        path: 'pattern',
        code: 'pattern-slow',
        message: 'The pattern repeats a repetition, like (a+)+, which can take exponential time to check',
      });
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
      const re = rule.pattern ? compile(rule.pattern) : undefined;
      return !re || re.test(text) ? undefined : { code: 'pattern' };
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
