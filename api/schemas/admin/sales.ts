import { z } from 'zod';
import { PURCHASE_GATEWAYS, PURCHASE_STATUSES } from '../../../domain/purchase';
import { withAliases } from '../aliases';
import { IdParam } from '../common';
import { DateRangeQuery, PageQuery, rangeInOrder } from './common';

/** One status or several separated by commas (`?estado=paid,active`). */
const Statuses = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()))
  .pipe(z.array(z.enum(PURCHASE_STATUSES)));

const PurchaseFilters = DateRangeQuery.extend({
  router_id: z.string().trim().min(1).max(50).optional(),
  producto_id: IdParam.optional(),
  estado: Statuses.optional(),
  pasarela: z.enum(PURCHASE_GATEWAYS).optional(),
  /** The customer's email, exact (case-insensitive). */
  cliente_email: z.string().trim().min(3).max(254).optional(),
});

export const PurchaseListQuery = PageQuery.extend(PurchaseFilters.shape).superRefine(rangeInOrder);
export const PurchaseExportQuery = PurchaseFilters.superRefine(rangeInOrder);
export const TransactionsQuery = PageQuery;

export const PurchaseParams = z.object({ compra_id: z.uuid({ error: 'Identificador de compra inválido' }) });

/** A purchase as the admin sees it: never its hotspot password or card token. */
export const PurchaseSummary = z.object({
  id: z.string(),
  transaccion_id: z.string().nullable(),
  router_id: z.string().nullable(),
  router_nombre: z.string(),
  producto_id: z.number().nullable(),
  producto_nombre: z.string(),
  perfil: z.string(),
  pasarela: z.string(),
  monto: z.number(),
  reembolsado: z.number(),
  moneda: z.string(),
  estado: z.string(),
  estado_pago: z.string().nullable(),
  motivo_estado: z.string().nullable(),
  cliente_nombre: z.string(),
  cliente_email: z.string(),
  cliente_telefono: z.string().nullable(),
  tipo_usuario: z.string(),
  usuario_hotspot: z.string().nullable(),
  mac_cliente: z.string().nullable(),
  ip_cliente: z.string().nullable(),
  vigencia_segundos: z.number(),
  creada_en: z.string(),
  pagada_en: z.string().nullable(),
  activada_en: z.string().nullable(),
  expira_en: z.string().nullable(),
  finalizada_en: z.string().nullable(),
});

export const PurchasePageResponse = z.object({
  total: z.number(),
  limit: z.number(),
  offset: z.number(),
  compras: z.array(PurchaseSummary),
});

export const PurchaseDetailResponse = PurchaseSummary.extend({
  mensaje_cliente: z.string().nullable(),
  conexion_automatica: z.boolean(),
  eventos: z.array(
    z.object({
      id: z.number(),
      tipo: z.string(),
      estado_anterior: z.string().nullable(),
      estado_nuevo: z.string().nullable(),
      origen: z.string(),
      detalle: z.record(z.string(), z.unknown()),
      creado_en: z.string(),
    }),
  ),
});

/** The `mi-empresa/transacciones` page panels written for the previous service read: charged purchases only. */
export const TransactionsResponse = z.object({
  empresa_id: z.string(),
  total: z.number(),
  limit: z.number(),
  offset: z.number(),
  transacciones: z.array(
    z.object({
      id: z.string(),
      transaccion_id: z.string().nullable(),
      monto: z.number(),
      estado_pago: z.string(),
      cliente_nombre: z.string(),
      creada_en: z.string(),
    }),
  ),
});

const Reason = z.string().trim().min(1).max(500);

/** Optional reason of a refund or revocation (recorded in the purchase history and the audit log); the body may be absent. */
export const PurchaseActionRequest = withAliases({ motivo: Reason.optional() }, { motivo: 'reason' }).nullish();

export const ExtendPurchaseRequest = withAliases(
  {
    segundos: z
      .number()
      .int()
      .min(60)
      .max(366 * 86_400)
      .optional(),
    minutos: z
      .number()
      .int()
      .min(1)
      .max(366 * 1_440)
      .optional(),
    motivo: Reason.optional(),
  },
  { segundos: 'seconds', motivo: 'reason' },
).transform((value, ctx) => {
  if ((value.segundos === undefined) === (value.minutos === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['segundos'], message: 'Indique cuánto extender en segundos o en minutos (solo uno)' });
    return z.NEVER;
  }
  return { seconds: value.segundos ?? value.minutos! * 60, motivo: value.motivo };
});

export const PurchaseActionResponse = z.object({
  message: z.string(),
  compra_id: z.string(),
  estado: z.string(),
  expira_en: z.string().nullable(),
});
