import type { DataSource } from 'typeorm';
import type { PurchaseGateway, PurchaseStatus } from '../../domain/purchase';
import type { OperatorNotice } from '../../domain/temporal';
import { CompanyEntity, ProductEntity, PurchaseEntity, RouterEntity } from '../entities';
import { columnsOf, part, run } from './statements';

/**
 * The statements every purchase runs, in plain SQL on the DataSource's own node-postgres pool: one statement per
 * step (no BEGIN/COMMIT round trips), each a named prepared statement, without TypeORM's query building and entity
 * hydration on the hot path. Rows still come back shaped like their entities (columns aliased to property names).
 * TypeORM keeps everything else: admin CRUD, migrations.
 */

/** A purchase row with its router's row (null when the router is gone): what the router activities need, in one read. */
export async function purchaseWithRouter(dataSource: DataSource, purchaseId: string): Promise<{ purchase: PurchaseEntity; router: RouterEntity | null } | null> {
  const [row] = await run<Record<string, unknown>>(
    dataSource,
    'purchase-with-router',
    `SELECT ${columnsOf(dataSource, PurchaseEntity, 'p')}, ${columnsOf(dataSource, RouterEntity, 'r')}
       FROM purchases p LEFT JOIN routers r ON r.id = p.router_id WHERE p.id = $1`,
    [purchaseId],
  );
  return row ? { purchase: part<PurchaseEntity>(row, 'p')!, router: part<RouterEntity>(row, 'r') } : null;
}

/** A router's row, or null: what the worker's router cache reads when it does not hold the router. */
export async function routerById(dataSource: DataSource, routerId: string): Promise<RouterEntity | null> {
  const [row] = await run<Record<string, unknown>>(
    dataSource,
    'router-by-id',
    `SELECT ${columnsOf(dataSource, RouterEntity, 'r')} FROM routers r WHERE r.id = $1`,
    [routerId],
  );
  return row ? part<RouterEntity>(row, 'r') : null;
}

/** A purchase row with its company's row: what the payment activities need, in one read. */
export async function purchaseWithCompany(dataSource: DataSource, purchaseId: string): Promise<{ purchase: PurchaseEntity; company: CompanyEntity } | null> {
  const [row] = await run<Record<string, unknown>>(
    dataSource,
    'purchase-with-company',
    `SELECT ${columnsOf(dataSource, PurchaseEntity, 'p')}, ${columnsOf(dataSource, CompanyEntity, 'c')}
       FROM purchases p JOIN companies c ON c.id = p.company_id WHERE p.id = $1`,
    [purchaseId],
  );
  return row ? { purchase: part<PurchaseEntity>(row, 'p')!, company: part<CompanyEntity>(row, 'c')! } : null;
}

/** Columns a status change may set besides the status; undefined leaves a column as it is, null clears it. */
export interface StatusColumns {
  status_reason?: string | null;
  customer_message?: string | null;
  gateway_reference?: string | null;
  gateway_status?: string | null;
  gateway_detail?: Record<string, unknown> | null;
  next_action_url?: string | null;
  paid_at?: string | null;
  activated_at?: string | null;
  expires_at?: string | null;
  ended_at?: string | null;
  refunded_cents?: number | null;
  router_user_ref?: string | null;
}

const STATUS_COLUMNS: readonly (keyof StatusColumns)[] = [
  'status_reason', 'customer_message', 'gateway_reference', 'gateway_status', 'gateway_detail', 'next_action_url',
  'paid_at', 'activated_at', 'expires_at', 'ended_at', 'refunded_cents', 'router_user_ref',
];

export interface StatusChange {
  purchaseId: string;
  /** The statuses the purchase moves through, in order (usually one); each gets its own history event. */
  steps: readonly { to: PurchaseStatus; detail: Record<string, unknown> }[];
  /** The statuses the first step may be reached from (the domain's transition table decides; the statement only checks). */
  allowedFrom: readonly PurchaseStatus[];
  /** The columns the steps set, together. */
  columns: StatusColumns;
  source: 'workflow';
  /** Queued for the operators with the change, only when this statement makes it. */
  notice?: OperatorNotice;
}

/** What the row was before the statement, and which steps this statement made. */
export interface StatusChangeResult {
  /** The status found (before the change, if there was one). */
  from: PurchaseStatus;
  /**
   * The steps this statement made (a suffix of the chain): none when the row already was at the last `to`, or at
   * a status none of the steps may follow (not allowed).
   */
  made: PurchaseStatus[];
  gateway: PurchaseGateway;
  createdAt: Date;
  /** As found (before the change). */
  activatedAt: Date | null;
  expiresAt: Date | null;
}

/**
 * Moves a purchase through `steps` and appends each change to its history, in one statement: the row is locked, the
 * move is made only from a status the first step is allowed from, and the events are written only when the row
 * moved. A purchase already at a step's status continues after it (a retried write, or passing statuses written
 * before their step was retried), so each event is appended exactly once. A purchase that moves past `charging` has
 * its single-use card token erased: the gateway has answered by then, and the answer (its reference and status) is
 * in the columns of the same change. The operators' notice of the change, if any, is queued only when the row moved.
 * Null when the purchase does not exist. The statement is prepared per set of columns (each step of a purchase sets
 * the same ones every time).
 */
export async function changeStatus(dataSource: DataSource, change: StatusChange): Promise<StatusChangeResult | null> {
  const names = STATUS_COLUMNS.filter((name) => change.columns[name] !== undefined);
  // Statement names are cut at 63 bytes by the server: the set of columns is named by a bit mask.
  const shape = STATUS_COLUMNS.reduce((mask, name, bit) => (change.columns[name] === undefined ? mask : mask | (1 << bit)), 0);
  const tos = change.steps.map((step) => step.to);
  const values: unknown[] = [change.purchaseId, tos, change.allowedFrom, change.source, JSON.stringify(change.steps.map((step) => step.detail))];
  const sets = names.map((name) => {
    const value = change.columns[name];
    values.push(name === 'gateway_detail' && value !== null ? JSON.stringify(value) : value);
    return `${name} = $${values.length}`;
  });
  if (change.notice) values.push(change.notice);
  const queued = change.notice
    ? `, queued AS (
       INSERT INTO operator_notices (purchase_id, notice) SELECT moved.id, $${values.length} FROM moved
     )`
    : '';
  const [row] = await run<{
    from: PurchaseStatus;
    first: number | null;
    gateway: PurchaseGateway;
    created_at: Date;
    activated_at: Date | null;
    expires_at: Date | null;
  }>(
    dataSource,
    `purchase-status-${shape}${change.notice ? '-notice' : ''}`,
    `WITH found AS (
       SELECT id, status, gateway, created_at, activated_at, expires_at FROM purchases WHERE id = $1 FOR UPDATE
     ), chain AS (
       SELECT id, status, CASE WHEN status = ANY($3::varchar[]) THEN 1 ELSE array_position($2::varchar[], status) + 1 END AS first FROM found
     ), moved AS (
       UPDATE purchases p SET status = ($2::varchar[])[cardinality($2::varchar[])], ${sets.map((set) => `${set}, `).join('')}
              card_token_encrypted = CASE WHEN ($2::varchar[])[cardinality($2::varchar[])] = 'charging' THEN p.card_token_encrypted END,
              updated_at = now()
         FROM chain WHERE p.id = chain.id AND chain.first <= cardinality($2::varchar[])
       RETURNING p.id
     ), events AS (
       INSERT INTO purchase_events (purchase_id, type, from_status, to_status, source, detail)
       SELECT chain.id, 'status_changed', CASE WHEN k = chain.first THEN chain.status ELSE ($2::varchar[])[k - 1] END,
              ($2::varchar[])[k], $4, ($5::jsonb) -> (k - 1)
         FROM chain JOIN moved ON moved.id = chain.id CROSS JOIN generate_series(chain.first, cardinality($2::varchar[])) AS k
        ORDER BY k
     )${queued}
     SELECT found.status AS "from", chain.first, found.gateway, found.created_at, found.activated_at, found.expires_at
       FROM found JOIN chain ON chain.id = found.id`,
    values,
  );
  if (!row) return null;
  const made = row.first === null ? [] : tos.slice(row.first - 1);
  return { from: row.from, made, gateway: row.gateway, createdAt: row.created_at, activatedAt: row.activated_at, expiresAt: row.expires_at };
}

/**
 * Appends an event that is not a status change (with the status it happened in), and sets the columns it changes
 * (an extension moves expires_at), in one statement. False when the purchase does not exist.
 */
export async function appendEvent(
  dataSource: DataSource,
  event: { purchaseId: string; type: string; source: 'workflow'; detail: Record<string, unknown>; expiresAt?: string; gatewayStatus?: string },
): Promise<boolean> {
  const rows = await run<{ id: string }>(
    dataSource,
    'purchase-event',
    `WITH found AS (
       SELECT id, status FROM purchases WHERE id = $1 FOR UPDATE
     ), updated AS (
       UPDATE purchases p SET expires_at = COALESCE($5::timestamptz, p.expires_at), gateway_status = COALESCE($6::varchar, p.gateway_status), updated_at = now()
         FROM found WHERE p.id = found.id AND ($5::timestamptz IS NOT NULL OR $6::varchar IS NOT NULL)
     )
     INSERT INTO purchase_events (purchase_id, type, from_status, to_status, source, detail)
     SELECT found.id, $2, NULL, NULL, $3, $4::jsonb || jsonb_build_object('status', found.status) FROM found
     RETURNING id`,
    [event.purchaseId, event.type, event.source, JSON.stringify(event.detail), event.expiresAt ?? null, event.gatewayStatus ?? null],
  );
  return rows.length > 0;
}

/** A gateway's purchase with its company (whose webhook key verifies the notice), found by our id or the gateway's reference, in one read. */
export async function notifiedPurchase(
  dataSource: DataSource,
  by: { gateway: PurchaseGateway; purchaseId?: string; gatewayReference: string },
): Promise<{ purchase: PurchaseEntity; company: CompanyEntity } | null> {
  const [row] = await run<Record<string, unknown>>(
    dataSource,
    'notified-purchase',
    `SELECT ${columnsOf(dataSource, PurchaseEntity, 'p')}, ${columnsOf(dataSource, CompanyEntity, 'c')}
       FROM purchases p JOIN companies c ON c.id = p.company_id
      WHERE p.gateway = $1 AND (p.id = $2::uuid OR p.gateway_reference = $3)
      ORDER BY p.id = $2::uuid DESC NULLS LAST LIMIT 1`,
    [by.gateway, by.purchaseId ?? null, by.gatewayReference],
  );
  return row ? { purchase: part<PurchaseEntity>(row, 'p')!, company: part<CompanyEntity>(row, 'c')! } : null;
}

/**
 * Records a gateway notification once per provider event id and appends it to the purchase's history, in one
 * statement; false when the event id was seen before (nothing written).
 */
export async function recordNotification(
  dataSource: DataSource,
  notice: { provider: string; eventId: string; eventType: string; resourceId: string; purchaseId: string; detail: Record<string, unknown> },
): Promise<boolean> {
  const rows = await run<{ id: string }>(
    dataSource,
    'webhook-received',
    `WITH processed AS (
       INSERT INTO processed_webhook_events (provider, event_id, event_type, resource_id, purchase_id)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING purchase_id
     )
     INSERT INTO purchase_events (purchase_id, type, from_status, to_status, source, detail)
     SELECT purchase_id, 'webhook_received', NULL, NULL, 'webhook', $6::jsonb FROM processed
     RETURNING id`,
    [notice.provider, notice.eventId, notice.eventType, notice.resourceId, notice.purchaseId, JSON.stringify(notice.detail)],
  );
  return rows.length > 0;
}

/** A company's Conekta webhook public key (not a secret); null when it has none, or there is no such company. */
export async function conektaWebhookKeyOf(dataSource: DataSource, companyId: string): Promise<string | null> {
  const [row] = await run<{ key: string | null }>(dataSource, 'company-conekta-webhook-key', `SELECT conekta_webhook_public_key AS key FROM companies WHERE id = $1`, [
    companyId,
  ]);
  return row?.key ?? null;
}

/**
 * Records a verified notification about a purchase of `companyId` named by our id, as `recordNotification` does, in
 * the same statement that finds the purchase (only among that company's purchases of that gateway). The purchase's
 * status and workflow, and whether the event id was news; null when the company has no such purchase.
 */
export async function recordCompanyNotification(
  dataSource: DataSource,
  notice: { provider: PurchaseGateway; eventId: string; eventType: string; resourceId: string; purchaseId: string; companyId: string; detail: Record<string, unknown> },
): Promise<{ status: PurchaseStatus; workflowId: string; fresh: boolean } | null> {
  const [row] = await run<{ status: PurchaseStatus; workflowId: string; fresh: boolean }>(
    dataSource,
    'webhook-received-for-company',
    `WITH purchase AS (
       SELECT id, status, workflow_id FROM purchases WHERE id = $5::uuid AND company_id = $6 AND gateway = $1
     ), processed AS (
       INSERT INTO processed_webhook_events (provider, event_id, event_type, resource_id, purchase_id)
       SELECT $1, $2, $3, $4, id FROM purchase ON CONFLICT DO NOTHING RETURNING purchase_id
     ), event AS (
       INSERT INTO purchase_events (purchase_id, type, from_status, to_status, source, detail)
       SELECT processed.purchase_id, 'webhook_received', NULL, NULL, 'webhook', $7::jsonb || jsonb_build_object('status', purchase.status)
         FROM processed JOIN purchase ON purchase.id = processed.purchase_id
       RETURNING id
     )
     SELECT purchase.status, purchase.workflow_id AS "workflowId", EXISTS (SELECT 1 FROM event) AS fresh FROM purchase`,
    [notice.provider, notice.eventId, notice.eventType, notice.resourceId, notice.purchaseId, notice.companyId, JSON.stringify(notice.detail)],
  );
  return row ?? null;
}

/** The company and, when it sells it through this router and still has it on sale, the product: one read for a purchase request. */
export async function companyAndProduct(
  dataSource: DataSource,
  by: { companyId: string; routerId: string; productId: number },
): Promise<{ company: CompanyEntity; product: ProductEntity | null } | null> {
  const [row] = await run<Record<string, unknown>>(
    dataSource,
    'company-and-product',
    `SELECT ${columnsOf(dataSource, CompanyEntity, 'c')}, ${columnsOf(dataSource, ProductEntity, 'pr')}
       FROM companies c LEFT JOIN products pr ON pr.id = $3 AND pr.company_id = c.id AND pr.router_id = $2 AND pr.active
      WHERE c.id = $1`,
    [by.companyId, by.routerId, by.productId],
  );
  return row ? { company: part<CompanyEntity>(row, 'c')!, product: part<ProductEntity>(row, 'pr') } : null;
}

/** The columns of a new purchase row, as the API writes it (its hotspot credentials included; everything else takes its default). */
export type NewPurchase = Pick<
  PurchaseEntity,
  | 'id' | 'workflowId' | 'requestFingerprint' | 'companyId' | 'routerId' | 'routerName' | 'productId' | 'productName' | 'profileName'
  | 'validitySeconds' | 'uptimeLimitSeconds' | 'gateway' | 'amountCents' | 'currency' | 'customerName' | 'customerEmail'
  | 'customerPhone' | 'userType' | 'hotspotUsername' | 'hotspotPasswordEncrypted' | 'clientMac' | 'clientIp' | 'autoConnect'
  | 'cardTokenEncrypted' | 'gatewayRequest' | 'apiKeyId'
>;

const NEW_PURCHASE_COLUMNS: readonly (keyof NewPurchase)[] = [
  'id', 'workflowId', 'requestFingerprint', 'companyId', 'routerId', 'routerName', 'productId', 'productName', 'profileName',
  'validitySeconds', 'uptimeLimitSeconds', 'gateway', 'amountCents', 'currency', 'customerName', 'customerEmail',
  'customerPhone', 'userType', 'hotspotUsername', 'hotspotPasswordEncrypted', 'clientMac', 'clientIp', 'autoConnect',
  'cardTokenEncrypted', 'gatewayRequest', 'apiKeyId',
];

/**
 * Inserts a purchase row in `created` with its first event (how the attempt came), in one statement, unless its
 * workflow id (the attempt) has a row already: then nothing is written and the earlier row's id and request
 * fingerprint are returned (`inserted: false`), for the caller to tell the same request from another one.
 */
export async function insertPurchase(
  dataSource: DataSource,
  purchase: NewPurchase,
  createdDetail: Record<string, string | number>,
): Promise<{ id: string; requestFingerprint: string | null; inserted: boolean }> {
  const columns = NEW_PURCHASE_COLUMNS.map((name) => dataSource.getMetadata(PurchaseEntity).findColumnWithPropertyName(name)!.databaseName);
  const values: unknown[] = NEW_PURCHASE_COLUMNS.map((name) => (name === 'gatewayRequest' ? JSON.stringify(purchase[name]) : purchase[name]));
  values.push(JSON.stringify(createdDetail));
  const detail = `$${values.length}`;
  const [row] = await run<{ id: string; request_fingerprint: string | null; inserted: boolean }>(
    dataSource,
    'purchase-insert',
    `WITH inserted AS (
       INSERT INTO purchases (${columns.join(', ')}, status)
       VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')}, 'created')
       ON CONFLICT (workflow_id) DO NOTHING RETURNING id, request_fingerprint
     ), event AS (
       INSERT INTO purchase_events (purchase_id, type, from_status, to_status, source, detail)
       SELECT id, 'status_changed', NULL, 'created', 'api', ${detail}::jsonb FROM inserted
     )
     SELECT id, request_fingerprint, true AS inserted FROM inserted
     UNION ALL
     SELECT id, request_fingerprint, false FROM purchases WHERE workflow_id = $2 AND NOT EXISTS (SELECT 1 FROM inserted)`,
    values,
  );
  if (row) return { id: row.id, requestFingerprint: row.request_fingerprint, inserted: row.inserted };
  // The same attempt was being inserted concurrently: committed after this statement's snapshot, so read it now.
  const [earlier] = await run<{ id: string; request_fingerprint: string | null }>(
    dataSource,
    'purchase-of-attempt',
    `SELECT id, request_fingerprint FROM purchases WHERE workflow_id = $1`,
    [purchase.workflowId],
  );
  return { id: earlier.id, requestFingerprint: earlier.request_fingerprint, inserted: false };
}

/** A purchase row by id, or null. */
export async function purchaseById(dataSource: DataSource, purchaseId: string): Promise<PurchaseEntity | null> {
  const [row] = await run<Record<string, unknown>>(dataSource, 'purchase-by-id', `SELECT ${columnsOf(dataSource, PurchaseEntity, 'p')} FROM purchases p WHERE p.id = $1`, [
    purchaseId,
  ]);
  return row ? part<PurchaseEntity>(row, 'p') : null;
}

/**
 * The device's running purchase a paid purchase's time can be added to: same router, MAC and plan as `purchaseId`'s
 * (a NULL one matches nothing), active and not expired, holding its own user (`stackedReason` marks one that does
 * not). The latest to expire when there are several; null when none.
 */
export async function stackTargetOf(
  dataSource: DataSource,
  purchaseId: string,
  stackedReason: string,
): Promise<{ purchaseId: string; workflowId: string } | null> {
  const [row] = await run<{ purchaseId: string; workflowId: string }>(
    dataSource,
    'purchase-stack-target',
    `SELECT running.id AS "purchaseId", running.workflow_id AS "workflowId"
       FROM purchases paid
       JOIN purchases running ON running.router_id = paid.router_id AND running.client_mac = paid.client_mac
                             AND running.product_id = paid.product_id AND running.id <> paid.id
      WHERE paid.id = $1 AND running.status = 'active' AND running.expires_at > $2
        AND running.status_reason IS DISTINCT FROM $3
      ORDER BY running.expires_at DESC LIMIT 1`,
    [purchaseId, new Date(), stackedReason],
  );
  return row ?? null;
}

/** The newest purchase on `routerId` whose hotspot user has that name, or null (a user that is not one of ours). */
export async function purchaseOfHotspotUser(dataSource: DataSource, routerId: string | null, username: string): Promise<string | null> {
  const [row] = await run<{ id: string }>(
    dataSource,
    'purchase-of-hotspot-user',
    `SELECT id FROM purchases WHERE router_id = $1 AND hotspot_username = $2 ORDER BY created_at DESC LIMIT 1`,
    [routerId, username],
  );
  return row?.id ?? null;
}

/**
 * Stores fresh hotspot credentials (the password sealed) for a purchase whose row has none (written by an API before
 * they came with the row, a voucher's) or whose name the router holds for someone else; its router user is not known yet.
 */
export async function storeCredentials(dataSource: DataSource, purchaseId: string, username: string, passwordEncrypted: string | null): Promise<void> {
  await run(
    dataSource,
    'purchase-credentials',
    `UPDATE purchases SET hotspot_username = $2, hotspot_password_encrypted = $3, router_user_ref = NULL, updated_at = now() WHERE id = $1`,
    [purchaseId, username, passwordEncrypted],
  );
}

/** Stores the router's id of the purchase's hotspot user. */
export async function storeRouterUserRef(dataSource: DataSource, purchaseId: string, ref: string | null): Promise<void> {
  await run(dataSource, 'purchase-router-user', `UPDATE purchases SET router_user_ref = $2, updated_at = now() WHERE id = $1`, [purchaseId, ref]);
}
