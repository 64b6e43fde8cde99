// @swc/jest transpiles (TypeScript 6/7 type-checking runs separately: `npm run typecheck`).
const swc = require('./test/helpers/swc-options');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', swc] },
  // jose, cookie (via light-my-request) and content-disposition (via @fastify/static) are ESM-only; transpile them to CommonJS inside Jest.
  transformIgnorePatterns: ['/node_modules/(?!(jose|cookie|content-disposition)/)'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  testTimeout: 60_000,
  maxWorkers: 2,
};
