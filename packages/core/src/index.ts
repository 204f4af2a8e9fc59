export * from './types.ts';
export * from './audit-chain.ts';
