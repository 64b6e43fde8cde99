import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * Plain SQL on the DataSource's own node-postgres pool, for the statements that run many times a second (a purchase's
 * steps, the operator notices): named prepared statements, rows shaped like their entities without TypeORM's hydration.
 */

interface Pool {
  query<R>(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: R[] }>;
}

/** The pool TypeORM's PostgreSQL driver opened (`master`); same connections, settings and timeouts. */
function pool(dataSource: DataSource): Pool {
  return (dataSource.driver as unknown as { master: Pool }).master;
}

/** Runs one named statement: prepared once per connection, then only its parameters travel. */
export async function run<R>(dataSource: DataSource, name: string, text: string, values: unknown[]): Promise<R[]> {
  return (await pool(dataSource).query<R>({ name, text, values })).rows;
}

const selectLists = new WeakMap<DataSource, Map<string, string>>();

/**
 * `alias.column AS "prefix.property", …` for every column of an entity (or only those of `properties`), so a joined
 * row splits into entities.
 */
export function columnsOf(dataSource: DataSource, entity: EntityTarget<ObjectLiteral>, alias: string, properties?: readonly string[]): string {
  let lists = selectLists.get(dataSource);
  if (!lists) selectLists.set(dataSource, (lists = new Map()));
  const key = `${dataSource.getMetadata(entity).name}:${alias}:${properties?.join(',') ?? '*'}`;
  let list = lists.get(key);
  if (list === undefined) {
    list = dataSource
      .getMetadata(entity)
      .columns.filter((column) => !properties || properties.includes(column.propertyName))
      .map((column) => `${alias}.${column.databaseName} AS "${alias}.${column.propertyName}"`)
      .join(', ');
    lists.set(key, list);
  }
  return list;
}

/** The part of a joined row whose keys start with `alias.`, or null when its key column is null (no row joined). */
export function part<T>(row: Record<string, unknown>, alias: string, key = 'id'): T | null {
  if (row[`${alias}.${key}`] === null) return null;
  const prefix = `${alias}.`;
  const entity: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) if (name.startsWith(prefix)) entity[name.slice(prefix.length)] = value;
  return entity as T;
}
