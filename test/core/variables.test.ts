import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatVariable, interpolate, placeholders, validateMergeData, type Variable } from '@countersign/core';

const variables: Variable[] = [
  { key: 'customer_name', type: 'text', required: true, maxLength: 80 },
  { key: 'seats', type: 'number', integer: true, min: 1, max: 500 },
  { key: 'monthly_fee', type: 'money', currency: 'EUR', required: true },
  { key: 'yen_fee', type: 'money', currency: 'JPY' },
  { key: 'start_date', type: 'date', min: '2026-01-01' },
  { key: 'billing_email', type: 'email' },
  { key: 'phone', type: 'phone' },
  {
    key: 'tier',
    type: 'enum',
    options: [
      { value: 'standard', label: 'Standard' },
      { value: 'premium', label: 'Premium' },
    ],
  },
  { key: 'auto_renew', type: 'boolean' },
];

describe('merge data validation', () => {
  it('accepts good values of every type, in any script', () => {
    const errors = validateMergeData(variables, {
      customer_name: 'Zoë Łukasz-Müller 山田太郎',
      seats: 12,
      monthly_fee: 1499.5,
      yen_fee: 12000,
      start_date: '2026-12-01',
      billing_email: 'юлия@example.com',
      phone: '+44 (117) 496-0123',
      tier: 'premium',
      auto_renew: false,
    });
    assert.deepEqual(errors, []);
  });

  it('names every missing required variable and every bad value', () => {
    const errors = validateMergeData(variables, {
      customer_name: '  ',
      seats: 2.5,
      yen_fee: 10.5,
      start_date: '2026-02-30',
      billing_email: 'not an email',
      phone: '12',
      tier: 'gold',
      auto_renew: 'yes',
    });
    const byPath = Object.fromEntries(errors.map((e) => [e.path, e.message]));
    assert.deepEqual(Object.keys(byPath).sort(), [
      'auto_renew',
      'billing_email',
      'customer_name',
      'monthly_fee',
      'phone',
      'seats',
      'start_date',
      'tier',
      'yen_fee',
    ]);
    assert.match(byPath.customer_name!, /required/);
    assert.match(byPath.seats!, /whole number/);
    assert.match(byPath.yen_fee!, /0 decimals for JPY/);
    assert.match(byPath.start_date!, /date/);
    assert.match(byPath.tier!, /one of standard, premium/);
  });

  it('checks ranges and lengths', () => {
    const errors = validateMergeData(variables, {
      customer_name: 'x'.repeat(81),
      monthly_fee: 10,
      seats: 501,
      start_date: '2025-12-31',
    });
    assert.deepEqual(
      errors.map((e) => e.path),
      ['customer_name', 'seats', 'start_date'],
    );
  });
});

describe('interpolation', () => {
  it('fills placeholders with formatted values and leaves unknown ones visible', () => {
    const text = 'Dear {{ customer_name }}, from {{start_date}} you pay {{monthly_fee}} ({{tier}}); {{unknown}}.';
    assert.equal(
      interpolate(
        text,
        { customer_name: 'Юлия', start_date: '2026-12-01', monthly_fee: 1499.5, tier: 'premium' },
        variables,
        'en-GB',
      ),
      'Dear Юлия, from 1 December 2026 you pay €1,499.50 (Premium); {{unknown}}.',
    );
    assert.deepEqual(placeholders(text), ['customer_name', 'start_date', 'monthly_fee', 'tier', 'unknown']);
  });

  it('keeps values as text: markup and placeholders inside values are not expanded', () => {
    const out = interpolate('Name: {{customer_name}}', {
      customer_name: '<script>alert(1)</script> {{tier}}',
      tier: 'x',
    });
    assert.equal(out, 'Name: <script>alert(1)</script> {{tier}}');
  });

  it('formats money in the currency and locale', () => {
    const fee = variables.find((v) => v.key === 'yen_fee');
    assert.equal(formatVariable(fee, 12000, 'ja-JP'), '￥12,000');
  });
});
