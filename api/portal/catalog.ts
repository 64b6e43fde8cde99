import type { z } from 'zod';
import { DomainError } from '../../domain/errors';
import { centsToMajor } from '../../domain/money';
import { CompanyEntity, ProductEntity } from '../../db/entities';
import type { RouterPrincipal } from '../auth/router-keys';
import type { RouteContext } from '../context';
import type { CatalogProduct, PublicConfig } from '../schemas/portal/catalog';

/** What the captive portal shows before a purchase: the company, its gateways' public keys, and the router's products. */

type CatalogDeps = Pick<RouteContext, 'dataSource' | 'config' | 'catalog'>;

/** `detalles` as portals written for the previous service read them: strings become `{"value": …}`, object values become strings. */
function normalizeDetails(details: unknown[]): Record<string, string>[] {
  return details.map((item) => {
    if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
      return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
    }
    return { value: typeof item === 'string' ? item : JSON.stringify(item) };
  });
}

function toCatalogProduct(product: ProductEntity): z.output<typeof CatalogProduct> {
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

/** The company's public face and the router, for the portal's first page. */
export async function publicConfig(deps: CatalogDeps, { company: principal, router }: RouterPrincipal): Promise<z.output<typeof PublicConfig>> {
  const company = await deps.dataSource.getRepository(CompanyEntity).findOneByOrFail({ id: principal.id });
  return {
    empresa: {
      id: company.id,
      nombre: company.name,
      conekta_public_key: company.conektaPublicKey || deps.config.CONEKTA_DEFAULT_PUBLIC_KEY || null,
      mercadopago_public_key: company.mercadoPagoPublicKey,
      conekta_mode: company.conektaMode,
      mercado_pago_mode: company.mercadoPagoMode,
      logo_url: company.logoUrl,
    },
    router: { id: router.id, nombre: router.name, ubicacion: router.location },
  };
}

/** Active products of one router in display order (display order, then featured first), from the cache. */
export function catalog(deps: CatalogDeps, { company, router }: RouterPrincipal): Promise<z.output<typeof CatalogProduct>[]> {
  return deps.catalog.get(`${company.id}:${router.id}`, async () => {
    const products = await deps.dataSource
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

/** One product of the router's catalog, or NOT_FOUND. */
export async function catalogProduct(deps: CatalogDeps, principal: RouterPrincipal, productId: number): Promise<z.output<typeof CatalogProduct>> {
  const product = (await catalog(deps, principal)).find((p) => p.id === productId);
  if (!product) throw new DomainError('NOT_FOUND', 'Producto no encontrado o no disponible');
  return product;
}
