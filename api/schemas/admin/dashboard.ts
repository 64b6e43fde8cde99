import { z } from 'zod';
import { DateRangeQuery, rangeInOrder } from './common';
import { RevenueByCurrency } from './companies';

export const DashboardQuery = DateRangeQuery.superRefine(rangeInOrder);

export const GlobalDashboardResponse = z.object({
  estadisticas: z.object({
    total_empresas: z.number(),
    empresas_activas: z.number(),
    total_usuarios: z.number(),
    total_routers: z.number(),
    routers_activos: z.number(),
    total_compras: z.number(),
    compras_pagadas: z.number(),
  }),
  periodo: z.object({ desde: z.string().nullable(), hasta: z.string().nullable() }),
  ingresos_por_moneda: RevenueByCurrency,
  timestamp: z.string(),
});

const Breakdown = { compras: z.number(), compras_pagadas: z.number(), ingresos: RevenueByCurrency };

export const CompanyDashboardResponse = z.object({
  empresa: z.object({ nombre: z.string(), activa: z.boolean() }),
  /** The totals panels written for the previous service read, over all time. */
  estadisticas: z.object({
    total_transacciones: z.number(),
    ingresos_totales: z.number(),
    transacciones_pagadas: z.number(),
    transacciones_pendientes: z.number(),
    total_routers: z.number(),
  }),
  transacciones_recientes: z.array(
    z.object({ id: z.string(), transaccion_id: z.string().nullable(), monto: z.number(), estado: z.string(), fecha: z.string() }),
  ),
  /** The range of every block below (default: the last 30 days). */
  periodo: z.object({ desde: z.string(), hasta: z.string() }),
  ingresos_por_moneda: RevenueByCurrency,
  por_dia: z.array(z.object({ fecha: z.string(), ...Breakdown })),
  por_router: z.array(z.object({ router_id: z.string().nullable(), router_nombre: z.string().nullable(), ...Breakdown })),
  por_producto: z.array(z.object({ producto_id: z.number().nullable(), producto_nombre: z.string().nullable(), ...Breakdown })),
  /** By gateway: `conekta`, `mercado_pago`, or `voucher` (vouchers sold at the counter, counted when redeemed). */
  por_pasarela: z.array(z.object({ pasarela: z.string(), ...Breakdown })),
  /** Revenue per currency paid in cash (vouchers) and by card (the gateways). */
  efectivo_vs_tarjeta: z.object({ efectivo: RevenueByCurrency, tarjeta: RevenueByCurrency }),
  tasa_aprobacion: z.object({
    aprobadas: z.number(),
    rechazadas: z.number(),
    fallidas: z.number(),
    canceladas: z.number(),
    en_curso: z.number(),
    /** aprobadas / (aprobadas + rechazadas); null without decisions. */
    tasa: z.number().nullable(),
  }),
});
