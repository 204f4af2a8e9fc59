export * from './types.ts';
export * from './audit-chain.ts';
export * from './client.ts';
