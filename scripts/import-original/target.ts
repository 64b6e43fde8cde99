import type { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { AdminUserEntity, CompanyEntity, ProductEntity, RouterApiKeyEntity, RouterEntity } from '../../db/entities';
import { PurchaseEntity, PurchaseEventEntity } from '../../db/entities';
import { recordAudit } from '../../db/repositories/audit';
import type { Currency } from '../../domain/money';
import type { Gateway } from '../../domain/purchase';
import type { OriginalData } from './source';

/** A product as this database already holds it: what a sale needs from it. */
export interface ExistingProduct {
  companyId: string;
  routerId: string;
  profileId: string;
  profileName: string;
  name: string;
  currency: Currency;
  validitySeconds: number;
}

/** What this database already holds of the rows an import would write, to skip them or to see a conflict. */
export interface TargetState {
  companies: Set<string>;
  /** Admin id → email (lower case), and back. */
  adminEmails: Map<number, string>;
  adminIds: Map<string, number>;
  /** Router id → its company. */
  routers: Map<string, string>;
  /** Key id → key hash; key hash → key id; router → its unrevoked key id. */
  keyHashes: Map<string, string>;
  keyIds: Map<string, string>;
  activeKeys: Map<string, string>;
  products: Map<number, ExistingProduct>;
  /** Purchase ids present among those this import derives. */
  purchases: Set<string>;
  /** `gateway:reference` → purchase id, for the references the original's sales carry. */
  references: Map<string, string>;
}

export const referenceKey = (gateway: Gateway, reference: string) => `${gateway}:${reference}`;

/** Reads what the target database holds of the original's rows (only those: never a whole purchases table). */
export async function loadTargetState(ds: DataSource, data: OriginalData, purchaseIds: string[]): Promise<TargetState> {
  const q = <T>(sql: string, params: unknown[] = []): Promise<T[]> => ds.query(sql, params);
  const [companies, admins, routers, keys, products, purchases, references] = await Promise.all([
    q<{ id: string }>(`SELECT id FROM companies`),
    q<{ id: number; email: string }>(`SELECT id, lower(email) AS email FROM admin_users`),
    q<{ id: string; company_id: string }>(`SELECT id, company_id FROM routers`),
    q<{ key_id: string; key_hash: string; router_id: string; revoked: boolean }>(
      `SELECT key_id, key_hash, router_id, revoked FROM router_api_keys WHERE router_id = ANY($1) OR key_id = ANY($2)`,
      [data.routers.map((r) => r.id), data.api_keys_tracking.map((k) => k.key_id)],
    ),
    q<{ id: number; company_id: string; router_id: string; profile_id: string; profile_name: string; name: string; currency: Currency; validity_seconds: number }>(
      `SELECT id, company_id, router_id, profile_id, profile_name, name, currency, validity_seconds FROM products WHERE id = ANY($1)`,
      [data.productos.map((p) => p.id)],
    ),
    q<{ id: string }>(`SELECT id FROM purchases WHERE id = ANY($1::uuid[])`, [purchaseIds]),
    q<{ gateway: Gateway; gateway_reference: string; id: string }>(
      `SELECT gateway, gateway_reference, id FROM purchases WHERE gateway_reference = ANY($1)`,
      [data.transacciones.flatMap((t) => (t.transaccion_id ? [t.transaccion_id.trim()] : []))],
    ),
  ]);
  return {
    companies: new Set(companies.map((c) => c.id)),
    adminEmails: new Map(admins.map((a) => [a.id, a.email])),
    adminIds: new Map(admins.map((a) => [a.email, a.id])),
    routers: new Map(routers.map((r) => [r.id, r.company_id])),
    keyHashes: new Map(keys.map((k) => [k.key_id, k.key_hash.trim()])),
    keyIds: new Map(keys.map((k) => [k.key_hash.trim(), k.key_id])),
    activeKeys: new Map(keys.filter((k) => !k.revoked).map((k) => [k.router_id, k.key_id])),
    products: new Map(
      products.map((p) => [
        p.id,
        {
          companyId: p.company_id,
          routerId: p.router_id,
          profileId: p.profile_id,
          profileName: p.profile_name,
          name: p.name,
          currency: p.currency,
          validitySeconds: p.validity_seconds,
        },
      ]),
    ),
    purchases: new Set(purchases.map((p) => p.id)),
    references: new Map(references.map((r) => [referenceKey(r.gateway, r.gateway_reference), r.id])),
  };
}

const BATCH = 200;

/**
 * `INSERT … ON CONFLICT DO NOTHING RETURNING <primary key>` of entity-shaped rows, by the entity's column names. Raw
 * SQL on purpose: the ids of the original are kept, and TypeORM leaves generated (serial) ids out of its inserts.
 */
async function insertIgnoring<T extends ObjectLiteral>(run: EntityManager, entity: EntityTarget<T>, rows: Partial<T>[]): Promise<unknown[]> {
  const meta = run.connection.getMetadata(entity);
  const columns = meta.columns.filter((c) => rows.some((row) => row[c.propertyName] !== undefined));
  const params: unknown[] = [];
  const tuples = rows.map(
    (row) =>
      `(${columns
        .map((c) => {
          const value = row[c.propertyName];
          if (value === undefined) return 'DEFAULT';
          params.push(c.type === 'jsonb' ? JSON.stringify(value) : value);
          return c.type === 'jsonb' ? `$${params.length}::jsonb` : `$${params.length}`;
        })
        .join(', ')})`,
  );
  const key = meta.primaryColumns.map((c) => c.databaseName).join(', ');
  return run.query(
    `INSERT INTO ${meta.tableName} (${columns.map((c) => c.databaseName).join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT DO NOTHING RETURNING ${key}`,
    params,
  );
}

/**
 * Inserts rows that are not there yet, in batches (each one statement); returns how many were written. Safe to run
 * again: what an earlier (or interrupted) run wrote is left as it is.
 */
export async function insertMissing<T extends ObjectLiteral>(ds: DataSource, entity: EntityTarget<T>, rows: Partial<T>[]): Promise<number> {
  let written = 0;
  for (let i = 0; i < rows.length; i += BATCH) written += (await insertIgnoring(ds.manager, entity, rows.slice(i, i + BATCH))).length;
  return written;
}

export type CompanyRow = Omit<CompanyEntity, 'updatedAt'>;
export type AdminRow = Omit<AdminUserEntity, 'updatedAt'>;
export type RouterRow = Omit<RouterEntity, 'updatedAt' | 'tlsFingerprint'>;
export type KeyRow = RouterApiKeyEntity;
export type ProductRow = Omit<ProductEntity, 'updatedAt' | 'uptimeLimitSeconds'>;
export type PurchaseRow = Omit<PurchaseEntity, 'updatedAt' | 'uptimeLimitSeconds'>;

/**
 * Inserts sales with their `imported` history event, in batches: a purchase and its event commit together, and a
 * purchase an earlier run wrote gets no second event. Returns how many were written.
 */
export async function insertPurchases(ds: DataSource, purchases: { row: PurchaseRow; detail: Record<string, unknown> }[]): Promise<number> {
  let written = 0;
  for (let i = 0; i < purchases.length; i += BATCH) {
    const batch = purchases.slice(i, i + BATCH);
    await ds.transaction(async (tx) => {
      const inserted = (await insertIgnoring(tx, PurchaseEntity, batch.map((p) => p.row))) as { id: string }[];
      const ids = new Set(inserted.map((r) => r.id));
      const events = batch
        .filter((p) => ids.has(p.row.id))
        .map((p): Partial<PurchaseEventEntity> => ({ purchaseId: p.row.id, type: 'imported', fromStatus: null, toStatus: p.row.status, source: 'import', detail: p.detail }));
      if (events.length > 0) await insertIgnoring(tx, PurchaseEventEntity, events);
      written += ids.size;
    });
  }
  return written;
}

/** Serial ids were written explicitly: move their sequences past them, so rows created later do not collide. */
export async function advanceSequences(ds: DataSource): Promise<void> {
  for (const table of ['admin_users', 'products']) {
    await ds.query(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), GREATEST((SELECT max(id) FROM ${table}), 1))`);
  }
}

/** One audit row per run that changed something: who (nobody: the operator's command) and how much. */
export async function auditImport(ds: DataSource, detail: Record<string, unknown>): Promise<void> {
  await recordAudit(ds.manager, { actor: null, companyId: null, action: 'import.original', detail });
}

/** Active purchases this import wrote, with what their workflow needs (also those an earlier run wrote). */
export async function activeImportedPurchases(
  ds: DataSource,
): Promise<{ id: string; workflow_id: string; company_id: string; router_id: string; gateway: Gateway; expires_at: Date }[]> {
  return ds.query(
    `SELECT p.id, p.workflow_id, p.company_id, p.router_id, p.gateway, p.expires_at
       FROM purchases p
      WHERE p.status = 'active'
        AND EXISTS (SELECT 1 FROM purchase_events e WHERE e.purchase_id = p.id AND e.source = 'import')
      ORDER BY p.created_at`,
  );
}
