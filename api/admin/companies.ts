import type { z } from 'zod';
import { DomainError } from '../../domain/errors';
import { AdminUserEntity, CompanyEntity, ProductEntity, RouterEntity } from '../../db/entities';
import { recordAudit, type AuditActor } from '../../db/repositories/audit';
import { findCompany } from '../../db/repositories/companies';
import { insertWithRandomId } from '../../db/repositories/ids';
import { findPage, type Page } from '../../db/repositories/pagination';
import { CHARGED_STATUSES, countByStatus, salesBy } from '../../db/repositories/sales';
import { maskSecret } from '../../shared/secrets';
import type { RouteContext } from '../context';
import { iso } from '../schemas/admin/common';
import type {
  CompanyListQuery,
  CompanyResponse,
  CompanyStatsResponse,
  CreateCompanyRequest,
  UpdateCompanyRequest,
} from '../schemas/admin/companies';
import type { MyCompanyResponse, UpdateMyCompanyRequest } from '../schemas/admin/my-company';
import { profileFrom, settingsPatch, updateCompanySettings } from './company-settings';
import { countAll, countIn, revenueByCurrency } from './dashboard';
import type { Gateway } from '../../domain/purchase';

/** Companies: the super admin's list and changes, and the own company of a company admin. */

type CompanyDeps = Pick<RouteContext, 'dataSource' | 'secrets' | 'caches'>;

/**
 * Gateways the company sells through (its public key is set) without the webhook secret (Mercado Pago) or key
 * (Conekta) that verifies their notifications: those notifications are ignored, and only the payment reconciliation
 * brings their news.
 */
function webhooksWithoutSecret(c: CompanyEntity): Gateway[] {
  const missing: Gateway[] = [];
  if (c.conektaPublicKey && !c.conektaWebhookPublicKey) missing.push('conekta');
  if (c.mercadoPagoPublicKey && !c.mercadoPagoWebhookSecretEncrypted) missing.push('mercado_pago');
  return missing;
}

export function toCompanyResponse(c: CompanyEntity): z.output<typeof CompanyResponse> {
  return {
    id: c.id,
    nombre: c.name,
    contacto_email: c.contactEmail,
    contacto_telefono: c.contactPhone,
    conekta_mode: c.conektaMode,
    activa: c.active,
    creada_en: iso(c.createdAt),
    logo_url: c.logoUrl,
    mercado_pago_mode: c.mercadoPagoMode,
    conekta_configurada: c.conektaPrivateKeyEncrypted !== null,
    mercado_pago_configurado: c.mercadoPagoAccessTokenEncrypted !== null,
    webhooks_sin_secreto: webhooksWithoutSecret(c),
  };
}

/** A company as its own admin sees it: every secret masked. */
export function toMyCompany(c: CompanyEntity): z.output<typeof MyCompanyResponse> {
  return {
    id: c.id,
    nombre: c.name,
    contacto_email: c.contactEmail,
    contacto_telefono: c.contactPhone,
    logo_url: c.logoUrl,
    conekta_mode: c.conektaMode,
    conekta_public_key: c.conektaPublicKey,
    mercado_pago_mode: c.mercadoPagoMode,
    mercado_pago_public_key: c.mercadoPagoPublicKey,
    activa: c.active,
    creada_en: iso(c.createdAt),
    telegram_bot_token: maskSecret(c.telegramBotTokenEncrypted),
    telegram_chat_id: c.telegramChatId,
    notificaciones_telegram: c.telegramEnabled,
    webhooks_sin_secreto: webhooksWithoutSecret(c),
  };
}

/** Creates a company (active, under a fresh `EMP_…` id) with its optional Conekta settings. */
export async function createCompany(deps: CompanyDeps, actor: AuditActor, body: z.output<typeof CreateCompanyRequest>): Promise<CompanyEntity> {
  const { patch, changed } = settingsPatch(deps.secrets, {
    conektaPrivateKey: body.conekta_private_key,
    conektaPublicKey: body.conekta_public_key,
    conektaMode: body.conekta_mode,
  });
  const id = await deps.dataSource.transaction(async (tx) => {
    const created = await insertWithRandomId(tx, CompanyEntity, 'EMP_', 5, {
      name: body.nombre,
      contactEmail: body.contacto_email.toLowerCase(),
      contactPhone: body.contacto_telefono || null,
      active: true,
      ...patch,
    });
    await recordAudit(tx, {
      actor,
      companyId: created,
      action: 'company.created',
      targetType: 'company',
      targetId: created,
      detail: { nombre: body.nombre, fields: changed },
    });
    return created;
  });
  return findCompany(deps.dataSource.manager, id);
}

/** Companies newest first, filtered by state and by part of the name or id. */
export function listCompanies(deps: CompanyDeps, query: z.output<typeof CompanyListQuery>): Promise<Page<CompanyEntity>> {
  const { activa, q, ...page } = query;
  const rows = deps.dataSource.getRepository(CompanyEntity).createQueryBuilder('c').orderBy('c.created_at', 'DESC').addOrderBy('c.id');
  if (activa !== undefined) rows.andWhere('c.active = :activa', { activa });
  if (q !== undefined) rows.andWhere('(c.name ILIKE :q OR c.id ILIKE :q)', { q: `%${q.replace(/[\\%_]/g, '\\$&')}%` });
  return findPage(rows, page);
}

/** A super admin's change of a company's profile and Conekta settings. */
export async function updateCompany(deps: CompanyDeps, actor: AuditActor, id: string, body: z.output<typeof UpdateCompanyRequest>): Promise<CompanyEntity> {
  const settings = { conektaPrivateKey: body.conekta_private_key, conektaPublicKey: body.conekta_public_key, conektaMode: body.conekta_mode };
  return (await updateCompanySettings(deps, actor, id, settings, profileFrom(body))).company;
}

/** A company admin's change of the own company's profile and Telegram settings. */
export async function updateMyCompany(
  deps: CompanyDeps,
  actor: AuditActor,
  id: string,
  body: z.output<typeof UpdateMyCompanyRequest>,
): Promise<CompanyEntity> {
  const settings = { telegramBotToken: body.telegram_bot_token, telegramChatId: body.telegram_chat_id, telegramEnabled: body.notificaciones_telegram };
  return (await updateCompanySettings(deps, actor, id, settings, profileFrom(body))).company;
}

/** Activates or deactivates a company: its routers' keys stop (or resume) working at once. */
export async function setCompanyActive(deps: CompanyDeps, actor: AuditActor, id: string, active: boolean): Promise<void> {
  await deps.dataSource.transaction(async (tx) => {
    const result = await tx.update(CompanyEntity, { id }, { active, updatedAt: new Date() });
    if (!result.affected) throw new DomainError('NOT_FOUND', 'Empresa no encontrada');
    await recordAudit(tx, { actor, companyId: id, action: active ? 'company.activated' : 'company.deactivated', targetType: 'company', targetId: id });
  });
  await deps.caches.changed('router-keys');
}

/** A company's routers, admins, keys, products, purchases and revenue. */
export async function companyStats(deps: CompanyDeps, id: string): Promise<z.output<typeof CompanyStatsResponse>> {
  const m = deps.dataSource.manager;
  const company = await findCompany(m, id);
  const [routers, activeRouters, admins, products, activeProducts, keys, statuses, revenue] = await Promise.all([
    m.countBy(RouterEntity, { companyId: company.id }),
    m.countBy(RouterEntity, { companyId: company.id, active: true }),
    m.countBy(AdminUserEntity, { companyId: company.id }),
    m.countBy(ProductEntity, { companyId: company.id }),
    m.countBy(ProductEntity, { companyId: company.id, active: true }),
    m.query(`SELECT count(*)::int AS n FROM router_api_keys WHERE company_id = $1 AND NOT revoked AND expires_at > now()`, [company.id]),
    countByStatus(m, { companyId: company.id }),
    salesBy(m, 'currency', { companyId: company.id }),
  ]);
  return {
    empresa: { id: company.id, nombre: company.name, activa: company.active, creada_en: iso(company.createdAt), contacto_email: company.contactEmail },
    estadisticas: {
      total_routers: routers,
      routers_activos: activeRouters,
      routers_inactivos: routers - activeRouters,
      total_usuarios_admin: admins,
      api_keys_activas: (keys as { n: number }[])[0].n,
      total_productos: products,
      productos_activos: activeProducts,
      total_compras: countAll(statuses),
      compras_pagadas: countIn(statuses, CHARGED_STATUSES),
    },
    ingresos_por_moneda: revenueByCurrency(revenue),
  };
}
