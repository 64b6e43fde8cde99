import type { z } from 'zod';
import { DomainError } from '../../domain/errors';
import { succeeded } from '../../domain/operations';
import { RouterEntity } from '../../db/entities';
import { recordAudit, type AuditActor } from '../../db/repositories/audit';
import { findCompany } from '../../db/repositories/companies';
import { insertWithRandomId } from '../../db/repositories/ids';
import { findOwned } from '../../db/repositories/owned';
import { findPage, type Page, type PageRequest } from '../../db/repositories/pagination';
import { OPEN_STATUSES } from '../../db/repositories/sales';
import { apiKeySettings, issueRouterApiKey } from '../auth/router-keys';
import type { RouteContext } from '../context';
import { invalidField } from '../errors';
import { iso } from '../schemas/admin/common';
import type {
  CreateRouterRequest,
  HotspotProfileResponse,
  RouterActiveResponse,
  RouterResponse,
  TestConnectionResponse,
  UpdateRouterRequest,
} from '../schemas/admin/routers';

/**
 * Routers of a company: the super admin creates, deletes and (de)activates them; both admins update their connection
 * data and ask the worker to reach them. The API never talks to a router itself: probes run as workflows.
 */

type RouterDeps = Pick<RouteContext, 'dataSource' | 'secrets' | 'config' | 'workflows' | 'caches' | 'routerEndpoints'>;

/** The 404 of a router looked up by the super admin under a company, and by a company admin among its own. */
export const NOT_IN_COMPANY = 'Router no encontrado o no pertenece a la empresa';
export const NOT_OURS = 'Router no encontrado o no pertenece a tu empresa';

/** What decides where a router's stored password is sent: changing any of them needs the password again. */
const ENDPOINT_FIELDS = ['host', 'port', 'useTls', 'tlsVerify', 'tlsFingerprint'] as const;

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

/** A router of the company, or NOT_FOUND with `notFound`. */
export function findRouter(deps: Pick<RouterDeps, 'dataSource'>, companyId: string, routerId: string, notFound: string): Promise<RouterEntity> {
  return findOwned(deps.dataSource.manager, RouterEntity, companyId, { id: routerId }, notFound);
}

/** Refused (naming `host`) unless ROUTER_ALLOWED_NETWORKS lets a router be there; the worker checks again what a name resolves to. */
function checkHost(deps: Pick<RouterDeps, 'routerEndpoints'>, host: string): void {
  if (!deps.routerEndpoints.allowsHost(host)) throw invalidField('host', 'La dirección del router no está permitida (ROUTER_ALLOWED_NETWORKS)');
}

/** Creates a router of the company with its first API key (returned here only: only its hash is kept). */
export async function createRouter(deps: RouterDeps, actor: AuditActor, companyId: string, body: z.output<typeof CreateRouterRequest>) {
  const company = await findCompany(deps.dataSource.manager, companyId);
  if (body.empresa_id !== undefined && body.empresa_id !== company.id) {
    throw invalidField('empresa_id', 'empresa_id no coincide con la empresa de la ruta');
  }
  checkHost(deps, body.host);
  const useTls = body.use_tls ?? false;
  return deps.dataSource.transaction(async (tx) => {
    const id = await insertWithRandomId(tx, RouterEntity, 'RTR_', 4, {
      companyId: company.id,
      name: body.nombre,
      host: body.host,
      port: body.puerto ?? (useTls ? 8729 : 8728),
      useTls,
      tlsVerify: body.tls_verify ?? true,
      tlsFingerprint: body.tls_fingerprint ?? null,
      apiUser: body.usuario,
      apiPasswordEncrypted: deps.secrets.encrypt(body.password),
      location: body.ubicacion || null,
      active: true,
    });
    await recordAudit(tx, { actor, companyId: company.id, action: 'router.created', targetType: 'router', targetId: id, detail: { nombre: body.nombre } });
    const key = await issueRouterApiKey(tx, apiKeySettings(deps.config), deps.secrets, { companyId: company.id, routerId: id });
    await recordAudit(tx, { actor, companyId: company.id, action: 'api_key.issued', targetType: 'router', targetId: id, detail: { key_id: key.keyId } });
    return { router: await tx.getRepository(RouterEntity).findOneByOrFail({ id }), key };
  });
}

/** A company's routers, newest first. */
export function listRouters(deps: Pick<RouterDeps, 'dataSource'>, companyId: string, page: PageRequest): Promise<Page<RouterEntity>> {
  const query = deps.dataSource
    .getRepository(RouterEntity)
    .createQueryBuilder('r')
    .where('r.company_id = :companyId', { companyId })
    .orderBy('r.created_at', 'DESC')
    .addOrderBy('r.id');
  return findPage(query, page);
}

/**
 * Updates a router's connection data: a field left out is unchanged, the password is encrypted again, and the change
 * is audited by field name. A new host, port or TLS setting is refused (naming `password`) without the password: the
 * stored one is never sent to an endpoint other than the one it was given for.
 */
export async function updateRouter(
  deps: RouterDeps,
  actor: AuditActor,
  companyId: string,
  routerId: string,
  body: z.output<typeof UpdateRouterRequest>,
  notFound: string,
): Promise<RouterEntity> {
  if (body.host !== undefined) checkHost(deps, body.host);
  const updated = await deps.dataSource.transaction(async (tx) => {
    const router = await findOwned(tx, RouterEntity, companyId, { id: routerId }, notFound, true);
    const changes: Partial<RouterEntity> = {
      name: body.nombre,
      host: body.host,
      port: body.puerto,
      apiUser: body.usuario,
      apiPasswordEncrypted: body.password === undefined ? undefined : deps.secrets.encrypt(body.password),
      location: body.ubicacion === undefined ? undefined : body.ubicacion || null,
      useTls: body.use_tls,
      tlsVerify: body.tls_verify,
      tlsFingerprint: body.tls_fingerprint,
    };
    const moved = ENDPOINT_FIELDS.some((key) => changes[key] !== undefined && changes[key] !== router[key]);
    if (moved && body.password === undefined) {
      throw invalidField('password', 'Al cambiar host, puerto o TLS hay que enviar también la contraseña de la API del router', 'missing');
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
  // The portal shows the router's name and location from the key cache.
  await deps.caches.changed('router-keys');
  return updated;
}

/** Sets (or with `toggle`, flips) a router's active flag; the router's key stops or resumes working at once. */
export async function setRouterActive(
  deps: RouterDeps,
  actor: AuditActor,
  companyId: string,
  routerId: string,
  active: boolean | 'toggle',
): Promise<z.output<typeof RouterActiveResponse>> {
  const activo = await deps.dataSource.transaction(async (tx) => {
    const router = await findOwned(tx, RouterEntity, companyId, { id: routerId }, NOT_IN_COMPANY, true);
    const next = active === 'toggle' ? !router.active : active;
    await tx.update(RouterEntity, { id: routerId }, { active: next, updatedAt: new Date() });
    await recordAudit(tx, { actor, companyId, action: next ? 'router.activated' : 'router.deactivated', targetType: 'router', targetId: routerId });
    return next;
  });
  await deps.caches.changed('router-keys');
  return { message: `Router ${activo ? 'activado' : 'desactivado'} correctamente`, router_id: routerId, activo };
}

/** Deletes a router with its products and keys; refused (CONFLICT) while it has purchases in course or active. */
export async function deleteRouter(deps: RouterDeps, actor: AuditActor, companyId: string, routerId: string): Promise<void> {
  await deps.dataSource.transaction(async (tx) => {
    // The row lock makes a purchase being created for this router wait (its foreign key check needs the row), so
    // none can slip in between the check and the delete.
    const router = await findOwned(tx, RouterEntity, companyId, { id: routerId }, NOT_IN_COMPANY, true);
    const [{ n }]: { n: number }[] = await tx.query(
      `SELECT count(*)::int AS n FROM purchases WHERE router_id = $1 AND status = ANY($2)`,
      [routerId, [...OPEN_STATUSES]],
    );
    if (n > 0) throw new DomainError('CONFLICT', `No se puede eliminar el router porque tiene ${n} compra(s) en curso o activa(s)`);
    await tx.delete(RouterEntity, { id: routerId });
    await recordAudit(tx, {
      actor,
      companyId,
      action: 'router.deleted',
      targetType: 'router',
      targetId: routerId,
      detail: { nombre: router.name, host: router.host },
    });
  });
  await deps.caches.changed('router-keys');
}

/** Connects to the router through a workflow and reports identity, version and profile count (a failed probe is reported, not thrown). */
export async function testConnection(deps: Pick<RouterDeps, 'workflows'>, router: RouterEntity): Promise<z.output<typeof TestConnectionResponse>> {
  const probe = await deps.workflows.probeRouter(router.id);
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

/** The hotspot user profiles read live from an active router (through the worker); a failed probe is thrown with its code. */
export async function liveProfiles(deps: Pick<RouterDeps, 'workflows'>, router: RouterEntity): Promise<z.output<typeof HotspotProfileResponse>[]> {
  if (!router.active) throw new DomainError('BAD_REQUEST', 'El router está inactivo. Actívalo primero desde el panel.');
  const probe = succeeded(await deps.workflows.probeRouter(router.id));
  return probe.profiles.map((p) => ({
    id: p.id,
    name: p.name,
    session_timeout: p.sessionTimeout,
    idle_timeout: p.idleTimeout,
    keepalive_timeout: p.keepaliveTimeout,
    status_autorefresh: p.statusAutorefresh,
    shared_users: p.sharedUsers,
    rate_limit: p.rateLimit,
    address_list: p.addressList,
    mac_cookie_timeout: p.macCookieTimeout,
    add_mac_cookie: p.addMacCookie,
  }));
}
