import { z } from 'zod';
import { IdParam } from '../common';

/** A product as captive portals read the catalog, plus the validity. */
export const CatalogProduct = z.object({
  id: z.number().int(),
  perfil_mikrotik_id: z.string(),
  perfil_mikrotik_nombre: z.string(),
  nombre_venta: z.string(),
  descripcion: z.string().nullable(),
  imagen_url: z.string().nullable(),
  precio: z.number().describe('Precio en unidades de la moneda (20.5 = $20.50)'),
  moneda: z.string(),
  detalles: z.array(z.record(z.string(), z.string())),
  destacado: z.boolean(),
  creado_en: z.string(),
  vigencia_segundos: z.number().int().describe('Tiempo de acceso desde la activación, en segundos'),
  limite_uptime_segundos: z.number().int().nullable().describe('Tiempo de conexión acumulado máximo (limit-uptime), si lo hay'),
});

export const PublicConfig = z.object({
  empresa: z.object({
    id: z.string(),
    nombre: z.string(),
    conekta_public_key: z.string().nullable(),
    mercadopago_public_key: z.string().nullable(),
    conekta_mode: z.string(),
    mercado_pago_mode: z.string(),
    logo_url: z.string().nullable(),
  }),
  router: z.object({ id: z.string(), nombre: z.string(), ubicacion: z.string().nullable() }),
});

export const ProductIdParams = z.object({ producto_id: IdParam });
