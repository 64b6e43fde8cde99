import { mkdirSync } from 'node:fs';
import path from 'node:path';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { LOGO_MAX_BYTES, LOGO_URL_PREFIX, saveLogo } from '../../admin/logo';
import type { RouteContext, ZodApp } from '../../context';
import { HttpError } from '../../errors';
import { actorOf, ownCompanyId } from '../../plugins/auth';
import { adminSchema } from '../../schemas/admin/common';
import { LogoResponse, LogoUpload } from '../../schemas/admin/my-company';
import { ErrorMessage } from '../../schemas/common';

/**
 * The bytes of the upload's one `file` part. The transport's own refusals (not multipart, too large, malformed) have
 * no domain code: they are HttpErrors.
 */
async function uploadedFile(request: FastifyRequest, scope: FastifyInstance): Promise<Buffer> {
  if (!request.isMultipart()) throw new HttpError(415, 'Se esperaba multipart/form-data con el campo "file"');
  try {
    const file = await request.file();
    if (!file || file.fieldname !== 'file') throw new HttpError(400, 'Falta el archivo (campo "file")');
    return await file.toBuffer();
  } catch (error) {
    if (error instanceof scope.multipartErrors.RequestFileTooLargeError) throw new HttpError(413, 'El logo excede el tamaño máximo de 1 MB');
    const status = (error as { statusCode?: unknown }).statusCode;
    if (error instanceof HttpError || (typeof status === 'number' && status < 500)) throw error;
    // The parser's plain errors are about the request too: no boundary, a truncated body, a malformed part.
    throw new HttpError(400, 'Cuerpo multipart/form-data inválido o incompleto');
  }
}

/**
 * Company admin: logo upload, and the public `/static/logos/` folder that serves it. Multipart parsing is registered
 * in this scope only, so no other route accepts multipart bodies.
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
        schema: adminSchema(['Cliente Admin'], {
          summary: 'Upload the company logo: multipart field `file`, PNG, JPEG or WEBP (checked by content), at most 1 MB',
          multipartBody: LogoUpload,
          response: {
            200: LogoResponse,
            400: ErrorMessage.describe('No `file` part, not a PNG, JPEG or WEBP image, or a malformed multipart body'),
            413: ErrorMessage.describe('The logo is larger than 1 MB'),
          },
        }),
      },
      async (request) => {
        const companyId = ownCompanyId(request);
        const logoUrl = await saveLogo(ctx, logosDir, actorOf(request), companyId, await uploadedFile(request, scope));
        return { message: 'Logo actualizado correctamente', logo_url: logoUrl };
      },
    );
  });
}
