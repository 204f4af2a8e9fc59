import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  fieldValidationRuleErrors,
  fieldValueProblem,
  parseFieldNumber,
  validateFieldValue,
  type FieldValidation,
} from '@countersign/core';

const text = (validation: FieldValidation) => ({ type: 'text' as const, validation });

describe('validateFieldValue', () => {
  it('an empty value passes every kind (required is checked at completion, not here)', () => {
    for (const kind of ['email', 'phone', 'number', 'date', 'pattern'] as const) {
      const field = text({ kind, ...(kind === 'pattern' ? { pattern: '[A-Z]{2}' } : {}) });
      for (const empty of ['', '   ', null, undefined]) assert.equal(validateFieldValue(field, empty), undefined);
    }
  });

  it('email: accepts an address, refuses anything else with the default message', () => {
    const field = text({ kind: 'email' });
    assert.equal(validateFieldValue(field, 'zoë@example.com'), undefined);
    assert.equal(validateFieldValue(field, ' ana@example.org '), undefined);
    assert.equal(validateFieldValue(field, 'not an email'), 'Enter an email address, like name@example.com');
    assert.equal(
      validateFieldValue(field, '<img src=x onerror=alert(1)>'),
      'Enter an email address, like name@example.com',
    );
    assert.equal(
      validateFieldValue(field, `${'a'.repeat(250)}@example.com`),
      'Enter an email address, like name@example.com',
    );
  });

  it('phone: 8 to 15 digits written any usual way', () => {
    const field = text({ kind: 'phone' });
    assert.equal(validateFieldValue(field, '+44 20 7946 0958'), undefined);
    assert.equal(validateFieldValue(field, '(030) 1234-5678'), undefined);
    assert.deepEqual(fieldValueProblem(field, '12345'), { code: 'phone' });
    assert.deepEqual(fieldValueProblem(field, 'call me'), { code: 'phone' });
  });

  it('number: decimal point or comma, bounded by min and max (inclusive)', () => {
    const field = text({ kind: 'number', min: 1, max: 500 });
    assert.equal(validateFieldValue(field, '1'), undefined);
    assert.equal(validateFieldValue(field, '500'), undefined);
    assert.equal(validateFieldValue(field, '12,5'), undefined);
    assert.equal(validateFieldValue(field, '12.5'), undefined);
    assert.deepEqual(fieldValueProblem(field, '0.5'), { code: 'min', limit: 1 });
    assert.deepEqual(fieldValueProblem(field, '501'), { code: 'max', limit: 500 });
    assert.equal(validateFieldValue(field, '501'), 'Enter a number of at most 500');
    assert.equal(validateFieldValue(field, '0'), 'Enter a number of at least 1');
    for (const bad of ['1,000.5', '1e3', 'ten', '12 apples', 'Infinity', '0x10'])
      assert.deepEqual(fieldValueProblem(field, bad), { code: 'number' }, bad);
  });

  it('date: a real calendar date as YYYY-MM-DD', () => {
    const field = text({ kind: 'date' });
    assert.equal(validateFieldValue(field, '2026-02-28'), undefined);
    assert.deepEqual(fieldValueProblem(field, '2026-02-30'), { code: 'date' });
    assert.deepEqual(fieldValueProblem(field, '28/02/2026'), { code: 'date' });
  });

  it('pattern: matched against the whole value (anchored), with unicode', () => {
    const field = text({ kind: 'pattern', pattern: '[A-Z]{2}\\d{4}' });
    assert.equal(validateFieldValue(field, 'AB1234'), undefined);
    assert.deepEqual(fieldValueProblem(field, 'xAB1234'), { code: 'pattern' });
    assert.deepEqual(fieldValueProblem(field, 'AB12345'), { code: 'pattern' });
    assert.equal(validateFieldValue(text({ kind: 'pattern', pattern: '\\p{L}+' }), 'Юлия'), undefined);
    // An alternation is anchored as a whole, not only its first branch.
    assert.deepEqual(fieldValueProblem(text({ kind: 'pattern', pattern: 'a|b' }), 'ab'), { code: 'pattern' });
  });

  it('the rule’s own message replaces the default one', () => {
    const field = text({ kind: 'pattern', pattern: 'PO-\\d+', message: 'Use your PO number, e.g. PO-1234' });
    assert.equal(validateFieldValue(field, 'PO-x'), 'Use your PO number, e.g. PO-1234');
    assert.equal(
      validateFieldValue(text({ kind: 'email', message: '   ' }), 'x'),
      'Enter an email address, like name@example.com',
    );
  });

  it('only text fields are validated; a non-string value of a text field fails', () => {
    const rule: FieldValidation = { kind: 'email' };
    assert.equal(validateFieldValue({ type: 'checkbox', validation: rule }, true), undefined);
    assert.equal(validateFieldValue({ type: 'text' }, 'anything'), undefined);
    assert.deepEqual(fieldValueProblem(text(rule), 42), { code: 'email' });
  });
});

describe('fieldValidationRuleErrors', () => {
  it('accepts sound rules', () => {
    assert.deepEqual(fieldValidationRuleErrors({ kind: 'email', message: 'Your work address' }), []);
    assert.deepEqual(fieldValidationRuleErrors({ kind: 'number', min: -5, max: 5 }), []);
    assert.deepEqual(fieldValidationRuleErrors({ kind: 'number', min: 3, max: 3 }), []);
    assert.deepEqual(fieldValidationRuleErrors({ kind: 'pattern', pattern: '[A-Z]+' }), []);
  });

  it('refuses a pattern that does not compile, a missing pattern, min above max, options of another kind', () => {
    assert.deepEqual(fieldValidationRuleErrors({ kind: 'pattern', pattern: '([a-z' }), [
      { path: 'pattern', code: 'pattern-invalid', message: 'The pattern is not a valid regular expression' },
    ]);
    // Anchoring must not let a pattern close our group and compile anyway.
    assert.equal(fieldValidationRuleErrors({ kind: 'pattern', pattern: 'a)|(b' })[0]?.path, 'pattern');
    assert.deepEqual(fieldValidationRuleErrors({ kind: 'pattern' }), [
      { path: 'pattern', code: 'pattern-required', message: 'A pattern is required' },
    ]);
    assert.deepEqual(fieldValidationRuleErrors({ kind: 'number', min: 10, max: 1 }), [
      { path: 'max', code: 'min-above-max', message: 'max must not be less than min' },
    ]);
    assert.deepEqual(
      fieldValidationRuleErrors({ kind: 'email', pattern: 'x', min: 1 }).map((e) => e.path),
      ['pattern', 'min'],
    );
  });
});

describe('patterns a backtracking engine would take exponential time on', () => {
  it('are accepted, since they run in linear time, and answer a near miss at once', { timeout: 5_000 }, () => {
    // The star-height heuristic refused the first list and let (a|a)* through; neither is needed now.
    for (const pattern of ['(a+)+', '(\\w+\\s?)+', '(a*)*', '((a+))*', '(?:x|y+){2,}', '(?<w>\\d+)*', '(a|a)*']) {
      assert.deepEqual(fieldValidationRuleErrors({ kind: 'pattern', pattern }), [], pattern);
      assert.deepEqual(fieldValueProblem(text({ kind: 'pattern', pattern }), `${'a'.repeat(27)}!`), {
        code: 'pattern',
      });
    }
  });

  it('accepts the usual patterns, escaped parentheses and classes', () => {
    for (const pattern of [
      'PO-\\d{4}',
      '[A-Z]{2}\\d+',
      '(\\d{3}-)+\\d{4}',
      '([A-Z]+)?',
      '(?:DE|AT)\\d{9,10}',
      '\\(a+\\)+',
      '[(]+a*',
      '\\p{Lu}\\p{Ll}+',
      '(ab)+c*',
    ])
      assert.deepEqual(fieldValidationRuleErrors({ kind: 'pattern', pattern }), [], pattern);
  });
});

describe('parseFieldNumber', () => {
  it('reads what a person types', () => {
    assert.equal(parseFieldNumber(' -3,25 '), -3.25);
    assert.equal(parseFieldNumber('.5'), 0.5);
    assert.equal(parseFieldNumber('1 000'), undefined);
  });
});
