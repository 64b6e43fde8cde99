import type { RouteContext, ZodApp } from '../../context';
import { portalGuards } from '../../portal/guards';
import { catalog, catalogProduct, publicConfig } from '../../portal/catalog';
import { routerOf, SECURITY } from '../../plugins/auth';
import { ErrorResponse, ValidationErrorResponse } from '../../schemas/common';
import { CatalogProduct, ProductIdParams, PublicConfig } from '../../schemas/portal/catalog';

/** The portal's reads before a purchase: the public configuration and the catalog. No write per request. */
export function registerCatalogRoutes(app: ZodApp, ctx: RouteContext): void {
  const guards = portalGuards(ctx);

  app.get(
    '/api/v1/config/public',
    {
      preHandler: guards,
      schema: {
        tags: ['Captive portal'],
        summary: "Company public info, gateways' public keys and the router",
        security: SECURITY.routerKey,
        response: { 200: PublicConfig, 401: ErrorResponse, 403: ErrorResponse, 429: ErrorResponse },
      },
    },
    async (request) => publicConfig(ctx, routerOf(request)),
  );

  app.get(
    '/api/v1/catalogo_perfiles_venta',
    {
      preHandler: guards,
      schema: {
        tags: ['Captive portal'],
        summary: 'Active products of this router, in display order',
        security: SECURITY.routerKey,
        response: { 200: CatalogProduct.array(), 401: ErrorResponse, 403: ErrorResponse, 429: ErrorResponse },
      },
    },
    async (request) => catalog(ctx, routerOf(request)),
  );

  app.get(
    '/api/v1/catalogo_perfiles_venta/:producto_id',
    {
      preHandler: guards,
      schema: {
        tags: ['Captive portal'],
        summary: 'One active product of this router',
        security: SECURITY.routerKey,
        params: ProductIdParams,
        response: { 200: CatalogProduct, 401: ErrorResponse, 404: ErrorResponse, 422: ValidationErrorResponse },
      },
    },
    async (request) => catalogProduct(ctx, routerOf(request), request.params.producto_id),
  );
}
