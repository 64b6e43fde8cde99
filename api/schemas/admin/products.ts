import { z } from 'zod';
import { CURRENCIES, toCents } from '../../../domain/money';
import { isProfileName } from '../../../domain/network';
import { withAliases } from '../aliases';
import { Id, IdParam, INT4_MAX } from '../common';
import { ListQuery, QueryBoolean } from './common';


/** A price as a number or a decimal string (`19.99`); `priceCents` turns it into exact cents once it is checked. */
export const Price = z.union([z.number(), z.string()]).superRefine((value, ctx) => {
  let cents: number;
  try {
    cents = toCents(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'Precio inválido: un monto positivo con hasta dos decimales' });
    return;
  }
  if (cents <= 0 || cents > INT4_MAX) ctx.addIssue({ code: 'custom', message: 'Precio fuera de rango' });
});

/** Exact cents of a checked price (19.99 is 1999, never a float truncated to 1998). */
const priceCents = (price: string | number) => toCents(price);

const Currency = z.enum(CURRENCIES);

/** Bullet points: strings or the admin UI's `{"texto": "…"}` objects; stored as `{"texto"}` objects. */
const Details = z
  .array(z.union([z.string().trim().min(1).max(200), z.looseObject({ texto: z.string().trim().min(1).max(200) })]))
  .max(30)
  .transform((items) => items.map((item) => ({ texto: typeof item === 'string' ? item : item.texto })));

const ImageUrl = z
  .string()
  .trim()
  .max(500)
  .regex(/^(https?:\/\/|\/)[^\s"'<>]*$|^$/, { error: 'URL de imagen inválida' });

const ValiditySeconds = z
  .number()
  .int()
  .min(60)
  .max(366 * 86_400)
  .describe('Tiempo de acceso desde la activación, en segundos (o `vigencia_minutos`; al crear, uno de los dos es obligatorio)');
const ValidityMinutes = z
  .number()
  .int()
  .min(1)
  .max(366 * 1_440)
  .describe('Tiempo de acceso en minutos, en lugar de `vigencia_segundos`');
const UptimeSeconds = z
  .number()
  .int()
  .min(60)
  .max(366 * 86_400)
  .describe('Límite opcional de tiempo conectado (RouterOS `limit-uptime`), en segundos; null lo quita');

const VALIDITY_ALIASES = { vigencia_segundos: 'validity_seconds', limite_uptime_segundos: 'uptime_limit_seconds' } as const;

/** Validity in seconds from `vigencia_segundos` (alias `validity_seconds`) or `vigencia_minutos`; never both. */
function validityOf(value: { vigencia_segundos?: number; vigencia_minutos?: number }, ctx: z.RefinementCtx, required: boolean) {
  const given = [value.vigencia_segundos, value.vigencia_minutos].filter((v) => v !== undefined).length;
  if (given > 1 || (required && given === 0)) {
    ctx.addIssue({
      code: 'custom',
      path: ['vigencia_segundos'],
      message: 'Indique la vigencia en vigencia_segundos o en vigencia_minutos (solo uno)',
    });
    return z.NEVER;
  }
  return value.vigencia_segundos ?? (value.vigencia_minutos === undefined ? undefined : value.vigencia_minutos * 60);
}

export const ProductParams = z.object({ producto_id: IdParam });

/**
 * A product as panels written for the previous service send it, plus a validity (required: the access time sold) and an optional uptime limit.
 * The profile must exist on the router.
 */
export const CreateProductRequest = withAliases(
  {
    router_id: z.string().trim().min(1).max(50),
    perfil_mikrotik_id: z.string().trim().min(1).max(100),
    perfil_mikrotik_nombre: z.string().trim().refine(isProfileName, { error: 'Nombre de perfil inválido' }),
    nombre_venta: z.string().trim().min(1).max(100),
    descripcion: z.string().trim().max(2000).nullable().optional(),
    imagen_url: ImageUrl.nullable().optional(),
    precio: Price,
    moneda: Currency.default('MXN'),
    detalles: Details.default([]),
    activo: z.boolean().default(true),
    orden_visual: z.number().int().min(0).max(100_000).default(0),
    destacado: z.boolean().default(false),
    vigencia_segundos: ValiditySeconds.optional(),
    vigencia_minutos: ValidityMinutes.optional(),
    limite_uptime_segundos: UptimeSeconds.nullable().optional(),
  },
  VALIDITY_ALIASES,
).transform((value, ctx) => ({ ...value, priceCents: priceCents(value.precio), validitySeconds: validityOf(value, ctx, true) as number }));

/** Fields left out are unchanged; the router and the profile are fixed at creation. */
export const UpdateProductRequest = withAliases(
  {
    nombre_venta: z.string().trim().min(1).max(100).optional(),
    descripcion: z.string().trim().max(2000).nullable().optional(),
    imagen_url: ImageUrl.nullable().optional(),
    precio: Price.optional(),
    moneda: Currency.optional(),
    detalles: Details.optional(),
    activo: z.boolean().optional(),
    orden_visual: z.number().int().min(0).max(100_000).optional(),
    destacado: z.boolean().optional(),
    vigencia_segundos: ValiditySeconds.optional(),
    vigencia_minutos: ValidityMinutes.optional(),
    limite_uptime_segundos: UptimeSeconds.nullable().optional(),
  },
  VALIDITY_ALIASES,
).transform((value, ctx) => ({
  ...value,
  priceCents: value.precio === undefined ? undefined : priceCents(value.precio),
  validitySeconds: validityOf(value, ctx, false),
}));

export const ProductListQuery = ListQuery.extend({
  router_id: z.string().trim().min(1).max(50).optional(),
  activo: QueryBoolean.optional(),
});

export const ReorderProductsRequest = z.object({
  /** The products in their new order: the first gets `orden_visual` 0. */
  producto_ids: z
    .array(Id)
    .min(1)
    .max(500)
    .refine((ids) => new Set(ids).size === ids.length, { error: 'Productos repetidos' }),
});

/** A product as admin panels read it (`precio` a number, `detalles` flattened to text), plus validity and uptime limit. */
export const ProductResponse = z.object({
  id: z.number(),
  router_id: z.string(),
  perfil_mikrotik_id: z.string(),
  perfil_mikrotik_nombre: z.string(),
  nombre_venta: z.string(),
  descripcion: z.string().nullable(),
  imagen_url: z.string().nullable(),
  precio: z.number(),
  moneda: z.string(),
  detalles: z.array(z.string()),
  activo: z.boolean(),
  orden_visual: z.number(),
  destacado: z.boolean(),
  vigencia_segundos: z.number(),
  limite_uptime_segundos: z.number().nullable(),
  creado_en: z.string(),
});

export const ProductDeletedResponse = z.object({ message: z.string(), producto_id: z.number(), activo: z.literal(false) });
export const ReorderProductsResponse = z.object({
  message: z.string(),
  productos: z.array(z.object({ id: z.number(), orden_visual: z.number() })),
});
