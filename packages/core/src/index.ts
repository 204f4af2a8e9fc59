export * from './types.ts';
export * from './audit-chain.ts';
export * from './client.ts';
export * from './conditions.ts';
export * from './variables.ts';
export * from './clause-text.ts';
export * from './field-validation.ts';
export * from './patterns.ts';
