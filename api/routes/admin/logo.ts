import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { findLogo, LOGO_MAX_BYTES, LOGO_URL_PREFIX, saveLogo } from '../../admin/logo';
import type { RouteContext, ZodApp } from '../../context';
import { HttpError } from '../../errors';
import { actorOf, ownCompanyId } from '../../plugins/auth';
import { adminSchema } from '../../schemas/admin/common';
import { LogoResponse, LogoUpload } from '../../schemas/admin/my-company';
import { ErrorMessage, ErrorResponse, ValidationErrorResponse } from '../../schemas/common';

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

/** Whether an If-None-Match header names this ETag (or any, `*`); weak comparison, as for a GET. */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  return !!ifNoneMatch && ifNoneMatch.split(',').some((tag) => ['*', etag].includes(tag.trim().replace(/^W\//, '')));
}

/** A day in caches, then revalidated with the ETag (a logo's name never changes content: a new upload is a new name). */
const LOGO_CACHE_CONTROL = 'public, max-age=86400';

/**
 * Company admin: logo upload, and the public `/static/logos/<file>` URLs that serve the logos from the database.
 * Multipart parsing is registered in this scope only, so no other route accepts multipart bodies.
 */
export function registerLogoRoutes(app: ZodApp, ctx: RouteContext): void {
  app.get(
    `${LOGO_URL_PREFIX}:file`,
    {
      schema: {
        tags: ['Public'],
        summary: "A company's logo (the `logo_url` of the company and of the portal's public config)",
        params: z.object({ file: z.string().min(1).max(255) }),
        headers: z.object({ 'if-none-match': z.string().optional() }),
        response: {
          200: {
            description: 'The image, with Cache-Control and an ETag',
            content: Object.fromEntries(['image/png', 'image/jpeg', 'image/webp'].map((type) => [type, { schema: z.string() }])),
          },
          304: z.null().describe('Not modified: If-None-Match names the current ETag (no body)'),
          404: ErrorResponse,
          422: ValidationErrorResponse,
        },
      },
    },
    async (request, reply) => {
      const logo = await findLogo(ctx, request.params.file);
      reply.header('etag', logo.etag).header('cache-control', LOGO_CACHE_CONTROL);
      if (matches(request.headers['if-none-match'], logo.etag)) return reply.status(304).send(null);
      return reply.type(logo.contentType).header('x-content-type-options', 'nosniff').send(logo.content as never);
    },
  );

  void app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: LOGO_MAX_BYTES, files: 1, fields: 0, parts: 1 } });

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
        const logoUrl = await saveLogo(ctx, actorOf(request), companyId, await uploadedFile(request, scope));
        return { message: 'Logo actualizado correctamente', logo_url: logoUrl };
      },
    );
  });
}
