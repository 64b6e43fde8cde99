import type { RouterEntity } from '../../../db/entities';
import { SecretBox } from '../../../shared/secrets';
import { buildTestApp, type TestApp } from '../../helpers/app';
import { testConfig } from '../../helpers/config';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { FakeWorkflows } from '../../helpers/fake-workflows';
import { createCompany, createRouter, issueKey } from '../../helpers/fixtures';

/** One portal-API test file's world: a fresh database, the app with fake workflows, and a router's API key. */
export interface PortalTest {
  db: TestDatabase;
  t: TestApp;
  workflows: FakeWorkflows;
  router: RouterEntity;
  key: string;
  close(): Promise<void>;
}

export async function setupPortalTest(overrides: Record<string, string> = {}): Promise<PortalTest> {
  const config = testConfig(overrides);
  const workflows = new FakeWorkflows();
  const db = await createTestDatabase();
  const t = await buildTestApp(db, config, { workflows });
  const company = await createCompany(db.dataSource);
  const router = await createRouter(db.dataSource, new SecretBox(config.SECRET_KEY), company.id);
  const { apiKey } = await issueKey(db.dataSource, config, router);
  return {
    db,
    t,
    workflows,
    router,
    key: apiKey,
    async close() {
      await t.close();
      await db.drop();
    },
  };
}
