import type { z } from 'zod';
import { ProductEntity, RouterEntity } from '../../../db/entities';
import { recordAudit } from '../../../db/repositories/audit';
import { findPage } from '../../../db/repositories/pagination';
import { centsToMajor } from '../../../domain/money';
import type { RouteContext, ZodApp } from '../../app';
import { HttpError, STATUS_BY_CODE } from '../../errors';
import { SECURITY } from '../../plugins/auth';
import { ADMIN_ERRORS, iso, NOT_FOUND } from '../../schemas/admin/common';
import {
  CreateProductRequest,
  ProductDeletedResponse,
  ProductListQuery,
  ProductParams,
  ProductResponse,
  ReorderProductsRequest,
  ReorderProductsResponse,
  UpdateProductRequest,
} from '../../schemas/admin/products';
import { ErrorResponse } from '../../schemas/common';
import { actorOf, findOwned, ownCompanyId, withTotal } from './scope';

const TAGS = ['Cliente Admin - Products'];
const PRODUCT_NOT_FOUND = 'Producto no encontrado';

/** The original's normalisation for the admin: each bullet as text (`{"texto": …}` objects give their text). */
function detailTexts(details: unknown[]): string[] {
  return details.map((item) => {
    if (typeof item === 'string') return item;
    if (item && typeof item === 'object') {
      const text = (item as { texto?: unknown }).texto;
      return typeof text === 'string' ? text : '';
    }
    return String(item);
  });
}

function toProductResponse(p: ProductEntity): z.output<typeof ProductResponse> {
  return {
    id: p.id,
    router_id: p.routerId,
    perfil_mikrotik_id: p.profileId,
    perfil_mikrotik_nombre: p.profileName,
    nombre_venta: p.name,
    descripcion: p.description,
    imagen_url: p.imageUrl,
    precio: centsToMajor(p.priceCents),
    moneda: p.currency,
    detalles: detailTexts(p.details),
    activo: p.active,
    orden_visual: p.displayOrder,
    destacado: p.featured,
    vigencia_segundos: p.validitySeconds,
    limite_uptime_segundos: p.uptimeLimitSeconds,
    creado_en: iso(p.createdAt),
  };
}

/**
 * Company admin: products — a price and a validity around a hotspot profile of an own router (spec §3.4). Every
 * write clears the portal's catalog cache.
 */
export function registerProductRoutes(app: ZodApp, ctx: RouteContext): void {
  const onRequest = ctx.guards.admin('cliente_admin');

  app.post(
    '/api/v1/admin/products',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Create a product; the profile must exist on the router (checked live through the worker)',
        security: SECURITY.admin,
        body: CreateProductRequest,
        response: { 201: ProductResponse, ...ADMIN_ERRORS, ...NOT_FOUND, 400: ErrorResponse, 502: ErrorResponse, 503: ErrorResponse },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const companyId = ownCompanyId(request);
      const router = await findOwned(
        ctx.dataSource.manager,
        RouterEntity,
        companyId,
        { id: body.router_id },
        'Router no encontrado o no pertenece a esta empresa',
      );
      const probe = await ctx.workflows.probeRouter(router.id);
      if (!probe.ok) throw new HttpError(STATUS_BY_CODE[probe.code], `No se pudo verificar el perfil en el router: ${probe.message}`);
      const profile = probe.profiles.find((p) => p.name === body.perfil_mikrotik_nombre);
      if (!profile) throw new HttpError(400, `El perfil '${body.perfil_mikrotik_nombre}' no existe en el router`);

      const product = await ctx.dataSource.transaction(async (tx) => {
        const saved = await tx.getRepository(ProductEntity).save({
          companyId,
          routerId: router.id,
          // The router's current id for that name: the client's may be stale after the profile was recreated.
          profileId: profile.id,
          profileName: profile.name,
          name: body.nombre_venta,
          description: body.descripcion || null,
          imageUrl: body.imagen_url || null,
          priceCents: body.priceCents,
          currency: body.moneda,
          validitySeconds: body.validitySeconds,
          uptimeLimitSeconds: body.limite_uptime_segundos ?? null,
          details: body.detalles,
          active: body.activo,
          displayOrder: body.orden_visual,
          featured: body.destacado,
        });
        await recordAudit(tx, {
          actor: actorOf(request),
          companyId,
          action: 'product.created',
          targetType: 'product',
          targetId: saved.id,
          detail: { router_id: router.id, price_cents: body.priceCents, currency: body.moneda, validity_seconds: body.validitySeconds },
        });
        return tx.getRepository(ProductEntity).findOneByOrFail({ id: saved.id });
      });
      ctx.catalog.invalidate();
      return reply.code(201).send(toProductResponse(product));
    },
  );

  app.get(
    '/api/v1/admin/products',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'List own products, optionally of one router (?router_id=) or by state (?activo=); total in X-Total-Count',
        security: SECURITY.admin,
        querystring: ProductListQuery,
        response: { 200: ProductResponse.array(), ...ADMIN_ERRORS, ...NOT_FOUND },
      },
    },
    async (request, reply) => {
      const companyId = ownCompanyId(request);
      const { router_id, activo, ...page } = request.query;
      const query = ctx.dataSource
        .getRepository(ProductEntity)
        .createQueryBuilder('p')
        .where('p.company_id = :companyId', { companyId })
        .orderBy('p.display_order')
        .addOrderBy('p.created_at', 'DESC')
        .addOrderBy('p.id');
      if (router_id !== undefined) {
        await findOwned(ctx.dataSource.manager, RouterEntity, companyId, { id: router_id }, 'Router no encontrado');
        query.andWhere('p.router_id = :router_id', { router_id });
      }
      if (activo !== undefined) query.andWhere('p.active = :activo', { activo });
      const { rows, total } = await findPage(query, page);
      withTotal(reply, total);
      return rows.map(toProductResponse);
    },
  );

  app.put(
    '/api/v1/admin/products/reorder',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Set the display order of own products: the list given, first to last',
        security: SECURITY.admin,
        body: ReorderProductsRequest,
        response: { 200: ReorderProductsResponse, ...ADMIN_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) => {
      const companyId = ownCompanyId(request);
      const ids = request.body.producto_ids;
      await ctx.dataSource.transaction(async (tx) => {
        const updated: { id: number }[] = await tx.query(
          `WITH updated AS (
             UPDATE products p SET display_order = o.position - 1, updated_at = now()
               FROM unnest($1::int[]) WITH ORDINALITY AS o(id, position)
              WHERE p.id = o.id AND p.company_id = $2
          RETURNING p.id)
           SELECT id FROM updated`,
          [ids, companyId],
        );
        // A foreign or unknown id rolls the whole reorder back and looks like a missing product.
        if (updated.length !== ids.length) throw new HttpError(404, PRODUCT_NOT_FOUND);
        await recordAudit(tx, {
          actor: actorOf(request),
          companyId,
          action: 'product.reordered',
          targetType: 'product',
          detail: { producto_ids: ids },
        });
      });
      ctx.catalog.invalidate();
      return { message: 'Orden actualizado', productos: ids.map((id, index) => ({ id, orden_visual: index })) };
    },
  );

  app.get(
    '/api/v1/admin/products/:producto_id',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Get an own product',
        security: SECURITY.admin,
        params: ProductParams,
        response: { 200: ProductResponse, ...ADMIN_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) =>
      toProductResponse(
        await findOwned(
          ctx.dataSource.manager,
          ProductEntity,
          ownCompanyId(request),
          { id: request.params.producto_id },
          PRODUCT_NOT_FOUND,
        ),
      ),
  );

  app.put(
    '/api/v1/admin/products/:producto_id',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Update an own product; fields left out are unchanged (router and profile are fixed)',
        security: SECURITY.admin,
        params: ProductParams,
        body: UpdateProductRequest,
        response: { 200: ProductResponse, ...ADMIN_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) => {
      const companyId = ownCompanyId(request);
      const body = request.body;
      const product = await ctx.dataSource.transaction(async (tx) => {
        const current = await findOwned(
          tx,
          ProductEntity,
          companyId,
          { id: request.params.producto_id },
          'Producto no encontrado o no pertenece a esta empresa',
          true,
        );
        const changes: Partial<ProductEntity> = {
          name: body.nombre_venta,
          description: body.descripcion === undefined ? undefined : body.descripcion || null,
          imageUrl: body.imagen_url === undefined ? undefined : body.imagen_url || null,
          priceCents: body.priceCents,
          currency: body.moneda,
          details: body.detalles,
          active: body.activo,
          displayOrder: body.orden_visual,
          featured: body.destacado,
          validitySeconds: body.validitySeconds,
          uptimeLimitSeconds: body.limite_uptime_segundos,
        };
        const fields = (Object.keys(changes) as (keyof ProductEntity)[]).filter((key) => changes[key] !== undefined);
        if (fields.length === 0) return current;
        const before = { price_cents: current.priceCents, currency: current.currency };
        await tx.update(
          ProductEntity,
          { id: current.id },
          { ...Object.fromEntries(fields.map((f) => [f, changes[f]])), updatedAt: new Date() },
        );
        const after = await tx.getRepository(ProductEntity).findOneByOrFail({ id: current.id });
        await recordAudit(tx, {
          actor: actorOf(request),
          companyId,
          action: 'product.updated',
          targetType: 'product',
          targetId: current.id,
          detail: {
            fields,
            ...(after.priceCents !== before.price_cents || after.currency !== before.currency
              ? { price: { from: before, to: { price_cents: after.priceCents, currency: after.currency } } }
              : {}),
          },
        });
        return after;
      });
      ctx.catalog.invalidate();
      return toProductResponse(product);
    },
  );

  app.delete(
    '/api/v1/admin/products/:producto_id',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Deactivate an own product (kept for the sales history)',
        security: SECURITY.admin,
        params: ProductParams,
        response: { 200: ProductDeletedResponse, ...ADMIN_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) => {
      const companyId = ownCompanyId(request);
      const id = request.params.producto_id;
      await ctx.dataSource.transaction(async (tx) => {
        await findOwned(tx, ProductEntity, companyId, { id }, PRODUCT_NOT_FOUND, true);
        await tx.update(ProductEntity, { id }, { active: false, updatedAt: new Date() });
        await recordAudit(tx, { actor: actorOf(request), companyId, action: 'product.deactivated', targetType: 'product', targetId: id });
      });
      ctx.catalog.invalidate();
      return { message: 'Producto desactivado', producto_id: id, activo: false as const };
    },
  );
}
