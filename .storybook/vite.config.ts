// Vite config for Storybook only (the root vite.config.ts is the elements' library build).
import { defineConfig } from 'vite';

export default defineConfig({
  logLevel: 'warn',
  build: { chunkSizeWarningLimit: 2048 },
});
