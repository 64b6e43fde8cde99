import path from 'node:path';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { importLogoFiles } from '../repositories/logos';

/**
 * Company logos in the database, so that every API process serves them (they were files in a local `static/logos/`
 * folder, which only the process that wrote them had). The URL keeps its shape, `/static/logos/<file>`: `file_name`
 * is that last part. Existing files of that folder (relative to the working directory, where the previous service and
 * the first versions of this one wrote them) that a company points at are imported, when they are PNG, JPEG or WEBP;
 * a company whose file is missing or not an image keeps its URL, which answers 404 until it uploads a logo again.
 */
export class CompanyLogos1796095774044 implements MigrationInterface {
  name = 'CompanyLogos1796095774044';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE company_logos (
        file_name varchar(255) PRIMARY KEY,
        company_id varchar(50) NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
        content_type varchar(50) NOT NULL,
        content bytea NOT NULL,
        sha256 char(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX company_logos_company_idx ON company_logos (company_id)`);

    await importLogoFiles((sql, parameters) => q.query(sql, parameters), path.resolve('static', 'logos'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE company_logos`);
  }
}
