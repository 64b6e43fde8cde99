import { z } from 'zod';
import { toCents } from '../../../domain/money';
import { VOUCHER_BATCH_MAX, VOUCHER_CODE_LENGTHS, VOUCHER_FORMATS, VOUCHER_PREFIX, VOUCHER_STATUSES } from '../../../domain/vouchers';
import { withAliases } from '../aliases';
import { Id, IdParam } from '../common';
import { PageQuery } from './common';
import { Price } from './products';

/** The hotspot login page of a MikroTik hotspot set up with its defaults (hotspot address 10.5.50.1). */
const DEFAULT_LOGIN_URL = 'http://10.5.50.1/login';

const LoginUrl = z
  .url({ protocol: /^https?$/, error: 'url_login debe ser una URL http(s) de la página de inicio de sesión del hotspot' })
  .max(255);

export const CreateBatchRequest = withAliases(
  {
    producto_id: Id,
    cantidad: z.number().int().min(1).max(VOUCHER_BATCH_MAX),
    formato: z.enum(VOUCHER_FORMATS).default('pin'),
    /** Digits of the PIN, or characters of the password. */
    longitud: z.number().int().optional(),
    prefijo: z.string().trim().toUpperCase().regex(VOUCHER_PREFIX, { error: 'Prefijo inválido: hasta 8 letras o números' }).default(''),
    /** Price of one voucher at the counter; the product's when absent. */
    precio: Price.optional(),
    /** Redeemable only on this router (the product's router when absent), unless `todos_los_routers`. */
    router_id: z.string().trim().min(1).max(50).optional(),
    todos_los_routers: z.boolean().default(false),
    canjear_antes_de: z.iso.datetime({ offset: true }).optional(),
    url_login: LoginUrl.default(DEFAULT_LOGIN_URL),
    nota: z.string().trim().min(1).max(200).optional(),
  },
  { producto_id: 'product_id', cantidad: 'quantity' },
).transform((value, ctx) => {
  const lengths = VOUCHER_CODE_LENGTHS[value.formato];
  const codeLength = value.longitud ?? lengths.default;
  if (codeLength < lengths.min || codeLength > lengths.max) {
    ctx.addIssue({ code: 'custom', path: ['longitud'], message: `longitud debe estar entre ${lengths.min} y ${lengths.max} para el formato ${value.formato}` });
    return z.NEVER;
  }
  if (value.todos_los_routers && value.router_id !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['router_id'], message: 'Indique router_id o todos_los_routers, no ambos' });
    return z.NEVER;
  }
  const redeemBy = value.canjear_antes_de === undefined ? undefined : new Date(value.canjear_antes_de);
  if (redeemBy && redeemBy.getTime() <= Date.now()) {
    ctx.addIssue({ code: 'custom', path: ['canjear_antes_de'], message: 'canjear_antes_de debe ser una fecha futura' });
    return z.NEVER;
  }
  return { ...value, codeLength, redeemBy, priceCents: value.precio === undefined ? undefined : toCents(value.precio) };
});

export const BatchParams = z.object({ lote_id: IdParam });
export const VoucherParams = z.object({ ficha_id: IdParam });

export const VoucherListQuery = PageQuery.extend({ estado: z.enum(VOUCHER_STATUSES).optional() });
export const BatchListQuery = PageQuery;

const StatusCounts = z.object({ unused: z.number(), active: z.number(), expired: z.number(), revoked: z.number() });

export const BatchSummary = z.object({
  id: z.number(),
  producto_id: z.number().nullable(),
  producto_nombre: z.string(),
  perfil: z.string(),
  vigencia_segundos: z.number(),
  precio: z.number(),
  moneda: z.string(),
  cantidad: z.number(),
  formato: z.enum(VOUCHER_FORMATS),
  longitud: z.number(),
  prefijo: z.string(),
  router_id: z.string().nullable(),
  todos_los_routers: z.boolean(),
  canjear_antes_de: z.string().nullable(),
  url_login: z.string(),
  nota: z.string().nullable(),
  revocado_en: z.string().nullable(),
  creado_en: z.string(),
  estados: StatusCounts,
});

export const BatchPageResponse = z.object({ total: z.number(), items: z.array(BatchSummary) });

export const VoucherSummary = z.object({
  id: z.number(),
  lote_id: z.number(),
  serie: z.number(),
  estado: z.enum(VOUCHER_STATUSES),
  compra_id: z.string().nullable(),
  usuario_hotspot: z.string().nullable(),
  canjeada_en: z.string().nullable(),
  expira_en: z.string().nullable(),
  revocada_en: z.string().nullable(),
});

export const VoucherPageResponse = z.object({ total: z.number(), items: z.array(VoucherSummary) });

export const RevokeVouchersResponse = z.object({
  message: z.string(),
  lote_id: z.number(),
  fichas_revocadas: z.number().describe('Vouchers revoked by this request'),
  accesos_revocados: z.number().describe('Active accesses removed (or being removed) from their routers'),
  accesos_en_curso: z.number().describe('Redemptions still being set up when the wait ended: their removal goes on'),
});
