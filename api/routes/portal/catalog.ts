import { centsToMajor } from '../../../domain/money';
import { CompanyEntity, ProductEntity } from '../../../db/entities';
import type { RouteContext, ZodApp } from '../../app';
import { HttpError } from '../../errors';
import type { RouterPrincipal } from '../../auth/router-keys';
import { routerOf, SECURITY } from '../../plugins/auth';
import { ErrorResponse, ValidationErrorResponse } from '../../schemas/common';
import { CatalogProduct, ProductIdParams, PublicConfig } from '../../schemas/portal/catalog';
import { portalGuards } from './guards';

/** The original normalised `detalles` to objects: strings become `{"value": …}`, object values become strings. */
function normalizeDetails(details: unknown[]): Record<string, string>[] {
  return details.map((item) => {
    if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
      return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
    }
    return { value: typeof item === 'string' ? item : JSON.stringify(item) };
  });
}

function toCatalogProduct(product: ProductEntity) {
  return {
    id: product.id,
    perfil_mikrotik_id: product.profileId,
    perfil_mikrotik_nombre: product.profileName,
    nombre_venta: product.name,
    descripcion: product.description,
    imagen_url: product.imageUrl,
    precio: centsToMajor(product.priceCents),
    moneda: product.currency,
    detalles: normalizeDetails(product.details),
    destacado: product.featured,
    creado_en: product.createdAt.toISOString(),
    vigencia_segundos: product.validitySeconds,
    limite_uptime_segundos: product.uptimeLimitSeconds,
  };
}

export type CatalogProductBody = ReturnType<typeof toCatalogProduct>;

/** Active products of one router, in display order (the original's order: orden_visual, then featured first). */
function catalogOf(ctx: RouteContext, { company, router }: RouterPrincipal): Promise<CatalogProductBody[]> {
  return ctx.catalog.get(`${company.id}:${router.id}`, async () => {
    const products = await ctx.dataSource
      .getRepository(ProductEntity)
      .createQueryBuilder('p')
      .where('p.company_id = :companyId AND p.router_id = :routerId AND p.active', { companyId: company.id, routerId: router.id })
      .orderBy('p.display_order', 'ASC')
      .addOrderBy('p.featured', 'DESC')
      .addOrderBy('p.id', 'ASC')
      .getMany();
    return products.map(toCatalogProduct);
  });
}

/** `GET /api/v1/config/public` and the catalog (spec §3.3). Reads only: no write per request. */
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
    async (request) => {
      const { company: principalCompany, router } = routerOf(request);
      const company = await ctx.dataSource.getRepository(CompanyEntity).findOneByOrFail({ id: principalCompany.id });
      return {
        empresa: {
          id: company.id,
          nombre: company.name,
          conekta_public_key: company.conektaPublicKey || ctx.config.CONEKTA_DEFAULT_PUBLIC_KEY || null,
          mercadopago_public_key: company.mercadoPagoPublicKey,
          conekta_mode: company.conektaMode,
          mercado_pago_mode: company.mercadoPagoMode,
          logo_url: company.logoUrl,
        },
        router: { id: router.id, nombre: router.name, ubicacion: router.location },
      };
    },
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
    async (request) => catalogOf(ctx, routerOf(request)),
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
    async (request) => {
      const product = (await catalogOf(ctx, routerOf(request))).find((p) => p.id === request.params.producto_id);
      if (!product) throw new HttpError(404, 'Producto no encontrado o no disponible');
      return product;
    },
  );
}
