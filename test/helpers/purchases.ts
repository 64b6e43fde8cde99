import type { LightMyRequestResponse } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Gateway, PurchaseStatus } from '../../domain/purchase';
import { PurchaseEntity, PurchaseEventEntity } from '../../db/entities';
import type { GatewaySimulator } from '../../sandbox/lib/gateway-simulator';
import { centsToMajor } from '../../domain/money';
import { cardToken, eventually, type TestStack } from './stack';

export const GATEWAYS: Gateway[] = ['conekta', 'mercado_pago'];

export interface BuyOptions {
  token?: string;
  scenario?: string;
  idempotencyKey?: string;
  body?: Record<string, unknown>;
  productId?: number;
}

/** Sends the original's purchase request for a gateway (Spanish aliases, as existing portals do). */
export function buy(s: TestStack, gateway: Gateway, options: BuyOptions = {}): Promise<LightMyRequestResponse> {
  const token = options.token ?? cardToken(options.scenario ?? 'approved');
  const common = { producto_id: options.productId ?? s.product.id, nombre_cliente: 'Ana López', email_cliente: 'ana@example.com' };
  const payload =
    gateway === 'conekta'
      ? { ...common, token_tarjeta: token, ...options.body }
      : { ...common, token, payment_method_id: 'visa', monto: centsToMajor(s.product.priceCents), cuotas: 1, ...options.body };
  return s.app.inject({
    method: 'POST',
    url: gateway === 'conekta' ? '/api/v1/payments/pagar-conekta' : '/api/v1/payments/pagar-mercado-pago',
    headers: { authorization: `Bearer ${s.apiKey}`, ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}) },
    payload,
  });
}

export function simulatorOf(s: TestStack, gateway: Gateway): GatewaySimulator {
  return gateway === 'conekta' ? s.conekta : s.mercadoPago;
}

/** The newest purchase row: the one a test just started when its answer names none (declined, failed, still pending). */
export async function latestPurchase(s: TestStack): Promise<PurchaseEntity | undefined> {
  const [row] = await s.db.dataSource.getRepository(PurchaseEntity).find({ order: { createdAt: 'DESC' }, take: 1 });
  return row;
}

/** Takes back the faults a test set: the router listening again, both gateways answering at once. */
export async function clearFaults(s: TestStack): Promise<void> {
  await s.router.setFaults({ refuseConnections: false });
  s.conekta.setLatency(0);
  s.mercadoPago.setLatency(0);
}

export function purchase(s: TestStack, id: string): Promise<PurchaseEntity> {
  return s.db.dataSource.getRepository(PurchaseEntity).findOneByOrFail({ id });
}

export async function events(s: TestStack, id: string): Promise<PurchaseEventEntity[]> {
  return s.db.dataSource.getRepository(PurchaseEventEntity).find({ where: { purchaseId: id }, order: { id: 'ASC' } });
}

/** Status changes of a purchase, in order (`created → charging → …`). */
export async function statusTrail(s: TestStack, id: string): Promise<string[]> {
  return (await events(s, id)).filter((e) => e.type === 'status_changed').map((e) => e.toStatus!);
}

export function waitForStatus(s: TestStack, id: string, status: string, timeoutMs = 20_000): Promise<PurchaseEntity> {
  return eventually(async () => {
    const row = await purchase(s, id);
    return row.status === status ? row : undefined;
  }, timeoutMs, `purchase ${id} to be ${status}`);
}

/** The hotspot user on the simulated router, or undefined. */
export function routerUser(s: TestStack, name: string | null) {
  return s.router.state.list('/ip/hotspot/user').find((u) => u.name === name);
}

/** The id the last charge of this purchase has at the gateway simulator. */
export function chargeOf(s: TestStack, gateway: Gateway, purchaseId: string) {
  const charges = simulatorOf(s, gateway).chargesFor(purchaseId);
  if (charges.length !== 1) throw new Error(`expected one charge for ${purchaseId}, found ${charges.length}`);
  return charges[0];
}

/** A purchase row of the stack's company as its workflow would have left it, without a workflow behind it. */
export async function purchaseRow(s: Pick<TestStack, 'db' | 'company' | 'routerRow' | 'product'>, status: PurchaseStatus, values: Partial<PurchaseEntity> = {}): Promise<PurchaseEntity> {
  const id = randomUUID();
  return s.db.dataSource.getRepository(PurchaseEntity).save({
    id,
    workflowId: `purchase:${s.company.id}:orphan-${id}`,
    companyId: s.company.id,
    routerId: s.routerRow.id,
    routerName: s.routerRow.name,
    productId: s.product.id,
    productName: s.product.name,
    profileName: 'default',
    validitySeconds: 3600,
    gateway: 'conekta',
    amountCents: 2000,
    currency: 'MXN',
    customerName: 'Ana',
    customerEmail: 'ana@example.com',
    userType: 'usuario_contrasena',
    status,
    ...values,
  });
}

/**
 * Waits until the newest purchase's user is on the router (the reservation's work) while it is still being charged.
 * The row cannot tell: `charging` and the router's id of the user are written with the activation.
 */
export function waitForReservation(s: TestStack, timeoutMs = 10_000): Promise<true> {
  return eventually(
    async () => {
      const row = await latestPurchase(s);
      return row !== undefined && ['created', 'charging'].includes(row.status) && routerUser(s, row.hotspotUsername) !== undefined;
    },
    timeoutMs,
    'user reserved',
  );
}
