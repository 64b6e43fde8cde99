import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findImportCycles } from '../helpers/import-cycles';

/**
 * The house style's dependency rules are enforced by ESLint (eslint.config.mjs, run by `npm test`), and import cycles
 * by the check below. These cases prove the rules bite: a regression in the configuration would let a workflow reach
 * Node, the API reach a router, a route file lean on another, or two modules need each other.
 */
const root = path.resolve(__dirname, '../..');

const IMPORT_RULES = new Set(['@typescript-eslint/no-restricted-imports', 'import-x/no-restricted-paths']);

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
  return result.messages.filter((m) => m.ruleId !== null && IMPORT_RULES.has(m.ruleId)).map((m) => m.message);
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
    ['api/routes/admin/example.ts', "import { registerRouterRoutes } from './routers';\nexport const x = registerRouterRoutes;\n"],
    ['api/routes/admin/example.ts', "import type { registerCatalogRoutes } from '../portal/catalog';\nexport type R = typeof registerCatalogRoutes;\n"],
    ['api/routes/example.ts', "import { registerAuthRoutes } from './auth';\nexport const x = registerAuthRoutes;\n"],
  ])('refuses in %s: %s', (file, code) => {
    expect(importErrors(file, code)).not.toEqual([]);
  });

  it.each([
    ['workflows/example.ts', "import { proxyActivities } from '@temporalio/workflow';\nimport type { Activities } from '../activities';\nimport { MESSAGES } from '../domain/messages';\nexport const x = [proxyActivities, MESSAGES] as const;\nexport type A = Activities;\n"],
    ['api/example.ts', "import type { purchaseWorkflow } from '../workflows/purchase';\nexport type W = typeof purchaseWorkflow;\n"],
    ['api/routes/admin/example.ts', "import { findRouter } from '../../admin/routers';\nexport const x = findRouter;\n"],
    ['api/routes/admin/index.ts', "import { registerRouterRoutes } from './routers';\nexport const x = registerRouterRoutes;\n"],
  ])('allows in %s what the style allows', (file, code) => {
    expect(importErrors(file, code)).toEqual([]);
  });
});

describe('import cycles', () => {
  /** Where no module may need another that needs it back (value or type imports). */
  const CHECKED = ['api', 'activities', 'workflows', 'db', 'domain', 'shared'];

  it('has none among our modules', () => {
    expect(findImportCycles(root, CHECKED)).toEqual([]);
  });

  it('finds a planted cycle, through another folder and type imports alone', () => {
    const tree = mkdtempSync(path.join(tmpdir(), 'import-cycles-'));
    try {
      mkdirSync(path.join(tree, 'api/routes'), { recursive: true });
      mkdirSync(path.join(tree, 'domain'));
      writeFileSync(path.join(tree, 'api/routes/a.ts'), "import type { B } from '../../domain/b';\nexport interface A { b?: B }\n");
      writeFileSync(path.join(tree, 'domain/b.ts'), "import type { A } from '../api/routes/a';\nexport interface B { a?: A }\n");
      writeFileSync(path.join(tree, 'domain/c.ts'), "import type { B } from './b';\nexport type C = B;\n");
      expect(findImportCycles(tree, CHECKED)).toEqual([['api/routes/a.ts', 'domain/b.ts']]);
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  });
});
