import type { FastifyReply, FastifyRequest } from 'fastify';
import type { EntityManager, EntityTarget, FindOptionsWhere } from 'typeorm';
import { HttpError } from '../../errors';
import { adminOf } from '../../plugins/auth';

/**
 * Tenancy for the admin routes. A company admin's queries always carry its own company id, and a row of another
 * company answers exactly like a missing one (404), so ids cannot be probed across tenants.
 */

/** The company a company admin administers. */
export function ownCompanyId(request: FastifyRequest): string {
  const { companyId } = adminOf(request).user;
  if (!companyId) throw new HttpError(400, 'Usuario sin empresa asociada');
  return companyId;
}

/** Who is acting, for the audit log and purchase histories. */
export function actorOf(request: FastifyRequest): { id: number; email: string } {
  const { id, email } = adminOf(request).user;
  return { id, email };
}

/**
 * The row of `entity` matching `where` inside the company, or 404 with `message`. With `lock`, the row is locked
 * until the surrounding transaction ends (used before changes that check a condition first).
 */
export async function findOwned<E extends { companyId: string }>(
  manager: EntityManager,
  entity: EntityTarget<E>,
  companyId: string,
  where: FindOptionsWhere<E>,
  message: string,
  lock = false,
): Promise<E> {
  const row = await manager.getRepository(entity).findOne({
    where: { ...where, companyId } as FindOptionsWhere<E>,
    ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
  });
  if (!row) throw new HttpError(404, message);
  return row;
}

/** Array lists keep the original's bare-array body; the total for paging travels in `X-Total-Count`. */
export function withTotal(reply: FastifyReply, total: number): void {
  reply.header('x-total-count', String(total));
  reply.header('access-control-expose-headers', 'X-Total-Count');
}
