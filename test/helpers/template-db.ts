import { openDatabase } from '../../db/data-source';

/** Runs every migration on the template database that test files clone. */
export async function migrateTemplateDatabase(url: string): Promise<void> {
  const dataSource = await openDatabase({ url, poolSize: 2 }, true);
  await dataSource.destroy();
}
