import { createHash } from 'node:crypto';
import { CURRENCIES, type Currency } from '../../domain/money';
import { isHotspotUsername } from '../../domain/network';
import type { Gateway, PurchaseStatus, UserType } from '../../domain/purchase';
import { purchaseWorkflowId } from '../../domain/temporal';
import { cents, refuse, Refused, requireCompany, requireRouter, text, type Available, type PlanContext } from './plan';
import type { OriginalTransaction } from './source';
import { referenceKey, type PurchaseRow } from './target';

/**
 * The original's sales (`transacciones`) as purchases with their history. The original inserted only successful
 * sales, and its Mercado Pago webhook later overwrote `estado_pago` with the gateway's word (rejected, refunded…):
 * every final word maps to a status; a sale still pending at the gateway is refused, to be settled there first.
 */

/** The gateway's final words (Conekta's and Mercado Pago's) → this service's status; `paid` becomes active or expired. */
const FINAL_STATUS: Record<string, PurchaseStatus> = {
  paid: 'paid',
  approved: 'paid',
  rejected: 'declined',
  declined: 'declined',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  expired: 'cancelled',
  voided: 'cancelled',
  failed: 'failed',
  refunded: 'refunded',
  charged_back: 'revoked',
  chargeback: 'revoked',
};

/** A sale to write, with the detail of its `imported` history event. `undecided`: dry run, validity not read yet. */
export interface PlannedSale {
  row: Omit<PurchaseRow, 'status' | 'validitySeconds'> & { status: PurchaseStatus | 'undecided'; validitySeconds: number | undefined };
  detail: Record<string, unknown>;
}

/** The purchase id of an original sale: derived, so a second run finds it (company ids are random: no collisions). */
export function importedPurchaseId(companyId: string, transactionId: number): string {
  const bytes = createHash('sha256').update(`pagos-hotspot:original-sale:${companyId}:${transactionId}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The gateway, told as the original told it: its Mercado Pago sales carry `metadata_json.gateway = "mercado_pago"`
 * and an `external_reference` (`HS…`); its Conekta sales carry neither, and their id is a Conekta order (`ord_…`).
 */
export function inferGateway(t: Pick<OriginalTransaction, 'metadata_json' | 'external_reference' | 'transaccion_id'>): Gateway | undefined {
  const metadata = t.metadata_json as { gateway?: unknown } | null;
  if (metadata?.gateway === 'mercado_pago' || text(t.external_reference)) return 'mercado_pago';
  if (metadata?.gateway === 'conekta' || text(t.transaccion_id)?.startsWith('ord_')) return 'conekta';
  return undefined;
}

export interface SalePlanOptions {
  now: Date;
  /** Every paid sale is active until then (instead of its product's validity after the sale). */
  activeUntil?: Date;
}

export function planSales(rows: OriginalTransaction[], ctx: PlanContext, available: Available, options: SalePlanOptions): PlannedSale[] {
  const out: PlannedSale[] = [];
  const references = new Map(ctx.target.references);
  for (const t of rows) {
    try {
      const sale = planSale(t, ctx, available, options, references);
      if (sale === 'skip') ctx.report.skip('transacciones');
      else out.push(sale);
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      ctx.report.refuse('transacciones', t.id, error.message);
    }
  }
  return out;
}

function planSale(
  t: OriginalTransaction,
  ctx: PlanContext,
  available: Available,
  options: SalePlanOptions,
  references: Map<string, string>,
): PlannedSale | 'skip' {
  const id = importedPurchaseId(t.empresa_id, t.id);
  if (ctx.target.purchases.has(id)) return 'skip';
  const companyId = requireCompany(available, t.empresa_id);
  const router = requireRouter(available, t.router_id, companyId);
  if (t.producto_id === null) refuse('it has no product');
  if (available.refusedProducts.has(t.producto_id!)) refuse(`its product ${t.producto_id} was refused`);
  const product = available.products.get(t.producto_id!) ?? refuse(`its product ${t.producto_id} does not exist`);
  if (product.companyId !== companyId) refuse(`its product ${t.producto_id} belongs to another company`);

  const word = text(t.estado_pago)?.toLowerCase() ?? '';
  const outcome = FINAL_STATUS[word];
  const gateway = inferGateway(t) ?? refuse('its gateway cannot be told (no Mercado Pago marks, not a Conekta order id)');
  const reference = text(t.transaccion_id);
  if (!outcome) {
    refuse(`estado_pago "${t.estado_pago}" is not final: settle payment ${reference ?? '(no id)'} at ${gateway === 'conekta' ? 'Conekta' : 'Mercado Pago'}`);
  }
  if (reference) {
    const holder = references.get(referenceKey(gateway, reference));
    if (holder !== undefined) refuse(`payment ${reference} is already in this database as purchase ${holder}`);
    references.set(referenceKey(gateway, reference), id);
  }
  const currency = (text(t.moneda) ?? product.currency).toUpperCase();
  if (!(CURRENCIES as readonly string[]).includes(currency)) refuse(`currency "${t.moneda}" is not one of ${CURRENCIES.join(', ')}`);
  const amountCents = cents(t.monto, 'amount');
  const username = text(t.usuario_hotspot);
  const password = t.password_hotspot ?? '';
  // The original's PIN users had an empty password; everyone else a 4-digit one.
  const userType: UserType = username && password === '' ? 'pin' : 'usuario_contrasena';

  const saleAt = t.usuario_creado_en ?? t.pagada_en ?? t.creada_en ?? refuse('it has no date');
  const closedAt = t.webhook_received_at ?? saleAt;
  const metadata = (t.metadata_json && typeof t.metadata_json === 'object' ? t.metadata_json : {}) as Record<string, unknown>;
  const statusDetail = typeof metadata.status_detail === 'string' ? metadata.status_detail.slice(0, 100) : null;

  let status: PurchaseStatus | 'undecided' = outcome === 'paid' ? 'undecided' : outcome;
  let expiresAt: Date | null = null;
  if (outcome === 'paid') {
    const validity = product.validitySeconds;
    expiresAt = options.activeUntil ?? (validity === undefined ? null : new Date(saleAt.getTime() + validity * 1000));
    if (expiresAt) status = expiresAt.getTime() > options.now.getTime() ? 'active' : 'expired';
    if (status !== 'expired' && !(username && isHotspotUsername(username))) {
      refuse(`it is still active, but its hotspot user "${username ?? ''}" is not a name this service can manage on a router`);
    }
  }
  const ended = status !== 'active' && status !== 'undecided';

  const row: PlannedSale['row'] = {
    id,
    workflowId: purchaseWorkflowId(companyId, t.router_id, `original-${t.id}`),
    // Made by the original service: there is no request of ours to compare a replay with.
    requestFingerprint: null,
    companyId,
    routerId: t.router_id,
    routerName: router.name,
    productId: t.producto_id,
    productName: product.name,
    profileName: product.profileName,
    validitySeconds: product.validitySeconds,
    gateway,
    gatewayReference: reference,
    gatewayStatus: text(t.estado_pago),
    gatewayDetail: {
      ...(statusDetail ? { status_detail: statusDetail } : {}),
      ...(metadata.installments !== undefined ? { installments: metadata.installments } : {}),
      ...(metadata.payment_method && typeof metadata.payment_method === 'object' ? { payment_method: metadata.payment_method } : {}),
      ...(text(t.external_reference) ? { external_reference: text(t.external_reference) } : {}),
    },
    amountCents,
    currency: currency as Currency,
    refundedCents: outcome === 'refunded' ? amountCents : 0,
    customerName: text(t.cliente_nombre) ?? '',
    customerEmail: text(t.cliente_email) ?? '',
    customerPhone: text(t.cliente_telefono),
    userType,
    hotspotUsername: username,
    hotspotPasswordEncrypted: password ? ctx.secrets.encrypt(password) : null,
    routerUserRef: null,
    clientMac: null,
    clientIp: null,
    autoConnect: false,
    cardTokenEncrypted: null,
    gatewayRequest: {},
    status,
    statusReason: outcome === 'refunded' ? 'GATEWAY_REFUND' : outcome === 'revoked' ? 'CHARGED_BACK' : outcome === 'paid' ? null : statusDetail,
    customerMessage: null,
    nextActionUrl: null,
    apiKeyId: t.api_key_usada && t.api_key_usada.length <= 50 ? t.api_key_usada : null,
    paidAt: outcome === 'paid' || outcome === 'refunded' || outcome === 'revoked' ? (t.pagada_en ?? saleAt) : null,
    activatedAt: outcome === 'paid' ? saleAt : null,
    expiresAt,
    endedAt: ended ? (status === 'expired' ? expiresAt : closedAt) : null,
    createdAt: t.creada_en ?? saleAt,
  };
  const detail = {
    original: {
      id: t.id,
      transaccion_id: t.transaccion_id,
      external_reference: t.external_reference,
      estado_pago: t.estado_pago,
      estado_hotspot: t.estado_hotspot,
      notification_id: t.notification_id,
      webhook_processed: t.webhook_processed,
      creada_en: t.creada_en?.toISOString() ?? null,
      pagada_en: t.pagada_en?.toISOString() ?? null,
      usuario_creado_en: t.usuario_creado_en?.toISOString() ?? null,
      webhook_received_at: t.webhook_received_at?.toISOString() ?? null,
    },
    ...(options.activeUntil && outcome === 'paid' ? { active_until: options.activeUntil.toISOString() } : {}),
  };
  return { row, detail };
}
