import { randomBytes } from 'node:crypto';
import { DomainError } from '../../domain/errors';
import { CompanyEntity } from '../../db/entities';
import { recordAudit, type AuditActor } from '../../db/repositories/audit';
import { insertLogo, logoByFileName, LOGO_URL_PREFIX } from '../../db/repositories/logos';
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
    await insertLogo((sql, parameters) => tx.query(sql, parameters), { fileName, companyId, contentType: type.contentType, content: bytes });
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
  const logo = await logoByFileName((sql, parameters) => deps.dataSource.query(sql, parameters), fileName);
  if (!logo) throw new DomainError('NOT_FOUND', 'Logo no encontrado');
  return { contentType: logo.contentType, content: logo.content, etag: `"${logo.sha256}"` };
}
