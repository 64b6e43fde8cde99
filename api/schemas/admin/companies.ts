import { z } from 'zod';
import { GATEWAYS } from '../../../domain/purchase';
import { ListQuery, QueryBoolean } from './common';
import { GatewayMode, PhoneNumber, PublicKeyInput, SecretInput } from './settings';

export const CompanyParams = z.object({ empresa_id: z.string().trim().min(1).max(50) });

export const CreateCompanyRequest = z.object({
  nombre: z.string().trim().min(1).max(100),
  contacto_email: z.email().max(254),
  contacto_telefono: PhoneNumber.nullable().optional(),
  conekta_private_key: SecretInput,
  conekta_public_key: PublicKeyInput,
  conekta_mode: GatewayMode.optional(),
});

export const UpdateCompanyRequest = z.object({
  nombre: z.string().trim().min(1).max(100).optional(),
  contacto_email: z.email().max(254).nullable().optional(),
  contacto_telefono: PhoneNumber.nullable().optional(),
  conekta_private_key: SecretInput,
  conekta_public_key: PublicKeyInput,
  conekta_mode: GatewayMode.optional(),
});

export const CompanyListQuery = ListQuery.extend({
  activa: QueryBoolean.optional(),
  /** Part of the name or the id. */
  q: z.string().trim().min(1).max(100).optional(),
});

/** A company in the shape panels written for the previous service read, plus what a super admin needs to see at a glance (never a secret). */
export const CompanyResponse = z.object({
  id: z.string(),
  nombre: z.string(),
  contacto_email: z.string().nullable(),
  contacto_telefono: z.string().nullable(),
  conekta_mode: z.string(),
  activa: z.boolean(),
  creada_en: z.string(),
  logo_url: z.string().nullable(),
  mercado_pago_mode: z.string(),
  conekta_configurada: z.boolean(),
  mercado_pago_configurado: z.boolean(),
  webhooks_sin_secreto: z
    .array(z.enum(GATEWAYS))
    .describe('Gateways in use whose webhook secret (Mercado Pago) or key (Conekta) is missing: their notifications are ignored, and only the payment reconciliation brings their news'),
});

export const SetCompanyActiveRequest = z.object({ activa: z.boolean() });
export const CompanyActiveResponse = z.object({ message: z.string(), empresa_id: z.string(), activa: z.boolean() });

/** Amount kept per currency in major units (`{"MXN": 1520.5}`). */
export const RevenueByCurrency = z.record(z.string(), z.number());

export const CompanyStatsResponse = z.object({
  empresa: z.object({
    id: z.string(),
    nombre: z.string(),
    activa: z.boolean(),
    creada_en: z.string(),
    contacto_email: z.string().nullable(),
  }),
  estadisticas: z.object({
    total_routers: z.number(),
    routers_activos: z.number(),
    routers_inactivos: z.number(),
    total_usuarios_admin: z.number(),
    api_keys_activas: z.number(),
    total_productos: z.number(),
    productos_activos: z.number(),
    total_compras: z.number(),
    compras_pagadas: z.number(),
  }),
  ingresos_por_moneda: RevenueByCurrency,
});
