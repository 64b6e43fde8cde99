import type { EntityManager, EntityTarget, FindOptionsWhere } from 'typeorm';
import { DomainError } from '../../domain/errors';

/**
 * The row of `entity` matching `where` inside the company, or NOT_FOUND with `message`: a row of another company
 * looks exactly like a missing one, so ids cannot be probed across tenants. With `lock`, the row is locked until the
 * surrounding transaction ends (used before changes that check a condition first).
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
  if (!row) throw new DomainError('NOT_FOUND', message);
  return row;
}
