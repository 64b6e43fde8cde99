import { AdminUserEntity, CompanyEntity, ProductEntity, RouterEntity } from '../../../db/entities';
import { recordAudit } from '../../../db/repositories/audit';
import { findPage } from '../../../db/repositories/pagination';
import { CHARGED_STATUSES, countByStatus, salesBy } from '../../../db/repositories/sales';
import type { RouteContext, ZodApp } from '../../app';
import { HttpError } from '../../errors';
import { SECURITY } from '../../plugins/auth';
import { ADMIN_ERRORS, iso, NOT_FOUND } from '../../schemas/admin/common';
import {
  CompanyActiveResponse,
  CompanyListQuery,
  CompanyParams,
  CompanyResponse,
  CompanyStatsResponse,
  CreateCompanyRequest,
  SetCompanyActiveRequest,
  UpdateCompanyRequest,
} from '../../schemas/admin/companies';
import { profileFrom, settingsPatch, updateCompanySettings } from './company-settings';
import { revenueByCurrency } from './dashboard';
import { insertWithRandomId } from './ids';
import { actorOf, withTotal } from './scope';

const TAGS = ['Super Admin'];

export function toCompanyResponse(c: CompanyEntity) {
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
  };
}

/** A company by id, or the original's 404. */
export async function findCompany(ctx: RouteContext, id: string): Promise<CompanyEntity> {
  const company = await ctx.dataSource.getRepository(CompanyEntity).findOneBy({ id });
  if (!company) throw new HttpError(404, 'Empresa no encontrada');
  return company;
}

/** Super admin: companies (spec §3.5), with update, activation and pagination the original lacked. */
export function registerCompanyRoutes(app: ZodApp, ctx: RouteContext): void {
  const onRequest = ctx.guards.admin('super_admin');

  app.post(
    '/admin/empresas',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Create a company (Conekta keys optional, stored encrypted)',
        security: SECURITY.admin,
        body: CreateCompanyRequest,
        response: { 200: CompanyResponse, ...ADMIN_ERRORS },
      },
    },
    async (request) => {
      const body = request.body;
      const { patch, changed } = settingsPatch(ctx.secrets, {
        conektaPrivateKey: body.conekta_private_key,
        conektaPublicKey: body.conekta_public_key,
        conektaMode: body.conekta_mode,
      });
      const id = await ctx.dataSource.transaction(async (tx) => {
        const created = await insertWithRandomId(tx, CompanyEntity, 'EMP_', 5, {
          name: body.nombre,
          contactEmail: body.contacto_email.toLowerCase(),
          contactPhone: body.contacto_telefono || null,
          active: true,
          ...patch,
        });
        await recordAudit(tx, {
          actor: actorOf(request),
          companyId: created,
          action: 'company.created',
          targetType: 'company',
          targetId: created,
          detail: { nombre: body.nombre, fields: changed },
        });
        return created;
      });
      return toCompanyResponse(await findCompany(ctx, id));
    },
  );

  app.get(
    '/admin/empresas',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'List companies (paginated; total in X-Total-Count)',
        security: SECURITY.admin,
        querystring: CompanyListQuery,
        response: { 200: CompanyResponse.array(), ...ADMIN_ERRORS },
      },
    },
    async (request, reply) => {
      const { activa, q, ...page } = request.query;
      const query = ctx.dataSource.getRepository(CompanyEntity).createQueryBuilder('c').orderBy('c.created_at', 'DESC').addOrderBy('c.id');
      if (activa !== undefined) query.andWhere('c.active = :activa', { activa });
      if (q !== undefined) query.andWhere('(c.name ILIKE :q OR c.id ILIKE :q)', { q: `%${q.replace(/[\\%_]/g, '\\$&')}%` });
      const { rows, total } = await findPage(query, page);
      withTotal(reply, total);
      return rows.map(toCompanyResponse);
    },
  );

  app.get(
    '/admin/empresas/:empresa_id',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Get a company',
        security: SECURITY.admin,
        params: CompanyParams,
        response: { 200: CompanyResponse, ...ADMIN_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) => toCompanyResponse(await findCompany(ctx, request.params.empresa_id)),
  );

  app.put(
    '/admin/empresas/:empresa_id',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Update a company; fields left out are unchanged',
        security: SECURITY.admin,
        params: CompanyParams,
        body: UpdateCompanyRequest,
        response: { 200: CompanyResponse, ...ADMIN_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) => {
      const body = request.body;
      const { company } = await updateCompanySettings(
        ctx,
        actorOf(request),
        request.params.empresa_id,
        { conektaPrivateKey: body.conekta_private_key, conektaPublicKey: body.conekta_public_key, conektaMode: body.conekta_mode },
        profileFrom(body),
      );
      return toCompanyResponse(company);
    },
  );

  app.put(
    '/admin/empresas/:empresa_id/activa',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: "Activate or deactivate a company (a deactivated company's routers stop selling at once)",
        security: SECURITY.admin,
        params: CompanyParams,
        body: SetCompanyActiveRequest,
        response: { 200: CompanyActiveResponse, ...ADMIN_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) => {
      const { activa } = request.body;
      const id = request.params.empresa_id;
      await ctx.dataSource.transaction(async (tx) => {
        const result = await tx.update(CompanyEntity, { id }, { active: activa, updatedAt: new Date() });
        if (!result.affected) throw new HttpError(404, 'Empresa no encontrada');
        await recordAudit(tx, {
          actor: actorOf(request),
          companyId: id,
          action: activa ? 'company.activated' : 'company.deactivated',
          targetType: 'company',
          targetId: id,
        });
      });
      ctx.routerKeys.invalidate();
      return { message: `Empresa ${activa ? 'activada' : 'desactivada'} correctamente`, empresa_id: id, activa };
    },
  );

  app.get(
    '/admin/empresas/:empresa_id/stats',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Company statistics: routers, admins, keys, products, purchases and revenue',
        security: SECURITY.admin,
        params: CompanyParams,
        response: { 200: CompanyStatsResponse, ...ADMIN_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) => {
      const company = await findCompany(ctx, request.params.empresa_id);
      const m = ctx.dataSource.manager;
      const [routers, activeRouters, admins, products, activeProducts, keys, statuses, revenue] = await Promise.all([
        m.countBy(RouterEntity, { companyId: company.id }),
        m.countBy(RouterEntity, { companyId: company.id, active: true }),
        m.countBy(AdminUserEntity, { companyId: company.id }),
        m.countBy(ProductEntity, { companyId: company.id }),
        m.countBy(ProductEntity, { companyId: company.id, active: true }),
        m.query(`SELECT count(*)::int AS n FROM router_api_keys WHERE company_id = $1 AND NOT revoked AND expires_at > now()`, [
          company.id,
        ]),
        countByStatus(m, { companyId: company.id }),
        salesBy(m, 'currency', { companyId: company.id }),
      ]);
      const total = Object.values(statuses).reduce((a, b) => a + b, 0);
      return {
        empresa: {
          id: company.id,
          nombre: company.name,
          activa: company.active,
          creada_en: iso(company.createdAt),
          contacto_email: company.contactEmail,
        },
        estadisticas: {
          total_routers: routers,
          routers_activos: activeRouters,
          routers_inactivos: routers - activeRouters,
          total_usuarios_admin: admins,
          api_keys_activas: (keys as { n: number }[])[0].n,
          total_productos: products,
          productos_activos: activeProducts,
          total_compras: total,
          compras_pagadas: CHARGED_STATUSES.reduce((sum, s) => sum + (statuses[s] ?? 0), 0),
        },
        ingresos_por_moneda: revenueByCurrency(revenue),
      };
    },
  );
}
