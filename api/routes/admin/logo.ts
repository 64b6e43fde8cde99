import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { CompanyEntity } from '../../../db/entities';
import { recordAudit } from '../../../db/repositories/audit';
import type { RouteContext, ZodApp } from '../../app';
import { HttpError } from '../../errors';
import { SECURITY } from '../../plugins/auth';
import { ADMIN_ERRORS } from '../../schemas/admin/common';
import { LogoResponse, LogoUpload } from '../../schemas/admin/my-company';
import { ErrorMessage } from '../../schemas/common';
import { actorOf, ownCompanyId } from './scope';

export const LOGO_MAX_BYTES = 1024 * 1024;
const LOGO_URL_PREFIX = '/static/logos/';
const OUR_LOGO_FILE = /^logo_[A-Za-z0-9_]+_[0-9a-f]{16}\.(png|jpg|webp)$/;

/** The image type by its first bytes (never by the client's filename or content type), or null. */
export function imageExtension(bytes: Buffer): 'png' | 'jpg' | 'webp' | null {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpg';
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp';
  return null;
}

/**
 * Company admin: logo upload (spec §3.4, fixing §11 S9), and the public `/static/logos/` folder that serves it.
 * Multipart parsing is registered in this scope only, so no other route accepts multipart bodies.
 */
export function registerLogoRoutes(app: ZodApp, ctx: RouteContext, staticDir: string): void {
  const logosDir = path.join(staticDir, 'logos');
  mkdirSync(logosDir, { recursive: true });

  void app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: LOGO_MAX_BYTES, files: 1, fields: 0, parts: 1 } });
    await scope.register(fastifyStatic, {
      root: logosDir,
      prefix: LOGO_URL_PREFIX,
      decorateReply: false,
      index: false,
      list: false,
      dotfiles: 'deny',
      setHeaders: (reply) => void reply.header('x-content-type-options', 'nosniff'),
    });

    scope.withTypeProvider<ZodTypeProvider>().post(
      '/api/v1/admin/mi-empresa/logo',
      {
        onRequest: ctx.guards.admin('cliente_admin'),
        schema: {
          tags: ['Cliente Admin'],
          summary: 'Upload the company logo: multipart field `file`, PNG, JPEG or WEBP (checked by content), at most 1 MB',
          multipartBody: LogoUpload,
          security: SECURITY.admin,
          response: {
            200: LogoResponse,
            ...ADMIN_ERRORS,
            400: ErrorMessage.describe('No `file` part, not a PNG, JPEG or WEBP image, or a malformed multipart body'),
            413: ErrorMessage.describe('The logo is larger than 1 MB'),
          },
        },
      },
      async (request) => {
        const companyId = ownCompanyId(request);
        if (!request.isMultipart()) throw new HttpError(415, 'Se esperaba multipart/form-data con el campo "file"');
        let bytes: Buffer;
        try {
          const file = await request.file();
          if (!file || file.fieldname !== 'file') throw new HttpError(400, 'Falta el archivo (campo "file")');
          bytes = await file.toBuffer();
        } catch (error) {
          if (error instanceof scope.multipartErrors.RequestFileTooLargeError)
            throw new HttpError(413, 'El logo excede el tamaño máximo de 1 MB');
          const status = (error as { statusCode?: unknown }).statusCode;
          if (error instanceof HttpError || (typeof status === 'number' && status < 500)) throw error;
          // The parser's plain errors are about the request too: no boundary, a truncated body, a malformed part.
          throw new HttpError(400, 'Cuerpo multipart/form-data inválido o incompleto');
        }
        const extension = imageExtension(bytes);
        if (!extension) throw new HttpError(400, 'Formato de imagen no permitido');

        const fileName = `logo_${companyId}_${randomBytes(8).toString('hex')}.${extension}`;
        await writeFile(path.join(logosDir, fileName), bytes, { flag: 'wx', mode: 0o644 });
        const logoUrl = `${LOGO_URL_PREFIX}${fileName}`;
        const previous = await ctx.dataSource.transaction(async (tx) => {
          const company = await tx
            .getRepository(CompanyEntity)
            .findOneOrFail({ where: { id: companyId }, lock: { mode: 'pessimistic_write' } });
          await tx.update(CompanyEntity, { id: companyId }, { logoUrl, updatedAt: new Date() });
          await recordAudit(tx, {
            actor: actorOf(request),
            companyId,
            action: 'company.logo_updated',
            targetType: 'company',
            targetId: companyId,
            detail: { logo_url: logoUrl },
          });
          return company.logoUrl;
        });
        // The replaced file goes too (the original kept every upload), but only one this API wrote.
        const previousFile = previous?.startsWith(LOGO_URL_PREFIX) ? previous.slice(LOGO_URL_PREFIX.length) : undefined;
        if (previousFile && OUR_LOGO_FILE.test(previousFile)) await unlink(path.join(logosDir, previousFile)).catch(() => undefined);
        return { message: 'Logo actualizado correctamente', logo_url: logoUrl };
      },
    );
  });
}
