import type { z } from 'zod';
import { RouterEntity } from '../../../db/entities';
import { recordAudit } from '../../../db/repositories/audit';
import { findPage } from '../../../db/repositories/pagination';
import { OPEN_STATUSES } from '../../../db/repositories/sales';
import { issueRouterApiKey } from '../../auth/router-keys';
import type { RouteContext, ZodApp } from '../../app';
import { HttpError } from '../../errors';
import { SECURITY } from '../../plugins/auth';
import { ADMIN_ERRORS, iso, NOT_FOUND } from '../../schemas/admin/common';
import { CompanyParams } from '../../schemas/admin/companies';
import {
  CompanyRouterParams,
  CreateRouterRequest,
  RouterActiveResponse,
  RouterCreateResponse,
  RouterDeletedResponse,
  RouterListQuery,
  RouterResponse,
  RouterUpdateResponse,
  SetRouterActiveRequest,
  TestConnectionResponse,
  UpdateRouterRequest,
} from '../../schemas/admin/routers';
import { ErrorResponse } from '../../schemas/common';
import { findCompany } from './companies';
import { insertWithRandomId } from './ids';
import { actorOf, findOwned, withTotal } from './scope';

const TAGS = ['Super Admin - Routers'];
const NOT_IN_COMPANY = 'Router no encontrado o no pertenece a la empresa';

type Actor = ReturnType<typeof actorOf>;

export function toRouterResponse(r: RouterEntity): z.output<typeof RouterResponse> {
  return {
    id: r.id,
    empresa_id: r.companyId,
    nombre: r.name,
    host: r.host,
    puerto: r.port,
    usuario: r.apiUser,
    ubicacion: r.location,
    activo: r.active,
    use_tls: r.useTls,
    tls_verify: r.tlsVerify,
    tls_fingerprint: r.tlsFingerprint,
    creado_en: iso(r.createdAt),
  };
}

/** What decides where a router's stored password is sent: changing any of them needs the password again. */
const ENDPOINT_FIELDS = ['host', 'port', 'useTls', 'tlsVerify', 'tlsFingerprint'] as const;

/** 422 naming `host` unless ROUTER_ALLOWED_NETWORKS lets a router be there (the worker checks again what a name resolves to). */
function checkHost(ctx: RouteContext, host: string): void {
  if (ctx.routerEndpoints.allowsHost(host)) return;
  throw new HttpError(422, [
    { loc: ['body', 'host'], msg: 'La dirección del router no está permitida (ROUTER_ALLOWED_NETWORKS)', type: 'value_error' },
  ]);
}

/** Key settings for issuing router API keys, from the configuration. */
export function apiKeySettings(ctx: RouteContext) {
  return { secret: ctx.config.JWT_APIKEY_SECRET, algorithm: ctx.config.JWT_ALGORITHM, expireDays: ctx.config.JWT_APIKEY_EXPIRE_DAYS };
}

/**
 * Updates a router's connection data (super admin and company admin share this): a field left out is unchanged, the
 * password is encrypted again, and the change is audited by field name. A new host, port or TLS setting is refused
 * (422) without the password: the stored one is never sent to an endpoint other than the one it was given for.
 */
export async function updateRouter(
  ctx: RouteContext,
  actor: Actor,
  companyId: string,
  routerId: string,
  body: z.output<typeof UpdateRouterRequest>,
  notFound: string,
): Promise<RouterEntity> {
  if (body.host !== undefined) checkHost(ctx, body.host);
  return ctx.dataSource.transaction(async (tx) => {
    const router = await findOwned(tx, RouterEntity, companyId, { id: routerId }, notFound, true);
    const changes: Partial<RouterEntity> = {
      name: body.nombre,
      host: body.host,
      port: body.puerto,
      apiUser: body.usuario,
      apiPasswordEncrypted: body.password === undefined ? undefined : ctx.secrets.encrypt(body.password),
      location: body.ubicacion === undefined ? undefined : body.ubicacion || null,
      useTls: body.use_tls,
      tlsVerify: body.tls_verify,
      tlsFingerprint: body.tls_fingerprint,
    };
    const moved = ENDPOINT_FIELDS.some((key) => changes[key] !== undefined && changes[key] !== router[key]);
    if (moved && body.password === undefined) {
      throw new HttpError(422, [
        {
          loc: ['body', 'password'],
          msg: 'Al cambiar host, puerto o TLS hay que enviar también la contraseña de la API del router',
          type: 'missing',
        },
      ]);
    }
    const fields = Object.entries(changes)
      .filter(([, value]) => value !== undefined)
      .map(([key]) => key);
    if (fields.length === 0) return router;
    for (const key of fields) Object.assign(router, { [key]: changes[key as keyof RouterEntity] });
    router.updatedAt = new Date();
    await tx.getRepository(RouterEntity).save(router);
    await recordAudit(tx, { actor, companyId, action: 'router.updated', targetType: 'router', targetId: routerId, detail: { fields } });
    return router;
  });
}

/** Sets (or with `toggle`, flips) a router's active flag; the router's key stops or resumes working at once. */
export async function setRouterActive(
  ctx: RouteContext,
  actor: Actor,
  companyId: string,
  routerId: string,
  active: boolean | 'toggle',
): Promise<z.output<typeof RouterActiveResponse>> {
  const activo = await ctx.dataSource.transaction(async (tx) => {
    const router = await findOwned(tx, RouterEntity, companyId, { id: routerId }, NOT_IN_COMPANY, true);
    const next = active === 'toggle' ? !router.active : active;
    await tx.update(RouterEntity, { id: routerId }, { active: next, updatedAt: new Date() });
    await recordAudit(tx, {
      actor,
      companyId,
      action: next ? 'router.activated' : 'router.deactivated',
      targetType: 'router',
      targetId: routerId,
    });
    return next;
  });
  ctx.routerKeys.invalidate();
  return { message: `Router ${activo ? 'activado' : 'desactivado'} correctamente`, router_id: routerId, activo };
}

/** Connects to the router through a workflow and reports identity, version and profile count (never throws for a failed probe). */
export async function testConnection(ctx: RouteContext, router: RouterEntity): Promise<z.output<typeof TestConnectionResponse>> {
  const probe = await ctx.workflows.probeRouter(router.id);
  const base = {
    router: { id: router.id, nombre: router.name, host: router.host, puerto: router.port, activo: router.active },
    timestamp: new Date().toISOString(),
  };
  if (!probe.ok) {
    return {
      success: false,
      message: 'Error de conexión',
      perfiles_encontrados: 0,
      router_name: null,
      version: null,
      latencia_ms: null,
      error: probe.message,
      ...base,
    };
  }
  return {
    success: true,
    message: 'Conexión exitosa',
    perfiles_encontrados: probe.profiles.length,
    router_name: probe.identity,
    version: probe.version,
    latencia_ms: probe.latencyMs,
    error: null,
    ...base,
  };
}

/** Super admin: the routers of a company (spec §3.5), with a delete that works and a connection test. */
export function registerRouterRoutes(app: ZodApp, ctx: RouteContext): void {
  const onRequest = ctx.guards.admin('super_admin');
  const base = '/admin/empresas/:empresa_id/routers';

  app.post(
    base,
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Create a router; the response carries its API key, shown only this once',
        security: SECURITY.admin,
        params: CompanyParams,
        body: CreateRouterRequest,
        response: { 200: RouterCreateResponse, ...ADMIN_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) => {
      const body = request.body;
      const company = await findCompany(ctx, request.params.empresa_id);
      if (body.empresa_id !== undefined && body.empresa_id !== company.id) {
        throw new HttpError(422, [
          { loc: ['body', 'empresa_id'], msg: 'empresa_id no coincide con la empresa de la ruta', type: 'value_error' },
        ]);
      }
      checkHost(ctx, body.host);
      const useTls = body.use_tls ?? false;
      const { router, key } = await ctx.dataSource.transaction(async (tx) => {
        const id = await insertWithRandomId(tx, RouterEntity, 'RTR_', 4, {
          companyId: company.id,
          name: body.nombre,
          host: body.host,
          port: body.puerto ?? (useTls ? 8729 : 8728),
          useTls,
          tlsVerify: body.tls_verify ?? true,
          tlsFingerprint: body.tls_fingerprint ?? null,
          apiUser: body.usuario,
          apiPasswordEncrypted: ctx.secrets.encrypt(body.password),
          location: body.ubicacion || null,
          active: true,
        });
        const issued = await issueRouterApiKey(tx, apiKeySettings(ctx), { companyId: company.id, routerId: id });
        const actor = actorOf(request);
        await recordAudit(tx, {
          actor,
          companyId: company.id,
          action: 'router.created',
          targetType: 'router',
          targetId: id,
          detail: { nombre: body.nombre },
        });
        await recordAudit(tx, {
          actor,
          companyId: company.id,
          action: 'api_key.issued',
          targetType: 'router',
          targetId: id,
          detail: { key_id: issued.keyId },
        });
        return { router: await tx.getRepository(RouterEntity).findOneByOrFail({ id }), key: issued };
      });
      return {
        ...toRouterResponse(router),
        api_key: key.apiKey,
        api_key_info: { key_id: key.keyId, issued_at: iso(key.issuedAt), expires_at: iso(key.expiresAt), type: 'router_api_key' as const },
      };
    },
  );

  app.get(
    base,
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: "List a company's routers (paginated; total in X-Total-Count)",
        security: SECURITY.admin,
        params: CompanyParams,
        querystring: RouterListQuery,
        response: { 200: RouterResponse.array(), ...ADMIN_ERRORS, ...NOT_FOUND },
      },
    },
    async (request, reply) => {
      const company = await findCompany(ctx, request.params.empresa_id);
      const query = ctx.dataSource
        .getRepository(RouterEntity)
        .createQueryBuilder('r')
        .where('r.company_id = :companyId', { companyId: company.id })
        .orderBy('r.created_at', 'DESC')
        .addOrderBy('r.id');
      const { rows, total } = await findPage(query, request.query);
      withTotal(reply, total);
      return rows.map(toRouterResponse);
    },
  );

  app.get(
    `${base}/:router_id`,
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Get a router',
        security: SECURITY.admin,
        params: CompanyRouterParams,
        response: { 200: RouterResponse, ...ADMIN_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) => {
      const { empresa_id, router_id } = request.params;
      return toRouterResponse(await findOwned(ctx.dataSource.manager, RouterEntity, empresa_id, { id: router_id }, NOT_IN_COMPANY));
    },
  );

  app.put(
    `${base}/:router_id`,
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Update connection data; fields left out are unchanged',
        security: SECURITY.admin,
        params: CompanyRouterParams,
        body: UpdateRouterRequest,
        response: { 200: RouterUpdateResponse, ...ADMIN_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) => {
      const { empresa_id, router_id } = request.params;
      const router = await updateRouter(ctx, actorOf(request), empresa_id, router_id, request.body, NOT_IN_COMPANY);
      return { message: 'Router actualizado correctamente', router: toRouterResponse(router) };
    },
  );

  app.put(
    `${base}/:router_id/activo`,
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Activate or deactivate a router',
        security: SECURITY.admin,
        params: CompanyRouterParams,
        body: SetRouterActiveRequest,
        response: { 200: RouterActiveResponse, ...ADMIN_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) => {
      const { empresa_id, router_id } = request.params;
      return setRouterActive(ctx, actorOf(request), empresa_id, router_id, request.body.activo);
    },
  );

  app.put(
    `${base}/:router_id/toggle-activo`,
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: "Flip a router's active flag (the original's endpoint; prefer PUT …/activo)",
        security: SECURITY.admin,
        params: CompanyRouterParams,
        response: { 200: RouterActiveResponse, ...ADMIN_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) => {
      const { empresa_id, router_id } = request.params;
      return setRouterActive(ctx, actorOf(request), empresa_id, router_id, 'toggle');
    },
  );

  app.delete(
    `${base}/:router_id`,
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Delete a router with its products and keys; refused (409) while it has purchases in course or active',
        security: SECURITY.admin,
        params: CompanyRouterParams,
        response: { 200: RouterDeletedResponse, ...ADMIN_ERRORS, ...NOT_FOUND, 409: ErrorResponse },
      },
    },
    async (request) => {
      const { empresa_id, router_id } = request.params;
      await ctx.dataSource.transaction(async (tx) => {
        // The row lock makes a purchase being created for this router wait (its foreign key check needs the row), so
        // none can slip in between the check and the delete.
        const router = await findOwned(tx, RouterEntity, empresa_id, { id: router_id }, NOT_IN_COMPANY, true);
        const [{ n }]: { n: number }[] = await tx.query(
          `SELECT count(*)::int AS n FROM purchases WHERE router_id = $1 AND status = ANY($2)`,
          [router_id, [...OPEN_STATUSES]],
        );
        if (n > 0) throw new HttpError(409, `No se puede eliminar el router porque tiene ${n} compra(s) en curso o activa(s)`);
        await tx.delete(RouterEntity, { id: router_id });
        await recordAudit(tx, {
          actor: actorOf(request),
          companyId: empresa_id,
          action: 'router.deleted',
          targetType: 'router',
          targetId: router_id,
          detail: { nombre: router.name, host: router.host },
        });
      });
      ctx.routerKeys.invalidate();
      return { message: 'Router eliminado correctamente', router_id };
    },
  );

  app.get(
    `${base}/:router_id/test-connection`,
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Connect to the router now (through the worker) and report identity, version and profiles',
        security: SECURITY.admin,
        params: CompanyRouterParams,
        response: { 200: TestConnectionResponse, ...ADMIN_ERRORS, ...NOT_FOUND },
      },
    },
    async (request) => {
      const { empresa_id, router_id } = request.params;
      return testConnection(ctx, await findOwned(ctx.dataSource.manager, RouterEntity, empresa_id, { id: router_id }, NOT_IN_COMPANY));
    },
  );
}
