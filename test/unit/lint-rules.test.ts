import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * The house style's dependency rules are enforced by ESLint (eslint.config.mjs, run by `npm test`). These cases prove
 * the rules bite: a regression in the configuration would let a workflow reach Node or the API reach a router.
 */
const root = path.resolve(__dirname, '../..');

/** Lints `code` as if it were `filePath` (the real eslint CLI and config; type-aware rules off for a virtual file). */
function importErrors(filePath: string, code: string): string[] {
  const run = spawnSync(
    process.execPath,
    [
      path.join(root, 'node_modules/eslint/bin/eslint.js'),
      '--stdin',
      '--stdin-filename',
      filePath,
      '--parser-options',
      'projectService:false',
      '--rule',
      '@typescript-eslint/no-floating-promises: off',
      '--format',
      'json',
    ],
    { cwd: root, input: code, encoding: 'utf8' },
  );
  const [result] = JSON.parse(run.stdout) as { messages: { ruleId: string | null; message: string }[] }[];
  const fatal = result.messages.find((m) => m.ruleId === null);
  if (fatal) throw new Error(fatal.message);
  return result.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

describe('dependency rules', () => {
  jest.setTimeout(60_000);

  it.each([
    ['workflows/example.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n"],
    ['workflows/example.ts', "import { createActivities } from '../activities';\nexport const x = createActivities;\n"],
    ['workflows/example.ts', "import { openDatabase } from '../db/data-source';\nexport const x = openDatabase;\n"],
    ['api/example.ts', "import { HotspotOperations } from '../activities/routeros/hotspot';\nexport const x = HotspotOperations;\n"],
    ['api/example.ts', "import { RouterOSAPI } from 'node-routeros';\nexport const x = RouterOSAPI;\n"],
    ['api/example.ts', "import { Worker } from '@temporalio/worker';\nexport const x = Worker;\n"],
    ['domain/example.ts', "import { createHash } from 'node:crypto';\nexport const x = createHash;\n"],
    ['sandbox/example/server.ts', "import { MESSAGES } from '../../domain/messages';\nexport const x = MESSAGES;\n"],
    ['activities/example.ts', "import { purchaseWorkflow } from '../workflows/purchase';\nexport const x = purchaseWorkflow;\n"],
    ['activities/payments/example.ts', "import { buildApp } from '../../api/app';\nexport const x = buildApp;\n"],
    ['db/repositories/example.ts', "import { HttpError } from '../../api/errors';\nexport const x = HttpError;\n"],
  ])('refuses in %s: %s', (file, code) => {
    expect(importErrors(file, code)).not.toEqual([]);
  });

  it.each([
    ['workflows/example.ts', "import { proxyActivities } from '@temporalio/workflow';\nimport type { Activities } from '../activities';\nimport { MESSAGES } from '../domain/messages';\nexport const x = [proxyActivities, MESSAGES] as const;\nexport type A = Activities;\n"],
    ['api/example.ts', "import type { purchaseWorkflow } from '../workflows/purchase';\nexport type W = typeof purchaseWorkflow;\n"],
  ])('allows in %s what the style allows', (file, code) => {
    expect(importErrors(file, code)).toEqual([]);
  });
});
