import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { imageType } from '../../shared/images';

/** The public URL of every logo is this prefix and the logo's `file_name`, the shape the previous service's had. */
export const LOGO_URL_PREFIX = '/static/logos/';

type Query = (sql: string, parameters?: unknown[]) => Promise<unknown>;

/**
 * Stores the files of `dir` that companies point at (`logo_url` = `/static/logos/<file>`) in `company_logos`, when
 * they are PNG, JPEG or WEBP (by content) and not stored yet. Answers which logos it stored and which it could not
 * (no such file, or not an image): those keep answering 404 until their company uploads one.
 */
export async function importLogoFiles(query: Query, dir: string): Promise<{ stored: string[]; missing: string[] }> {
  const companies = (await query(
    `SELECT c.id, c.logo_url FROM companies c
      WHERE c.logo_url LIKE '${LOGO_URL_PREFIX}%'
        AND NOT EXISTS (SELECT 1 FROM company_logos l WHERE l.file_name = substr(c.logo_url, ${LOGO_URL_PREFIX.length + 1}))`,
  )) as { id: string; logo_url: string }[];
  const stored: string[] = [];
  const missing: string[] = [];
  for (const { id, logo_url: url } of companies) {
    const fileName = url.slice(LOGO_URL_PREFIX.length);
    const content = fileName === path.basename(fileName) ? await readFile(path.join(dir, fileName)).catch(() => undefined) : undefined;
    const type = content && imageType(content);
    if (!content || !type) {
      missing.push(url);
      continue;
    }
    await insertLogo(query, { fileName, companyId: id, contentType: type.contentType, content });
    stored.push(url);
  }
  return { stored, missing };
}

/** Stores a logo under `fileName` (a name already taken keeps its content), with the SHA-256 its ETag is made of. */
export async function insertLogo(
  query: Query,
  logo: { fileName: string; companyId: string; contentType: string; content: Buffer },
): Promise<void> {
  await query(
    `INSERT INTO company_logos (file_name, company_id, content_type, content, sha256)
     VALUES ($1, $2, $3, $4, encode(sha256($4), 'hex')) ON CONFLICT DO NOTHING`,
    [logo.fileName, logo.companyId, logo.contentType, logo.content],
  );
}

/** The logo stored under `fileName`, or null. */
export async function logoByFileName(query: Query, fileName: string): Promise<{ contentType: string; content: Buffer; sha256: string } | null> {
  const rows = (await query(`SELECT content_type, content, sha256 FROM company_logos WHERE file_name = $1`, [fileName])) as {
    content_type: string;
    content: Buffer;
    sha256: string;
  }[];
  return rows[0] ? { contentType: rows[0].content_type, content: rows[0].content, sha256: rows[0].sha256 } : null;
}
