import type { z } from 'zod';
import { DomainError } from '../../domain/errors';
import { centsToMajor } from '../../domain/money';
import { succeeded } from '../../domain/operations';
import { ProductEntity, RouterEntity } from '../../db/entities';
import { recordAudit, type AuditActor } from '../../db/repositories/audit';
import { findOwned } from '../../db/repositories/owned';
import { findPage, type Page } from '../../db/repositories/pagination';
import type { RouteContext } from '../context';
import { iso } from '../schemas/admin/common';
import type { CreateProductRequest, ProductListQuery, ProductResponse, UpdateProductRequest } from '../schemas/admin/products';

/**
 * Products of a company admin: a price and a validity around a hotspot profile of an own router. Every write clears
 * the portal's catalog cache.
 */

type ProductDeps = Pick<RouteContext, 'dataSource' | 'workflows' | 'caches'>;

export const PRODUCT_NOT_FOUND = 'Producto no encontrado';

/** Each bullet of `detalles` as text, as admin panels written for the previous service show them (`{"texto": …}` objects give their text). */
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

export function toProductResponse(p: ProductEntity): z.output<typeof ProductResponse> {
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

/** A product of the company, or NOT_FOUND. */
export function findProduct(deps: Pick<ProductDeps, 'dataSource'>, companyId: string, productId: number): Promise<ProductEntity> {
  return findOwned(deps.dataSource.manager, ProductEntity, companyId, { id: productId }, PRODUCT_NOT_FOUND);
}

/** Creates a product on an own router; its profile must exist there, checked live (through the worker). */
export async function createProduct(deps: ProductDeps, actor: AuditActor, companyId: string, body: z.output<typeof CreateProductRequest>): Promise<ProductEntity> {
  const router = await findOwned(
    deps.dataSource.manager,
    RouterEntity,
    companyId,
    { id: body.router_id },
    'Router no encontrado o no pertenece a esta empresa',
  );
  const probe = succeeded(await deps.workflows.probeRouter(router.id), 'No se pudo verificar el perfil en el router: ');
  const profile = probe.profiles.find((p) => p.name === body.perfil_mikrotik_nombre);
  if (!profile) throw new DomainError('BAD_REQUEST', `El perfil '${body.perfil_mikrotik_nombre}' no existe en el router`);

  const product = await deps.dataSource.transaction(async (tx) => {
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
      actor,
      companyId,
      action: 'product.created',
      targetType: 'product',
      targetId: saved.id,
      detail: { router_id: router.id, price_cents: body.priceCents, currency: body.moneda, validity_seconds: body.validitySeconds },
    });
    return tx.getRepository(ProductEntity).findOneByOrFail({ id: saved.id });
  });
  await deps.caches.changed('catalog');
  return product;
}

/** Own products in display order, optionally of one own router or in one state. */
export async function listProducts(deps: ProductDeps, companyId: string, query: z.output<typeof ProductListQuery>): Promise<Page<ProductEntity>> {
  const { router_id, activo, ...page } = query;
  const rows = deps.dataSource
    .getRepository(ProductEntity)
    .createQueryBuilder('p')
    .where('p.company_id = :companyId', { companyId })
    .orderBy('p.display_order')
    .addOrderBy('p.created_at', 'DESC')
    .addOrderBy('p.id');
  if (router_id !== undefined) {
    await findOwned(deps.dataSource.manager, RouterEntity, companyId, { id: router_id }, 'Router no encontrado');
    rows.andWhere('p.router_id = :router_id', { router_id });
  }
  if (activo !== undefined) rows.andWhere('p.active = :activo', { activo });
  return findPage(rows, page);
}

/** Sets the display order of own products: the list given, first to last. A foreign or unknown id changes nothing. */
export async function reorderProducts(deps: ProductDeps, actor: AuditActor, companyId: string, ids: number[]): Promise<void> {
  await deps.dataSource.transaction(async (tx) => {
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
    if (updated.length !== ids.length) throw new DomainError('NOT_FOUND', PRODUCT_NOT_FOUND);
    await recordAudit(tx, { actor, companyId, action: 'product.reordered', targetType: 'product', detail: { producto_ids: ids } });
  });
  await deps.caches.changed('catalog');
}

/** Updates an own product; fields left out are unchanged, a price change is audited with its old and new value. */
export async function updateProduct(
  deps: ProductDeps,
  actor: AuditActor,
  companyId: string,
  productId: number,
  body: z.output<typeof UpdateProductRequest>,
): Promise<ProductEntity> {
  const product = await deps.dataSource.transaction(async (tx) => {
    const current = await findOwned(tx, ProductEntity, companyId, { id: productId }, 'Producto no encontrado o no pertenece a esta empresa', true);
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
    await tx.update(ProductEntity, { id: current.id }, { ...Object.fromEntries(fields.map((f) => [f, changes[f]])), updatedAt: new Date() });
    const after = await tx.getRepository(ProductEntity).findOneByOrFail({ id: current.id });
    const priceChanged = after.priceCents !== before.price_cents || after.currency !== before.currency;
    await recordAudit(tx, {
      actor,
      companyId,
      action: 'product.updated',
      targetType: 'product',
      targetId: current.id,
      detail: { fields, ...(priceChanged ? { price: { from: before, to: { price_cents: after.priceCents, currency: after.currency } } } : {}) },
    });
    return after;
  });
  await deps.caches.changed('catalog');
  return product;
}

/** Takes an own product off sale; it stays for the sales history. */
export async function deactivateProduct(deps: ProductDeps, actor: AuditActor, companyId: string, productId: number): Promise<void> {
  await deps.dataSource.transaction(async (tx) => {
    await findOwned(tx, ProductEntity, companyId, { id: productId }, PRODUCT_NOT_FOUND, true);
    await tx.update(ProductEntity, { id: productId }, { active: false, updatedAt: new Date() });
    await recordAudit(tx, { actor, companyId, action: 'product.deactivated', targetType: 'product', targetId: productId });
  });
  await deps.caches.changed('catalog');
}
