import { LogicEngine } from 'json-logic-engine';

/** A JSON Logic rule, e.g. `{">": [{"var": "amount"}, 5000]}`. */
export type Condition = Record<string, unknown> | boolean;

export interface ConditionError {
  path: string;
  message: string;
}

/** Rules are written by legal and evaluated on every render: keep them small and bounded. */
const LIMITS = { maxDepth: 16, maxArrayLength: 200, maxStringLength: 2000 };

// The interpreter (not the compiler): no `new Function`, so it runs under a strict CSP too.
const engine = new LogicEngine(undefined, LIMITS);

/** Operators a condition may use: comparison, logic, arithmetic and data access; nothing else. */
const ALLOWED = new Set([
  'var',
  'missing',
  'missing_some',
  'val',
  'exists',
  '==',
  '===',
  '!=',
  '!==',
  '>',
  '>=',
  '<',
  '<=',
  'between',
  '!',
  '!!',
  'and',
  'or',
  'if',
  '?:',
  '??',
  '+',
  '-',
  '*',
  '/',
  '%',
  'min',
  'max',
  'in',
  'cat',
  'substr',
  'merge',
  'all',
  'none',
  'some',
]);

/**
 * Checks that `rule` is a JSON Logic rule built from the allowed operators, within the depth
 * and size limits; returns every problem found (empty when the rule is usable).
 */
export function checkCondition(rule: unknown, path = 'condition'): ConditionError[] {
  const errors: ConditionError[] = [];
  const visit = (node: unknown, at: string, depth: number): void => {
    if (depth > LIMITS.maxDepth) {
      errors.push({ path: at, message: `Nested deeper than ${LIMITS.maxDepth} levels` });
      return;
    }
    if (Array.isArray(node)) {
      if (node.length > LIMITS.maxArrayLength) errors.push({ path: at, message: 'Too many items' });
      node.forEach((item, i) => visit(item, `${at}.${i}`, depth + 1));
      return;
    }
    if (typeof node === 'string') {
      if (node.length > LIMITS.maxStringLength) errors.push({ path: at, message: 'Text too long' });
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const keys = Object.keys(node);
    if (keys.length !== 1) {
      errors.push({ path: at, message: 'An operation is an object with exactly one operator' });
      return;
    }
    const op = keys[0]!;
    if (!ALLOWED.has(op)) {
      errors.push({ path: at, message: `Unknown or disallowed operator "${op}"` });
      return;
    }
    visit((node as Record<string, unknown>)[op], `${at}.${op}`, depth + 1);
  };
  if (typeof rule === 'boolean') return errors;
  if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) {
    return [{ path, message: 'A condition is a JSON Logic object or true/false' }];
  }
  visit(rule, path, 0);
  return errors;
}

/**
 * Evaluates a condition over merge data with JSON Logic truthiness. No condition means
 * "always". A rule that fails to evaluate counts as false (the clause or field is left out),
 * which is the safe side for optional content.
 */
export function evaluateCondition(rule: Condition | undefined | null, data: Record<string, unknown>): boolean {
  if (rule === undefined || rule === null) return true;
  if (typeof rule === 'boolean') return rule;
  if (checkCondition(rule).length) return false;
  try {
    return Boolean(engine.truthy(engine.run(rule, data)));
  } catch {
    return false;
  }
}
