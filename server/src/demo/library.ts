import type { ClauseInput, TemplateRole, Variable } from '@countersign/core';

/**
 * Northwind Fibre's clause library and the variables of its "Cloud Backup subscription
 * amendment": realistic text, so the demo's composer, preview and sealed PDF look like the
 * real thing. Core clauses are locked (only legal may change them); the premium service-level
 * clause applies only when the customer's tier is premium.
 */

export const SAAS_ROLES: TemplateRole[] = [{ key: 'customer', label: 'Customer', action: 'sign', order: 1 }];

export const SAAS_VARIABLES: Variable[] = [
  { key: 'customer_company', type: 'text', label: 'Customer (company or name)', required: true, maxLength: 200 },
  { key: 'customer_contact', type: 'text', label: 'Customer contact', required: true, maxLength: 200 },
  { key: 'account_number', type: 'text', label: 'Account number', required: true, pattern: 'NWF-[0-9]{6}' },
  {
    key: 'tier',
    type: 'enum',
    label: 'Service tier',
    required: true,
    options: [
      { value: 'standard', label: 'Standard' },
      { value: 'premium', label: 'Premium (with service levels)' },
    ],
  },
  { key: 'seats', type: 'number', label: 'Protected devices', required: true, integer: true, min: 1, max: 500 },
  { key: 'monthly_fee', type: 'money', label: 'Monthly fee', currency: 'GBP', required: true, min: 0 },
  { key: 'effective_date', type: 'date', label: 'Effective date', required: true },
  { key: 'billing_email', type: 'email', label: 'Billing email', required: true },
  { key: 'support_phone', type: 'phone', label: 'Support contact phone' },
];

/** The broadband agreement's merge data (the PDF's prefilled fields use some of these keys). */
export const BROADBAND_VARIABLES: Variable[] = [
  { key: 'customer_name', type: 'text', label: 'Customer name', required: true, maxLength: 200 },
  { key: 'customer_email', type: 'email', label: 'Customer email', required: true },
  { key: 'service_address', type: 'text', label: 'Service address', required: true, maxLength: 300 },
  { key: 'account_number', type: 'text', label: 'Account number', required: true, pattern: 'NWF-[0-9]{6}' },
  {
    key: 'plan',
    type: 'enum',
    label: 'Plan',
    required: true,
    options: [{ value: 'Fibre 150' }, { value: 'Fibre 500' }, { value: 'Fibre 900' }],
  },
  { key: 'monthly_price', type: 'money', label: 'Monthly price', currency: 'GBP', required: true, min: 0 },
];

/** Library clauses in the order the amendment uses them; `key` is how the seed refers to them. */
export const LIBRARY_CLAUSES: ClauseInput[] = [
  {
    key: 'amendment-scope',
    title: 'Scope of this amendment',
    category: 'general',
    tags: ['amendment'],
    locked: true,
    body:
      'This amendment adds **Northwind Cloud Backup** to the broadband service agreement between Northwind Fibre Ltd ' +
      'and {{customer_company}} (account {{account_number}}). Everything in that agreement stays in force except ' +
      'where this amendment changes it.',
  },
  {
    key: 'subscription-fees',
    title: 'Subscription and fees',
    category: 'commercial',
    tags: ['fees', 'billing'],
    locked: false,
    body:
      'From {{effective_date}} the customer subscribes to Cloud Backup for {{seats}} protected devices.\n\n' +
      '1. The monthly fee is {{monthly_fee}}, billed with the broadband service.\n' +
      '2. Invoices are sent to {{billing_email}}.\n' +
      '3. Adding devices later is charged pro rata from the day they are added.',
  },
  {
    key: 'premium-sla',
    title: 'Premium service levels',
    category: 'service',
    tags: ['sla', 'premium'],
    locked: false,
    condition: { '==': [{ var: 'tier' }, 'premium'] },
    body:
      'Because the customer has chosen the *Premium* tier, Northwind Fibre commits to:\n\n' +
      '- 99.9% monthly availability of the backup service;\n' +
      '- a first response to support requests within 2 business hours, on {{support_phone}} or by email;\n' +
      '- a restore of up to 500 GB shipped on an encrypted drive within 2 business days.\n\n' +
      'If availability falls below the commitment, the customer is credited 10% of that month’s fee for each ' +
      'full 0.1% below it, up to 50%.',
  },
  {
    key: 'data-protection',
    title: 'Data protection',
    category: 'legal',
    tags: ['gdpr', 'privacy'],
    locked: true,
    body:
      'Northwind Fibre processes the backed-up data only to provide the service, as processor under the UK GDPR. ' +
      'Backups are encrypted in transit and at rest, stored in the United Kingdom, and deleted within 30 days ' +
      'after the subscription ends unless the customer asks for an export first.',
  },
  {
    key: 'term-renewal',
    title: 'Term and cancellation',
    category: 'commercial',
    tags: ['term'],
    locked: false,
    body:
      'The subscription runs month to month. Either party may cancel it with 30 days’ notice; cancelling it does ' +
      'not affect the broadband service.',
  },
  {
    key: 'liability',
    title: 'Limitation of liability',
    category: 'legal',
    tags: ['liability'],
    locked: true,
    body:
      'Each party’s total liability under this amendment is limited to the fees paid in the twelve months before ' +
      'the claim. Nothing limits liability for death or personal injury caused by negligence, or for fraud.',
  },
  {
    key: 'governing-law',
    title: 'Governing law',
    category: 'legal',
    tags: ['law'],
    locked: true,
    body: 'This amendment is governed by the law of England and Wales.',
  },
];

/** Fields of the return form on top of its own AcroForm fields: who fills what, and labels. */
export const RETURN_FIELD_OVERRIDES: Record<
  string,
  { type?: 'signature' | 'date_signed' | 'text' | 'checkbox'; key?: string; label: string; required?: boolean }
> = {
  rma_number: { key: 'rma_number', label: 'Return authorization number' },
  order_number: { key: 'order_number', label: 'Order number' },
  customer_name: { key: 'customer_name', label: 'Customer name' },
  item_description: { key: 'item_description', label: 'Item being returned' },
  return_reason: { key: 'return_reason', label: 'Reason for return' },
  refund_amount: { key: 'refund_amount', label: 'Refund amount' },
  collection_date: { label: 'Courier collection date', required: true },
  accept_conditions: { label: 'I agree to the conditions of return', required: true },
  customer_signature: { type: 'signature', label: 'Customer signature', required: true },
  date_signed: { type: 'date_signed', label: 'Date signed' },
};

export const RETURN_VARIABLES: Variable[] = [
  { key: 'rma_number', type: 'text', label: 'RMA number', required: true, pattern: 'RMA-[0-9]{5}' },
  { key: 'order_number', type: 'text', label: 'Order number', required: true },
  { key: 'customer_name', type: 'text', label: 'Customer name', required: true },
  { key: 'item_description', type: 'text', label: 'Item (model and serial)', required: true },
  {
    key: 'return_reason',
    type: 'enum',
    label: 'Reason for return',
    required: true,
    options: [
      { value: 'Faulty on arrival' },
      { value: 'Upgrade to a newer router' },
      { value: 'Service cancelled' },
      { value: 'Moving out of the service area' },
    ],
  },
  { key: 'refund_amount', type: 'money', label: 'Refund amount', currency: 'GBP', min: 0 },
];
