// Lint = the house style's dependency rules (README.md, "Layout") made checkable,
// plus the few correctness rules that matter for Temporal code (floating promises, type-only imports).
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const ours = '(api|activities|workflows|worker|db|domain|shared|sandbox|scripts|bench|test)';
const sdkPackages = ['node-routeros', 'node-routeros/*', 'mercadopago', 'mercadopago/*', 'conekta', 'conekta/*'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.tools/', '.dev/', 'coverage/', 'eslint.config.mjs', 'jest.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // portal/: plain browser scripts served by the router (no modules, no build step).
    files: ['portal/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: Object.fromEntries(
        ['window', 'document', 'fetch', 'URLSearchParams', 'setTimeout', 'clearTimeout'].map((name) => [name, 'readonly']),
      ),
    },
    rules: { '@typescript-eslint/no-unused-vars': ['error', { caughtErrors: 'none' }] },
  },
  {
    files: ['**/*.js'],
    ignores: ['portal/**'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // domain/: pure and sandbox-safe. Shared by the API, workflows, activities and the database layer.
    files: ['domain/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { regex: '^(?!zod$|@temporalio/workflow$|@temporalio/common$|\\./)', message: 'domain/ is pure: only zod, @temporalio/workflow (define*), @temporalio/common and other domain files.' },
        ],
      }],
    },
  },
  {
    // workflows/: deterministic code in Temporal's sandbox. Activities are reached through their types only.
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { regex: '^(?!@temporalio/workflow$|\\./|\\.\\./domain/|\\.\\./activities(/|$))', message: 'Workflows may import only @temporalio/workflow, domain/ and activity types.' },
          { regex: '^\\.\\./activities(/|$)', allowTypeImports: true, message: 'Workflows import activity *types* only (import type …).' },
        ],
      }],
    },
  },
  {
    // api/: starts and signals workflows and reads the database; never talks to a router or a gateway itself.
    files: ['api/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        paths: [
          { name: '@temporalio/worker', message: 'The API is a Temporal client, not a worker.' },
          { name: '@temporalio/activity', message: 'The API never runs activities.' },
        ],
        patterns: [
          { group: sdkPackages, message: 'The API never calls RouterOS or a payment gateway: start or signal a workflow.' },
          { regex: '(^|/)activities(/|$)', message: 'The API never imports activities or their adapters.' },
          { regex: '(^|/)(sandbox|worker|scripts|test|bench)(/|$)', message: 'Runtime code does not import the sandbox, the worker, scripts or tests.' },
          { regex: '(^|/)workflows(/|$)', allowTypeImports: true, message: 'The API imports workflow *types* only.' },
        ],
      }],
    },
  },
  {
    // api/routes/: a route file declares routes (schema, guards, a call into a module, the reply). What routes share
    // lives outside routes/ (api/portal, api/admin, api/webhooks, db/repositories); only a folder's index.ts, which
    // registers that folder's routes, imports route files.
    files: ['api/routes/**/*.ts'],
    ignores: ['api/routes/**/index.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js'] })] },
    rules: {
      'import-x/no-restricted-paths': ['error', {
        zones: [{ target: './api/routes', from: './api/routes', message: 'Route files import no route file: move what they share into a module outside api/routes/.' }],
      }],
    },
  },
  {
    // activities/: side effects behind ports; never workflow code or HTTP handlers.
    files: ['activities/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { regex: '^\\.\\.?/(.*/)?(api|workflows|worker|sandbox|scripts|test|bench)(/|$)', message: 'Activities never import workflows, the API, the worker, the sandbox or tests.' },
        ],
      }],
    },
  },
  {
    files: ['db/**/*.ts', 'shared/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [
          { group: sdkPackages, message: 'Gateway and RouterOS SDKs live in activities/ adapters only.' },
          { regex: '^\\.\\.?/(.*/)?(api|activities|workflows|worker|sandbox|scripts|test|bench)(/|$)', message: 'db/ and shared/ depend only on domain/ and each other.' },
        ],
      }],
    },
  },
  {
    // sandbox/: simulators of the outside world. Sharing our types would hide drift, so nothing of ours is imported.
    files: ['sandbox/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {
        patterns: [{ regex: `^\\.\\.?/(\\.\\./)*${ours}(/|$)`, message: 'Simulators import nothing of ours.' }],
      }],
    },
  },
  {
    files: ['scripts/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts', 'sandbox/**/main.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
