// Lint config: typescript-eslint recommended, plus a rule that keeps the pure codec free of I/O.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', URL: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', TextDecoder: 'readonly', TextEncoder: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // src/format is a pure codec: no file system, network, process or clock access.
    files: ['src/format/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:fs*', 'fs', 'fs/*', 'node:net', 'node:http*', 'node:child_process', 'node:worker_threads', 'node:os', '@azure/*', 'better-sqlite3', '../store/*', '../read/*', '../load/*', '../state/*', '../source/*', '../cli/*', '../progress/*'], message: 'src/format is a pure codec: no I/O and no imports from outer layers.' },
        ],
      }],
      'no-restricted-globals': ['error', { name: 'Date', message: 'no clock in the codec' }, { name: 'process', message: 'no process access in the codec' }],
      'no-restricted-properties': ['error', { object: 'Math', property: 'random', message: 'inject a RandomSource' }],
    },
  },
);
