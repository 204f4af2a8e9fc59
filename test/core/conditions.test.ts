import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkCondition, evaluateCondition } from '@countersign/core';

describe('conditions (JSON Logic over merge data)', () => {
  it('includes the premium SLA clause only when tier is premium', () => {
    const premium = { '==': [{ var: 'tier' }, 'premium'] };
    assert.equal(evaluateCondition(premium, { tier: 'premium' }), true);
    assert.equal(evaluateCondition(premium, { tier: 'standard' }), false);
    assert.equal(evaluateCondition(premium, {}), false);
  });

  it('shows the deposit field when amount > 1000, with numbers and nested logic', () => {
    const deposit = { and: [{ '>': [{ var: 'amount' }, 1000] }, { '!': { var: 'waived' } }] };
    assert.equal(evaluateCondition(deposit, { amount: 1500 }), true);
    assert.equal(evaluateCondition(deposit, { amount: 1000 }), false);
    assert.equal(evaluateCondition(deposit, { amount: 1500, waived: true }), false);
  });

  it('treats no condition as always and booleans as themselves', () => {
    assert.equal(evaluateCondition(undefined, {}), true);
    assert.equal(evaluateCondition(null, {}), true);
    assert.equal(evaluateCondition(false, {}), false);
    assert.equal(evaluateCondition(true, {}), true);
  });

  it('refuses unknown operators, malformed operations and rules nested too deep', () => {
    assert.deepEqual(checkCondition({ '>': [{ var: 'a' }, 1] }), []);
    assert.match(checkCondition({ eval: 'process.exit()' })[0]!.message, /disallowed operator "eval"/);
    assert.match(checkCondition({ '>': [1, 2], '<': [1, 2] })[0]!.message, /exactly one operator/);
    assert.match(checkCondition('tier == premium')[0]!.message, /JSON Logic object/);
    let deep: unknown = { var: 'x' };
    for (let i = 0; i < 40; i++) deep = { '!': deep };
    assert.match(checkCondition(deep)[0]!.message, /deeper than/);
    // A rule that does not check out is never evaluated: the optional content stays out.
    assert.equal(evaluateCondition({ eval: 'x' } as never, {}), false);
    assert.equal(evaluateCondition(deep as never, { x: true }), false);
  });
});
