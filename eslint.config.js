import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { configs as litConfigs } from 'eslint-plugin-lit';
import { configs as wcConfigs } from 'eslint-plugin-wc';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'storybook-static/**',
      'data/**',
      '.artifacts/**',
      '.scratch/**',
      'custom-elements.json',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['packages/elements/**/*.ts', 'stories/**/*.ts', 'test/elements/**/*.ts'],
    ...litConfigs['flat/recommended'],
  },
  {
    files: ['packages/elements/**/*.ts'],
    ...wcConfigs['flat/recommended'],
  },
  {
    // core is isomorphic: no DOM and no Node built-ins.
    files: ['packages/core/**/*.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        'window',
        'document',
        'navigator',
        'localStorage',
        'sessionStorage',
        'HTMLElement',
        'process',
        'Buffer',
        'require',
      ],
      'no-restricted-imports': ['error', { patterns: ['node:*', 'fs', 'path', 'crypto', 'lit', 'lit/*'] }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', 'demo/**/*.js'],
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        console: 'readonly',
        process: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        customElements: 'readonly',
        location: 'readonly',
      },
    },
  },
);
