import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AdminRole } from '../../db/entities/admin-user.entity';
import type { AuditActor } from '../../db/repositories/audit';
import type { AdminPrincipal, SessionService } from '../auth/sessions';
import type { RouterKeyAuthenticator, RouterPrincipal } from '../auth/router-keys';
import { DomainError } from '../../domain/errors';

declare module 'fastify' {
  interface FastifyRequest {
    routerPrincipal?: RouterPrincipal;
    adminPrincipal?: AdminPrincipal;
  }
}

export type PreHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export interface Guards {
  /** Captive-portal routes: a valid router API key of an active router of an active company. */
  routerKey: PreHandler;
  /** Admin routes: a live session; with roles, one of them (403 naming the role otherwise). */
  admin: (...roles: AdminRole[]) => PreHandler;
}

const ROLE_MESSAGES: Record<AdminRole, string> = {
  super_admin: 'Se requiere rol SUPER_ADMIN',
  cliente_admin: 'Se requiere rol CLIENTE_ADMIN',
};

export function createGuards(routerKeys: RouterKeyAuthenticator, sessions: SessionService): Guards {
  return {
    routerKey: async (request) => {
      request.routerPrincipal = await routerKeys.authenticate(request.headers);
    },
    admin:
      (...roles) =>
      async (request) => {
        const principal = await sessions.authenticate(request.headers);
        if (roles.length > 0 && !roles.includes(principal.user.role)) throw new DomainError('FORBIDDEN', ROLE_MESSAGES[roles[0]]);
        request.adminPrincipal = principal;
      },
  };
}

/** The router principal of a request that passed `guards.routerKey`. */
export function routerOf(request: FastifyRequest): RouterPrincipal {
  if (!request.routerPrincipal) throw new Error('route is missing the routerKey guard');
  return request.routerPrincipal;
}

/** The admin principal of a request that passed `guards.admin`. */
export function adminOf(request: FastifyRequest): AdminPrincipal {
  if (!request.adminPrincipal) throw new Error('route is missing the admin guard');
  return request.adminPrincipal;
}

/**
 * The company a company admin administers. Admin tenancy: a company admin's queries always carry its own company id,
 * and a row of another company answers exactly like a missing one (404), so ids cannot be probed across tenants.
 */
export function ownCompanyId(request: FastifyRequest): string {
  const { companyId } = adminOf(request).user;
  if (!companyId) throw new DomainError('BAD_REQUEST', 'Usuario sin empresa asociada');
  return companyId;
}

/** Who is acting, for the audit log and purchase histories. */
export function actorOf(request: FastifyRequest): AuditActor {
  const { id, email } = adminOf(request).user;
  return { id, email };
}

/** Registers the security schemes the OpenAPI document refers to. */
export const SECURITY: Record<'routerKey' | 'admin', { [scheme: string]: string[] }[]> = {
  routerKey: [{ RouterApiKey: [] }, { RouterApiKeyHeader: [] }],
  admin: [{ AdminSession: [] }],
};
