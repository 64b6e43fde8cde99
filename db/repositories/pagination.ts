import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/** A page of a list: at most `limit` rows after skipping `offset`. The API bounds `limit` (api/schemas/admin/common.ts). */
export interface PageRequest {
  limit: number;
  offset: number;
}

export interface Page<T> {
  rows: T[];
  /** Rows matching the filters, over all pages. */
  total: number;
}

/** Runs a filtered, ordered query for one page plus the total count of matches. */
export async function findPage<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, page: PageRequest): Promise<Page<T>> {
  const [rows, total] = await query.take(page.limit).skip(page.offset).getManyAndCount();
  return { rows, total };
}
