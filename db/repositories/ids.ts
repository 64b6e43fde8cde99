import { randomBytes } from 'node:crypto';
import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * Inserts a row under a fresh `<prefix><upper hex>` id (`EMP_…`, `RTR_…`: the formats of the previous service's ids, which imported rows keep). A collision is
 * unlikely but not impossible with 8 hex digits, so a taken id is skipped (ON CONFLICT DO NOTHING) and another drawn.
 */
export async function insertWithRandomId<E extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<E>,
  prefix: string,
  hexBytes: number,
  values: Partial<E>,
): Promise<string> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const id = `${prefix}${randomBytes(hexBytes).toString('hex').toUpperCase()}`;
    const result = await manager
      .createQueryBuilder()
      .insert()
      .into(entity)
      .values({ ...values, id } as unknown as E)
      .orIgnore()
      .returning('id')
      .execute();
    if ((result.raw as unknown[]).length > 0) return id;
  }
  throw new Error(`no free ${prefix} id after 5 attempts`);
}
