import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { importLogoFiles } from '../../db/repositories/logos';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createCompany } from '../helpers/fixtures';

/** Logo files of the previous service's static/logos/ folder, into the database (the migration and npm run import:logos). */
describe('importing logo files', () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(path.join(tmpdir(), 'pagos-logos-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await db.drop();
  });

  it('stores the image files companies point at, names the others, and stores nothing twice', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    writeFileSync(path.join(dir, 'logo_a_abc123.png'), png);
    writeFileSync(path.join(dir, 'logo_b_def456.png'), '<html>not an image</html>');
    writeFileSync(path.join(dir, 'unreferenced.png'), png);
    const a = await createCompany(db.dataSource, { logoUrl: '/static/logos/logo_a_abc123.png' });
    await createCompany(db.dataSource, { logoUrl: '/static/logos/logo_b_def456.png' });
    await createCompany(db.dataSource, { logoUrl: '/static/logos/gone.png' });
    await createCompany(db.dataSource, { logoUrl: '/static/logos/../../etc/passwd' });
    const query = (sql: string, parameters?: unknown[]) => db.dataSource.query(sql, parameters);

    const first = await importLogoFiles(query, dir);
    expect(first.stored).toEqual(['/static/logos/logo_a_abc123.png']);
    expect(first.missing.sort()).toEqual(['/static/logos/../../etc/passwd', '/static/logos/gone.png', '/static/logos/logo_b_def456.png']);
    const rows = await db.dataSource.query(`SELECT file_name, company_id, content_type, content, sha256 FROM company_logos`);
    expect(rows).toEqual([
      {
        file_name: 'logo_a_abc123.png',
        company_id: a.id,
        content_type: 'image/png',
        content: png,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      },
    ]);
    expect((await importLogoFiles(query, dir)).stored).toEqual([]);
  });
});
