import { createHash, randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { DomainError } from '../../domain/errors';
import { centsToMajor } from '../../domain/money';
import type { Gateway, PurchaseStatus, UserType } from '../../domain/purchase';
import {
  purchaseTiming,
  purchaseWorkflowId,
  type AutoConnectReport,
  type PurchaseOutcome,
  type PurchaseWorkflowInput,
} from '../../domain/temporal';
import { PurchaseEntity, PurchaseEventEntity, type ProductEntity } from '../../db/entities';
import { findChargingCompany, requireCharging } from '../../db/repositories/companies';
import { companyAndProduct, insertPurchase, purchaseById, type NewPurchase } from '../../db/repositories/purchase-path';
import { classifyDatabaseError } from '../../db/errors';
import { freshCredentialColumns } from '../../shared/hotspot-credentials';
import type { RouterPrincipal } from '../auth/router-keys';
import type { AppDeps } from '../context';
import { deviceProblem, type DeviceProblem } from '../schemas/portal/device';
import type { ConektaPurchaseRequest, MercadoPagoPurchaseRequest, PaymentStatusResponse } from '../schemas/portal/purchases';

/** A purchase request after validation, whatever the gateway. */
export interface PurchaseRequest {
  gateway: Gateway;
  productId: number;
  cardToken: string;
  customer: { name: string; email: string; phone?: string };
  userType: UserType;
  /** The device's addresses, only when usable; `deviceProblem` says why one is missing. */
  mac?: string;
  ip?: string;
  deviceProblem: DeviceProblem;
  autoConnect: boolean;
  /** Non-secret gateway-specific fields (Mercado Pago payment method, installments, issuer, device). */
  gatewayRequest: Record<string, string | number>;
  /** The amount the client displayed (Mercado Pago's `transaction_amount`): checked, never charged. */
  clientAmount?: number;
}

/** What both purchase bodies say the same way. */
function requestOf(body: z.output<typeof ConektaPurchaseRequest> | z.output<typeof MercadoPagoPurchaseRequest>) {
  return {
    productId: body.product_id,
    customer: { name: body.customer_name, email: body.customer_email, phone: body.customer_phone },
    userType: body.user_type,
    mac: body.mac_address.address,
    ip: body.ip_address.address,
    deviceProblem: deviceProblem(body.mac_address, body.ip_address),
    autoConnect: body.auto_connect,
  };
}

/** A Conekta purchase body as a PurchaseRequest. */
export function conektaPurchase(body: z.output<typeof ConektaPurchaseRequest>): PurchaseRequest {
  return { ...requestOf(body), gateway: 'conekta', cardToken: body.card_token, gatewayRequest: {} };
}

/** A Mercado Pago purchase body as a PurchaseRequest: the displayed amount is kept to be checked, never charged. */
export function mercadoPagoPurchase(body: z.output<typeof MercadoPagoPurchaseRequest>): PurchaseRequest {
  return {
    ...requestOf(body),
    gateway: 'mercado_pago',
    cardToken: body.token,
    clientAmount: body.transaction_amount,
    gatewayRequest: {
      paymentMethodId: body.payment_method_id,
      installments: body.installments,
      ...(body.issuer_id ? { issuerId: body.issuer_id } : {}),
      ...(body.device_id ? { deviceId: body.device_id } : {}),
    },
  };
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,100}$/;

/** The attempt key: the client's Idempotency-Key, or else the single-use card token (hashed: never stored in clear). */
function attemptKey(idempotencyKey: string | undefined, cardToken: string): string {
  if (idempotencyKey !== undefined) {
    if (!IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new DomainError('BAD_REQUEST', 'Idempotency-Key inválido: de 8 a 100 caracteres entre letras, números y . _ : -');
    }
    return `k-${idempotencyKey}`;
  }
  return `t-${createHash('sha256').update(cardToken).digest('hex').slice(0, 40)}`;
}

type PurchaseServiceDeps = Pick<AppDeps, 'dataSource' | 'secrets' | 'workflows' | 'config'>;

/** A purchase row's columns the answer to its request shows: read back, or as the API wrote it and its workflow left it. */
export type AnsweredPurchase = Pick<
  PurchaseEntity,
  | 'id' | 'status' | 'statusReason' | 'customerMessage' | 'nextActionUrl' | 'gateway' | 'gatewayReference' | 'gatewayStatus'
  | 'gatewayDetail' | 'userType' | 'hotspotUsername' | 'hotspotPasswordEncrypted' | 'productName' | 'amountCents' | 'currency'
  | 'profileName' | 'customerName' | 'customerEmail' | 'validitySeconds' | 'expiresAt' | 'clientMac' | 'clientIp'
>;

/**
 * Where a purchase request got to after the bounded wait: the purchase as recorded (read back, or as this request
 * wrote it and its workflow's outcome completes it), with what only the workflow knows (whether the device was logged
 * in); or, when its row could not be read back, only its id and last known status.
 */
export type PurchaseProgress =
  | { recorded: true; purchase: AnsweredPurchase; autoConnect?: AutoConnectReport; deviceProblem: DeviceProblem }
  | { recorded: false; purchase: { id: string; status: PurchaseStatus } };

/**
 * The purchase endpoints' work: check the product and the company's gateway, write the purchase row (once per
 * attempt), start or join its workflow, wait a bounded time for the outcome, and read where it got to.
 */
export class PurchaseService {
  constructor(private readonly deps: PurchaseServiceDeps) {}

  async purchase(principal: RouterPrincipal, request: PurchaseRequest, idempotencyKey: string | undefined): Promise<PurchaseProgress> {
    const { dataSource, config } = this.deps;
    const found = await companyAndProduct(dataSource, { companyId: principal.company.id, routerId: principal.router.id, productId: request.productId });
    if (!found) throw new DomainError('NOT_FOUND', 'Empresa no encontrada');
    const company = requireCharging(found.company, request.gateway, config.CONEKTA_DEFAULT_PRIVATE_KEY);
    // The product must be sold by this very router (not only by the company) and still on sale.
    const { product } = found;
    if (!product) throw new DomainError('NOT_FOUND', 'Producto no encontrado');
    if (request.clientAmount !== undefined && Math.round(request.clientAmount * 100) !== product.priceCents) {
      throw new DomainError(
        'BAD_REQUEST',
        `El monto ($${request.clientAmount.toFixed(2)}) no coincide con el producto ($${centsToMajor(product.priceCents).toFixed(2)})`,
      );
    }

    const workflowId = purchaseWorkflowId(company.id, principal.router.id, attemptKey(idempotencyKey, request.cardToken));
    const row = await this.createRow(workflowId, principal, product, request, idempotencyKey !== undefined);

    return this.startAndFollow(workflowId, {
      purchaseId: row.id,
      companyId: company.id,
      routerId: principal.router.id,
      gateway: request.gateway,
      timing: purchaseTiming(config),
    }, request.deviceProblem, row.inserted);
  }

  /**
   * Starts (or joins) the workflow of a purchase whose row is written, waits a bounded time for its first decisive
   * outcome, and reads where it got to. A purchase this request `inserted` that became active with its own user and the
   * credentials the row was written with is answered from that row and the outcome, without reading it back.
   */
  async startAndFollow(workflowId: string, input: PurchaseWorkflowInput, deviceProblem: DeviceProblem, inserted?: NewPurchase): Promise<PurchaseProgress> {
    const { dataSource, config, workflows } = this.deps;
    const { purchaseId } = input;
    const start = await workflows.startPurchase(workflowId, input, config.PURCHASE_RESPONSE_WAIT_SECONDS * 1000);
    const outcome = start.kind === 'outcome' ? start.outcome : undefined;
    const activated = inserted && outcome && activatedRow(inserted, outcome);
    if (activated) return { recorded: true, purchase: activated, autoConnect: outcome?.autoConnect, deviceProblem };
    try {
      const purchase = await purchaseById(dataSource, purchaseId);
      if (!purchase) throw new Error(`purchase ${purchaseId} is gone`);
      const autoConnect = purchase.status === 'active' ? (outcome?.autoConnect ?? (await this.recordedAutoConnect(purchase))) : undefined;
      return { recorded: true, purchase, autoConnect, deviceProblem };
    } catch (error) {
      // The purchase has started and may charge: never "nothing was charged" now, but where to follow it.
      if (classifyDatabaseError(error) !== 'unavailable') throw error;
      return { recorded: false, purchase: { id: purchaseId, status: outcome?.status ?? 'created' } };
    }
  }

  /** A purchase made through this router, or NOT_FOUND. */
  async find(routerId: string, purchaseId: string): Promise<PurchaseEntity> {
    const purchase = await this.deps.dataSource.getRepository(PurchaseEntity).findOneBy({ id: purchaseId, routerId });
    if (!purchase) throw new DomainError('NOT_FOUND', 'Compra no encontrada');
    return purchase;
  }

  /**
   * The customer is back from the bank's 3-D Secure page: a pending purchase asks the gateway now instead of at its
   * next poll. The unguessable purchase id is the only input.
   */
  async customerReturned(purchaseId: string): Promise<void> {
    const purchase = await this.deps.dataSource.getRepository(PurchaseEntity).findOneBy({ id: purchaseId });
    if (!purchase) throw new DomainError('NOT_FOUND', 'Compra no encontrada');
    if (purchase.status === 'pending') await this.deps.workflows.notifyPayment(purchase.workflowId, { eventId: 'customer-return' });
  }

  /** A Mercado Pago payment made through this router, as last confirmed with the gateway. */
  async mercadoPagoPayment(principal: RouterPrincipal, paymentId: string): Promise<z.output<typeof PaymentStatusResponse>> {
    const { dataSource, config } = this.deps;
    await findChargingCompany(dataSource.manager, principal.company.id, 'mercado_pago', config.CONEKTA_DEFAULT_PRIVATE_KEY);
    const purchase = await dataSource
      .getRepository(PurchaseEntity)
      .findOneBy({ gateway: 'mercado_pago', gatewayReference: paymentId, routerId: principal.router.id });
    if (!purchase) throw new DomainError('NOT_FOUND', 'Pago no encontrado');
    const detail = purchase.gatewayDetail as { status_detail?: string };
    return {
      success: true,
      payment_id: paymentId,
      status: purchase.gatewayStatus,
      status_detail: detail.status_detail ?? null,
      amount: centsToMajor(purchase.amountCents),
      currency_id: purchase.currency,
      date_approved: purchase.paidAt?.toISOString() ?? null,
      date_last_updated: purchase.updatedAt.toISOString(),
    };
  }

  /**
   * Inserts the purchase row (a random id, fresh hotspot credentials) and its `created` event, unless this attempt
   * already has one; returns the attempt's purchase id, and the row when this request inserted it. An attempt submitted
   * again with another request (another router cannot: the router is part of the attempt) is refused with 409 and
   * nothing of the first one.
   */
  private async createRow(
    workflowId: string,
    principal: RouterPrincipal,
    product: ProductEntity,
    request: PurchaseRequest,
    fromIdempotencyKey: boolean,
  ): Promise<{ id: string; inserted?: NewPurchase }> {
    const { dataSource, secrets } = this.deps;
    const fingerprint = secrets.fingerprint(requestFingerprintInput(principal, request));
    const purchase: NewPurchase = {
      id: randomUUID(),
      workflowId,
      requestFingerprint: fingerprint,
      companyId: principal.company.id,
      routerId: principal.router.id,
      routerName: principal.router.name,
      productId: product.id,
      productName: product.name,
      profileName: product.profileName,
      validitySeconds: product.validitySeconds,
      uptimeLimitSeconds: product.uptimeLimitSeconds,
      gateway: request.gateway,
      amountCents: product.priceCents,
      currency: product.currency,
      customerName: request.customer.name,
      customerEmail: request.customer.email,
      customerPhone: request.customer.phone ?? null,
      userType: request.userType,
      ...freshCredentialColumns(secrets, request.userType),
      clientMac: request.mac ?? null,
      clientIp: request.ip ?? null,
      autoConnect: request.autoConnect,
      cardTokenEncrypted: secrets.encrypt(request.cardToken),
      gatewayRequest: request.gatewayRequest,
      apiKeyId: principal.keyId,
    };
    const row = await insertPurchase(dataSource, purchase, { attempt: fromIdempotencyKey ? 'idempotency_key' : 'card_token', product_id: product.id });
    // This attempt was submitted before: the same request joins it, another one is refused.
    if (!row.inserted && row.requestFingerprint !== fingerprint) {
      throw new DomainError(
        'CONFLICT',
        fromIdempotencyKey
          ? 'Esta Idempotency-Key ya se usó con otra solicitud. Use una clave nueva para cada compra.'
          : 'Este token de tarjeta ya se usó con otra solicitud. Genere uno nuevo.',
      );
    }
    return { id: row.id, inserted: row.inserted ? purchase : undefined };
  }

  /** A repeated submit after the request that saw the outcome: the auto-connect result comes from the history. */
  private async recordedAutoConnect(purchase: PurchaseEntity): Promise<AutoConnectReport> {
    const event = await this.deps.dataSource
      .getRepository(PurchaseEventEntity)
      .findOne({ where: { purchaseId: purchase.id, type: 'auto_connect' }, order: { id: 'DESC' } });
    const detail = event?.detail as Partial<AutoConnectReport> | undefined;
    return { requested: detail?.requested ?? false, connected: detail?.connected ?? false, mac: detail?.mac, ip: detail?.ip, reason: detail?.reason };
  }
}

/**
 * The purchase as a read-back would find it, from the row this request wrote and its workflow's `active` outcome (the
 * columns only the workflow knows come with it); undefined when the outcome cannot tell: not active, stacked, other
 * credentials than the row was written with, or from a worker whose outcome does not carry the columns.
 */
function activatedRow(inserted: NewPurchase, outcome: PurchaseOutcome): AnsweredPurchase | undefined {
  if (outcome.status !== 'active' || outcome.stacked || outcome.credentialsReplaced || !outcome.activated) return undefined;
  const { expiresAt, ...gateway } = outcome.activated;
  return { ...inserted, ...gateway, status: 'active', statusReason: null, customerMessage: null, nextActionUrl: null, expiresAt: new Date(expiresAt) };
}

/**
 * What makes two submits of one attempt the same request: everything that decides the charge and the access. Hashed
 * with a key (SecretBox.fingerprint), so the card token is not kept.
 */
function requestFingerprintInput(principal: RouterPrincipal, request: PurchaseRequest): string {
  return JSON.stringify([
    principal.router.id,
    request.gateway,
    request.productId,
    request.clientAmount ?? null,
    request.cardToken,
    request.customer.email.toLowerCase(),
    request.customer.name,
    request.customer.phone ?? null,
    request.userType,
    request.mac ?? null,
    request.ip ?? null,
    request.autoConnect,
    Object.entries(request.gatewayRequest).sort(([a], [b]) => a.localeCompare(b)),
  ]);
}
