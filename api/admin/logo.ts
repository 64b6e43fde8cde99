import { createHash, randomBytes } from 'node:crypto';
import { DomainError } from '../../domain/errors';
import { CompanyEntity } from '../../db/entities';
import { recordAudit, type AuditActor } from '../../db/repositories/audit';
import { LOGO_URL_PREFIX } from '../../db/repositories/logos';
import { imageType } from '../../shared/images';
import type { AppDeps } from '../context';

/**
 * A company's logo: an image checked by content, kept in the database (`company_logos`) so that every API process
 * serves it, at the public URL `/static/logos/<file>` the previous service's logos had.
 */

export const LOGO_MAX_BYTES = 1024 * 1024;
export { LOGO_URL_PREFIX };

export interface StoredLogo {
  contentType: string;
  content: Buffer;
  /** Strong validator of the content (its SHA-256). */
  etag: string;
}

/**
 * Stores an uploaded logo under a fresh name and points the company at it; the company's previous logos go in the
 * same transaction. Returns the logo's URL.
 */
export async function saveLogo(deps: Pick<AppDeps, 'dataSource'>, actor: AuditActor, companyId: string, bytes: Buffer): Promise<string> {
  const type = imageType(bytes);
  if (!type) throw new DomainError('BAD_REQUEST', 'Formato de imagen no permitido');
  const fileName = `logo_${companyId}_${randomBytes(8).toString('hex')}.${type.extension}`;
  const logoUrl = `${LOGO_URL_PREFIX}${fileName}`;
  await deps.dataSource.transaction(async (tx) => {
    await tx.getRepository(CompanyEntity).findOneOrFail({ where: { id: companyId }, lock: { mode: 'pessimistic_write' } });
    await tx.query(`DELETE FROM company_logos WHERE company_id = $1`, [companyId]);
    await tx.query(`INSERT INTO company_logos (file_name, company_id, content_type, content, sha256) VALUES ($1, $2, $3, $4, $5)`, [
      fileName,
      companyId,
      type.contentType,
      bytes,
      createHash('sha256').update(bytes).digest('hex'),
    ]);
    await tx.update(CompanyEntity, { id: companyId }, { logoUrl, updatedAt: new Date() });
    await recordAudit(tx, {
      actor,
      companyId,
      action: 'company.logo_updated',
      targetType: 'company',
      targetId: companyId,
      detail: { logo_url: logoUrl },
    });
  });
  return logoUrl;
}

/** The logo stored under `fileName`, or NOT_FOUND. */
export async function findLogo(deps: Pick<AppDeps, 'dataSource'>, fileName: string): Promise<StoredLogo> {
  const rows: { content_type: string; content: Buffer; sha256: string }[] = await deps.dataSource.query(
    `SELECT content_type, content, sha256 FROM company_logos WHERE file_name = $1`,
    [fileName],
  );
  if (!rows[0]) throw new DomainError('NOT_FOUND', 'Logo no encontrado');
  return { contentType: rows[0].content_type, content: rows[0].content, etag: `"${rows[0].sha256}"` };
}
