import { randomInt } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { z } from 'zod';
import { CompanyEntity, ProductEntity, RouterEntity, VoucherBatchEntity, VoucherEntity } from '../../db/entities';
import { recordAudit, type AuditActor } from '../../db/repositories/audit';
import { findOwned } from '../../db/repositories/owned';
import { countVoucherStatuses, findVoucherRows, type VoucherRow } from '../../db/repositories/vouchers';
import { DomainError } from '../../domain/errors';
import { centsToMajor } from '../../domain/money';
import type { PurchaseStatus } from '../../domain/purchase';
import {
  HOLDING_STATUSES,
  VOUCHER_ALPHABET,
  VOUCHER_USERNAME_LENGTH,
  voucherSecret,
  type VoucherFormat,
  type VoucherStatus,
} from '../../domain/vouchers';
import type { AppDeps } from '../context';
import { iso, isoOrNull } from '../schemas/admin/common';
import type { BatchPageResponse, BatchSummary, CreateBatchRequest, VoucherPageResponse } from '../schemas/admin/vouchers';
import { toCsv } from './csv';
import { runPurchaseAction, type PurchaseActionRequest } from './purchase-actions';

/**
 * Vouchers of a company admin: batches of codes (made here from a CSPRNG, stored encrypted, found by a keyed hash),
 * their lists with statuses, the batch's codes in full for its sheet and CSV only, and their life cycle: revoking a
 * batch or one voucher (any access it gave is removed through its purchase workflow) and extending an active one.
 * Every change is in the audit log.
 *
 * Over 300 lines: one context (a company's vouchers), whose creation, lists, exports and revocations share the batch
 * lookup, the summaries and the audit.
 */

type VoucherDeps = Pick<AppDeps, 'dataSource' | 'secrets' | 'workflows' | 'config'>;

/** A voucher's code in full: a PIN, or a username and a password. */
export interface VoucherCode {
  serial: number;
  code: string;
  password?: string;
  status: VoucherStatus;
}

/** Codes written per INSERT: 5,000 codes are five statements. */
const INSERT_CHUNK = 1000;

/** `length` characters of `alphabet`, each drawn uniformly from the CSPRNG. */
function randomCode(alphabet: string, length: number): string {
  let code = '';
  for (let i = 0; i < length; i++) code += alphabet[randomInt(alphabet.length)];
  return code;
}

const DIGITS = '0123456789';

/** A fresh code of the batch's format: the prefix and a PIN, or the prefix and a username, plus a password. */
function newCode(format: VoucherFormat, prefix: string, length: number): { code: string; password?: string } {
  if (format === 'pin') return { code: prefix + randomCode(DIGITS, length) };
  return { code: prefix + randomCode(VOUCHER_ALPHABET, VOUCHER_USERNAME_LENGTH), password: randomCode(VOUCHER_ALPHABET, length) };
}

/** A code as stored encrypted: the PIN, or `username:password`. */
const storedCode = (code: { code: string; password?: string }) => voucherSecret(code.code, code.password);

type Summary = z.output<typeof BatchSummary>;

function toBatchSummary(batch: VoucherBatchEntity, counts: Record<VoucherStatus, number>): Summary {
  return {
    id: batch.id,
    producto_id: batch.productId,
    producto_nombre: batch.productName,
    perfil: batch.profileName,
    vigencia_segundos: batch.validitySeconds,
    precio: centsToMajor(batch.priceCents),
    moneda: batch.currency,
    cantidad: batch.quantity,
    formato: batch.format,
    longitud: batch.codeLength,
    prefijo: batch.prefix,
    router_id: batch.routerId,
    todos_los_routers: batch.allRouters,
    canjear_antes_de: isoOrNull(batch.redeemBy),
    url_login: batch.loginUrl,
    nota: batch.note,
    revocado_en: isoOrNull(batch.revokedAt),
    creado_en: iso(batch.createdAt),
    estados: counts,
  };
}

/**
 * Creates a batch of `cantidad` vouchers for a product of the company: the plan is snapshotted, codes are unique in the
 * company (a code that collides with one already issued is drawn again), all in one transaction with its audit row.
 */
export async function createBatch(
  deps: Pick<AppDeps, 'dataSource' | 'secrets'>,
  actor: AuditActor | null,
  companyId: string,
  request: z.output<typeof CreateBatchRequest>,
): Promise<Summary> {
  return deps.dataSource.transaction((tx) => insertBatch(tx, deps.secrets, actor, companyId, request));
}

/** createBatch inside the caller's transaction (the dev seed's). */
export async function insertBatch(
  tx: EntityManager,
  secrets: AppDeps['secrets'],
  actor: AuditActor | null,
  companyId: string,
  request: z.output<typeof CreateBatchRequest>,
): Promise<Summary> {
  const product = await findOwned(tx, ProductEntity, companyId, { id: request.producto_id }, 'Producto no encontrado');
  const routerId = request.todos_los_routers ? null : (request.router_id ?? product.routerId);
  if (routerId !== null) await findOwned(tx, RouterEntity, companyId, { id: routerId }, 'Router no encontrado');
  const batch = await tx.getRepository(VoucherBatchEntity).save({
    companyId,
    productId: product.id,
    routerId,
    allRouters: request.todos_los_routers,
    productName: product.name,
    profileName: product.profileName,
    validitySeconds: product.validitySeconds,
    uptimeLimitSeconds: product.uptimeLimitSeconds,
    priceCents: request.priceCents ?? product.priceCents,
    currency: product.currency,
    quantity: request.cantidad,
    format: request.formato,
    codeLength: request.codeLength,
    prefix: request.prefijo,
    redeemBy: request.redeemBy ?? null,
    loginUrl: request.url_login,
    note: request.nota ?? null,
    createdBy: actor?.id ?? null,
  });
  await insertCodes({ secrets }, tx, batch);
  await recordAudit(tx, {
    actor,
    companyId,
    action: 'voucher.batch_created',
    targetType: 'voucher_batch',
    targetId: batch.id,
    detail: { product_id: product.id, quantity: batch.quantity, format: batch.format, price_cents: batch.priceCents, router_id: routerId },
  });
  const created = await tx.getRepository(VoucherBatchEntity).findOneByOrFail({ id: batch.id });
  return toBatchSummary(created, { unused: batch.quantity, active: 0, expired: 0, revoked: 0 });
}

/** Draws the batch's codes and inserts them; a code already issued in the company is drawn again. */
async function insertCodes(deps: Pick<AppDeps, 'secrets'>, tx: EntityManager, batch: VoucherBatchEntity): Promise<void> {
  let serial = 0;
  while (serial < batch.quantity) {
    const size = Math.min(INSERT_CHUNK, batch.quantity - serial);
    const rows = new Map<string, { serial: number; encrypted: string }>();
    while (rows.size < size) {
      const code = storedCode(newCode(batch.format, batch.prefix, batch.codeLength));
      const hash = deps.secrets.voucherCodeHash(code);
      if (!rows.has(hash)) rows.set(hash, { serial: serial + rows.size + 1, encrypted: deps.secrets.encrypt(code) });
    }
    const values = [...rows].map(([hash, row]) => ({
      batchId: batch.id,
      companyId: batch.companyId,
      serial: row.serial,
      codeHash: hash,
      codeEncrypted: row.encrypted,
    }));
    const inserted = await tx.createQueryBuilder().insert().into(VoucherEntity).values(values).orIgnore().returning(['serial']).execute();
    const written = new Set((inserted.raw as { serial: number }[]).map((r) => r.serial));
    // A collision with an earlier batch (one in 10^12 per code for a PIN) leaves its serial to be drawn again below.
    const missing = values.filter((v) => !written.has(v.serial));
    for (const value of missing) await insertOneCode(deps, tx, batch, value.serial);
    serial += size;
  }
}

async function insertOneCode(deps: Pick<AppDeps, 'secrets'>, tx: EntityManager, batch: VoucherBatchEntity, serial: number): Promise<void> {
  for (;;) {
    const code = storedCode(newCode(batch.format, batch.prefix, batch.codeLength));
    const result = await tx
      .createQueryBuilder()
      .insert()
      .into(VoucherEntity)
      .values({ batchId: batch.id, companyId: batch.companyId, serial, codeHash: deps.secrets.voucherCodeHash(code), codeEncrypted: deps.secrets.encrypt(code) })
      .orIgnore()
      .returning(['serial'])
      .execute();
    if ((result.raw as unknown[]).length > 0) return;
  }
}

/** The company's batches, newest first, with how many vouchers are in each status. */
export async function batchPage(deps: Pick<AppDeps, 'dataSource'>, companyId: string, page: { limit: number; offset: number }): Promise<z.output<typeof BatchPageResponse>> {
  const [batches, total] = await deps.dataSource
    .getRepository(VoucherBatchEntity)
    .findAndCount({ where: { companyId }, order: { id: 'DESC' }, take: page.limit, skip: page.offset });
  const counts = await countVoucherStatuses(deps.dataSource.manager, batches.map((b) => b.id));
  return { total, items: batches.map((b) => toBatchSummary(b, counts.get(b.id)!)) };
}

/** One batch of the company, with its status counts. */
export async function batchDetail(deps: Pick<AppDeps, 'dataSource'>, companyId: string, batchId: number): Promise<Summary> {
  const batch = await findBatch(deps.dataSource.manager, companyId, batchId);
  const counts = await countVoucherStatuses(deps.dataSource.manager, [batch.id]);
  return toBatchSummary(batch, counts.get(batch.id)!);
}

function findBatch(manager: EntityManager, companyId: string, batchId: number, lock = false): Promise<VoucherBatchEntity> {
  return findOwned(manager, VoucherBatchEntity, companyId, { id: batchId }, 'Lote no encontrado', lock);
}

function toVoucherSummary(batchId: number, row: VoucherRow) {
  return {
    id: Number(row.id),
    lote_id: batchId,
    serie: row.serial,
    estado: row.status,
    compra_id: row.purchaseId,
    usuario_hotspot: row.hotspotUsername,
    canjeada_en: isoOrNull(row.redeemedAt),
    expira_en: isoOrNull(row.expiresAt),
    revocada_en: isoOrNull(row.revokedAt),
  };
}

/** The vouchers of a batch in serial order, with statuses, never their codes. */
export async function voucherPage(
  deps: Pick<AppDeps, 'dataSource'>,
  companyId: string,
  batchId: number,
  query: { estado?: VoucherStatus; limit: number; offset: number },
): Promise<z.output<typeof VoucherPageResponse>> {
  const batch = await findBatch(deps.dataSource.manager, companyId, batchId);
  const { rows, total } = await findVoucherRows(deps.dataSource.manager, batch, { status: query.estado, limit: query.limit, offset: query.offset });
  return { total, items: rows.map((row) => toVoucherSummary(batch.id, row)) };
}

/** A batch with every code in full, for its printable sheet and its CSV (the only places codes are shown). */
export async function batchCodes(
  deps: Pick<AppDeps, 'dataSource' | 'secrets'>,
  companyId: string,
  batchId: number,
): Promise<{ batch: VoucherBatchEntity; company: CompanyEntity; vouchers: VoucherCode[] }> {
  const manager = deps.dataSource.manager;
  const batch = await findBatch(manager, companyId, batchId);
  const company = await manager.getRepository(CompanyEntity).findOneByOrFail({ id: companyId });
  const { rows } = await findVoucherRows(manager, batch);
  const vouchers = rows.map((row) => {
    const [code, password] = deps.secrets.decrypt(row.codeEncrypted).split(':');
    return { serial: row.serial, code, password, status: row.status };
  });
  return { batch, company, vouchers };
}

/** The batch's codes as CSV: serial, code (and password), plan, price, status. */
export async function batchCsv(deps: Pick<AppDeps, 'dataSource' | 'secrets'>, companyId: string, batchId: number): Promise<{ fileName: string; csv: string }> {
  const { batch, vouchers } = await batchCodes(deps, companyId, batchId);
  const csv = toCsv<VoucherCode>(
    [
      { header: 'serie', value: (v) => v.serial },
      { header: batch.format === 'pin' ? 'codigo' : 'usuario', value: (v) => v.code },
      ...(batch.format === 'pin' ? [] : [{ header: 'contrasena', value: (v: VoucherCode) => v.password }]),
      { header: 'plan', value: () => batch.productName, untrusted: true },
      { header: 'precio', value: () => centsToMajor(batch.priceCents).toFixed(2) },
      { header: 'moneda', value: () => batch.currency },
      { header: 'canjear_antes_de', value: () => isoOrNull(batch.redeemBy) },
      { header: 'estado', value: (v) => v.status },
    ],
    vouchers,
  );
  return { fileName: `fichas-lote-${batch.id}.csv`, csv };
}

/** What a revocation did: vouchers revoked now, accesses removed, and redemptions still being set up at the end of the wait. */
export interface Revocation {
  batchId: number;
  revokedVouchers: number;
  revokedAccesses: number;
  inProgress: number;
}

/**
 * Revokes a whole batch: no voucher of it is redeemed from now on, and every access one of them gave is removed
 * through its purchase workflow.
 */
export async function revokeBatch(deps: VoucherDeps, actor: AuditActor, companyId: string, batchId: number, reason?: string): Promise<Revocation> {
  const revoked = await deps.dataSource.transaction(async (tx) => {
    // The lock waits for redemptions of this batch in flight (they hold it shared), so they are found below.
    const batch = await findBatch(tx, companyId, batchId, true);
    if (batch.revokedAt) throw new DomainError('CONFLICT', 'El lote ya está revocado');
    const now = new Date();
    await tx.update(VoucherBatchEntity, { id: batch.id }, { revokedAt: now });
    const result = await tx
      .createQueryBuilder()
      .update(VoucherEntity)
      .set({ revokedAt: now })
      .where('batch_id = :id AND revoked_at IS NULL', { id: batch.id })
      .execute();
    await recordAudit(tx, { actor, companyId, action: 'voucher.batch_revoked', targetType: 'voucher_batch', targetId: batch.id, detail: { reason } });
    return result.affected ?? 0;
  });
  const accesses = await revokeAccesses(deps, actor, companyId, { batchId }, reason);
  return { batchId, revokedVouchers: revoked, ...accesses };
}

/** Revokes one voucher: it is not redeemed from now on, and the access it gave, if any, is removed. */
export async function revokeVoucher(deps: VoucherDeps, actor: AuditActor, companyId: string, voucherId: number, reason?: string): Promise<Revocation> {
  const batchId = await deps.dataSource.transaction(async (tx) => {
    const voucher = await findOwned(tx, VoucherEntity, companyId, { id: String(voucherId) }, 'Ficha no encontrada', true);
    if (voucher.revokedAt) throw new DomainError('CONFLICT', 'La ficha ya está revocada');
    await tx.update(VoucherEntity, { id: voucher.id }, { revokedAt: new Date() });
    await recordAudit(tx, { actor, companyId, action: 'voucher.revoked', targetType: 'voucher', targetId: voucher.id, detail: { batch_id: voucher.batchId, reason } });
    return voucher.batchId;
  });
  const accesses = await revokeAccesses(deps, actor, companyId, { voucherId }, reason);
  return { batchId, revokedVouchers: 1, ...accesses };
}

/** A batch revocation does not wait a full purchase answer time per access: the workflows go on with it anyway. */
const ACCESS_REVOKE_WAIT_SECONDS = 1;
/** Accesses revoked at once. */
const REVOKE_CONCURRENCY = 8;
const SETUP_POLL_MS = 250;

/**
 * Removes the accesses given by the revoked vouchers selected, through their purchase workflows (each audited as a
 * `purchase.revoke`). A redemption still being set up is waited for, up to PURCHASE_RESPONSE_WAIT_SECONDS, and revoked
 * once active.
 */
async function revokeAccesses(
  deps: VoucherDeps,
  actor: AuditActor,
  companyId: string,
  selection: { batchId?: number; voucherId?: number },
  reason: string | undefined,
): Promise<{ revokedAccesses: number; inProgress: number }> {
  const request: PurchaseActionRequest = { reason: reason ?? 'Ficha revocada' };
  const deadline = Date.now() + deps.config.PURCHASE_RESPONSE_WAIT_SECONDS * 1000;
  // Revocations accepted: one still in progress leaves its purchase active meanwhile, and is not asked again.
  const accepted = new Set<string>();
  for (;;) {
    const live = await livePurchases(deps.dataSource.manager, companyId, selection);
    const active = live.filter((p) => p.status === 'active' && !accepted.has(p.id));
    for (let i = 0; i < active.length; i += REVOKE_CONCURRENCY) {
      const batch = active.slice(i, i + REVOKE_CONCURRENCY);
      const results = await Promise.allSettled(batch.map((p) => runPurchaseAction(deps, actor, companyId, p.id, 'revoke', request, ACCESS_REVOKE_WAIT_SECONDS)));
      batch.forEach((p, j) => {
        if (results[j].status === 'fulfilled') accepted.add(p.id);
      });
    }
    const settingUp = live.filter((p) => p.status !== 'active').length;
    if (settingUp === 0 || Date.now() >= deadline) return { revokedAccesses: accepted.size, inProgress: settingUp };
    await new Promise((resolve) => setTimeout(resolve, SETUP_POLL_MS));
  }
}

/** The purchases that hold the selected vouchers: active, or being set up. */
async function livePurchases(manager: EntityManager, companyId: string, selection: { batchId?: number; voucherId?: number }) {
  const rows: { id: string; status: PurchaseStatus }[] = await manager.query(
    `SELECT p.id, p.status FROM vouchers v JOIN purchases p ON p.id = v.purchase_id
      WHERE v.company_id = $1 AND ($2::int IS NULL OR v.batch_id = $2) AND ($3::bigint IS NULL OR v.id = $3)
        AND p.status = ANY($4)`,
    [companyId, selection.batchId ?? null, selection.voucherId ?? null, HOLDING_STATUSES],
  );
  return rows;
}

/** Extends the access of an active voucher through its purchase workflow (audited as `purchase.extend`). */
export async function extendVoucher(deps: VoucherDeps, actor: AuditActor, companyId: string, voucherId: number, request: PurchaseActionRequest) {
  const voucher = await findOwned(deps.dataSource.manager, VoucherEntity, companyId, { id: String(voucherId) }, 'Ficha no encontrada');
  if (!voucher.purchaseId) throw new DomainError('CONFLICT', 'La ficha no se ha canjeado: no hay acceso que extender');
  return runPurchaseAction(deps, actor, companyId, voucher.purchaseId, 'extend', request);
}
