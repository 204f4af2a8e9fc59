export { createApp, type CountersignApp } from './app.ts';
export { openCountersign, type Countersign, type OpenOptions } from './bootstrap.ts';
export { resolveConfig, type Config } from './config.ts';
export { SettableClock, randomIds, type AppDeps, type Clock, type Ids } from './deps.ts';
export { LowdbStore } from './store/lowdb.ts';
export { FileBlobStore, type BlobStore } from './blobs.ts';
export type * from './store/types.ts';
export { seedSigningEnvelope, fixturesDir, type SeedOptions, type SeededEnvelope } from './seed.ts';
