import { randomBytes } from 'node:crypto';
import { unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DomainError } from '../../domain/errors';
import { CompanyEntity } from '../../db/entities';
import { recordAudit, type AuditActor } from '../../db/repositories/audit';
import type { AppDeps } from '../context';

/** A company's logo: an image checked by content, written under the public `/static/logos/` folder. */

export const LOGO_MAX_BYTES = 1024 * 1024;
export const LOGO_URL_PREFIX = '/static/logos/';
const OUR_LOGO_FILE = /^logo_[A-Za-z0-9_]+_[0-9a-f]{16}\.(png|jpg|webp)$/;

/** The image type by its first bytes (never by the client's filename or content type), or null. */
function imageExtension(bytes: Buffer): 'png' | 'jpg' | 'webp' | null {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpg';
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp';
  return null;
}

/**
 * Stores an uploaded logo under a fresh name and points the company at it; the file it replaces goes too, but only
 * one this API wrote. Returns the logo's URL.
 */
export async function saveLogo(
  deps: Pick<AppDeps, 'dataSource'>,
  logosDir: string,
  actor: AuditActor,
  companyId: string,
  bytes: Buffer,
): Promise<string> {
  const extension = imageExtension(bytes);
  if (!extension) throw new DomainError('BAD_REQUEST', 'Formato de imagen no permitido');
  const fileName = `logo_${companyId}_${randomBytes(8).toString('hex')}.${extension}`;
  await writeFile(path.join(logosDir, fileName), bytes, { flag: 'wx', mode: 0o644 });
  const logoUrl = `${LOGO_URL_PREFIX}${fileName}`;
  const previous = await deps.dataSource.transaction(async (tx) => {
    const company = await tx.getRepository(CompanyEntity).findOneOrFail({ where: { id: companyId }, lock: { mode: 'pessimistic_write' } });
    await tx.update(CompanyEntity, { id: companyId }, { logoUrl, updatedAt: new Date() });
    await recordAudit(tx, {
      actor,
      companyId,
      action: 'company.logo_updated',
      targetType: 'company',
      targetId: companyId,
      detail: { logo_url: logoUrl },
    });
    return company.logoUrl;
  });
  const previousFile = previous?.startsWith(LOGO_URL_PREFIX) ? previous.slice(LOGO_URL_PREFIX.length) : undefined;
  if (previousFile && OUR_LOGO_FILE.test(previousFile)) await unlink(path.join(logosDir, previousFile)).catch(() => undefined);
  return logoUrl;
}
