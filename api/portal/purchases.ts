import { createHash, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { autoConnectMessage, MESSAGES } from '../../domain/messages';
import { centsToMajor } from '../../domain/money';
import type { Gateway, PurchaseStatus, UserType } from '../../domain/purchase';
import { purchaseWorkflowId, type AutoConnectReport, type PurchaseOutcome, type PurchaseWorkflowInput } from '../../domain/temporal';
import { CompanyEntity, ProductEntity, PurchaseEntity, PurchaseEventEntity } from '../../db/entities';
import { classifyDatabaseError } from '../../db/errors';
import type { Config } from '../../shared/config';
import type { SecretBox } from '../../shared/secrets';
import type { RouterPrincipal } from '../auth/router-keys';
import { HttpError } from '../errors';
import type { Workflows } from '../temporal/workflows';

/** A purchase request after validation, whatever the gateway. */
export interface PurchaseRequest {
  gateway: Gateway;
  productId: number;
  cardToken: string;
  customer: { name: string; email: string; phone?: string };
  userType: UserType;
  mac?: string;
  ip?: string;
  autoConnect: boolean;
  /** Non-secret gateway-specific fields (Mercado Pago payment method, installments, issuer, device). */
  gatewayRequest: Record<string, string | number>;
  /** The amount the client displayed (Mercado Pago's `transaction_amount`): checked, never charged. */
  clientAmount?: number;
}

export interface PurchaseAnswer {
  status: 200 | 202 | 400 | 402 | 409 | 502 | 503;
  body: unknown;
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,100}$/;

/** The attempt key: the client's Idempotency-Key, or else the single-use card token (hashed: never stored in clear). */
export function attemptKey(idempotencyKey: string | undefined, cardToken: string): string {
  if (idempotencyKey !== undefined) {
    if (!IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new HttpError(400, 'Idempotency-Key inválido: de 8 a 100 caracteres entre letras, números y . _ : -');
    }
    return `k-${idempotencyKey}`;
  }
  return `t-${createHash('sha256').update(cardToken).digest('hex').slice(0, 40)}`;
}

export interface PurchaseServiceDeps {
  dataSource: DataSource;
  secrets: SecretBox;
  workflows: Workflows;
  config: Config;
}

/**
 * The purchase endpoints' work: check the product and the company's gateway, write the purchase row (once per
 * attempt), start or join its workflow, wait a bounded time for the outcome, and answer from the database.
 */
export class PurchaseService {
  constructor(private readonly deps: PurchaseServiceDeps) {}

  async purchase(principal: RouterPrincipal, request: PurchaseRequest, idempotencyKey: string | undefined): Promise<PurchaseAnswer> {
    const { dataSource, secrets, config, workflows } = this.deps;
    const company = await dataSource.getRepository(CompanyEntity).findOneByOrFail({ id: principal.company.id });
    if (request.gateway === 'mercado_pago' && !company.mercadoPagoAccessTokenEncrypted) {
      throw new HttpError(400, 'La empresa no tiene configurado Mercado Pago');
    }
    if (request.gateway === 'conekta' && !company.conektaPrivateKeyEncrypted && !config.CONEKTA_DEFAULT_PRIVATE_KEY) {
      throw new HttpError(400, 'La empresa no tiene configurado Conekta');
    }
    // The product must be sold by this very router (the original only checked the company) and still on sale.
    const product = await dataSource
      .getRepository(ProductEntity)
      .findOneBy({ id: request.productId, companyId: company.id, routerId: principal.router.id, active: true });
    if (!product) throw new HttpError(404, 'Producto no encontrado');
    if (request.clientAmount !== undefined && Math.round(request.clientAmount * 100) !== product.priceCents) {
      throw new HttpError(
        400,
        `El monto ($${request.clientAmount.toFixed(2)}) no coincide con el producto ($${centsToMajor(product.priceCents).toFixed(2)})`,
      );
    }

    const workflowId = purchaseWorkflowId(company.id, principal.router.id, attemptKey(idempotencyKey, request.cardToken));
    const purchaseId = await this.createRow(workflowId, principal, product, request, idempotencyKey !== undefined);

    const input: PurchaseWorkflowInput = {
      purchaseId,
      companyId: company.id,
      routerId: principal.router.id,
      gateway: request.gateway,
      timing: {
        routerReserveSeconds: config.ROUTER_CONNECT_TIMEOUT_SECONDS * 2 + 2,
        pendingMaxSeconds: config.PAYMENT_PENDING_MAX_SECONDS,
        statusPollSeconds: config.PAYMENT_STATUS_POLL_SECONDS,
        provisioningDeadlineSeconds: config.PROVISIONING_DEADLINE_SECONDS,
      },
    };
    const start = await workflows.startPurchase(workflowId, input, config.PURCHASE_RESPONSE_WAIT_SECONDS * 1000);
    try {
      const purchase = await dataSource.getRepository(PurchaseEntity).findOneByOrFail({ id: purchaseId });
      return await this.answer(purchase, start.kind === 'outcome' ? start.outcome : undefined, secrets);
    } catch (error) {
      // The purchase has started and may charge: never "nothing was charged" now, but where to follow it.
      if (classifyDatabaseError(error) !== 'unavailable') throw error;
      const status = start.kind === 'outcome' ? start.outcome.status : 'created';
      return { status: 202, body: this.inProgressBody(purchaseId, status, null, null, null) };
    }
  }

  /**
   * Inserts the purchase row (a random id) and its `created` event, unless this attempt already has one; returns the
   * attempt's purchase id. An attempt submitted again with another request (another router cannot: the router is part
   * of the attempt) is refused with 409 and nothing of the first one.
   */
  private async createRow(
    workflowId: string,
    principal: RouterPrincipal,
    product: ProductEntity,
    request: PurchaseRequest,
    fromIdempotencyKey: boolean,
  ): Promise<string> {
    const { dataSource, secrets } = this.deps;
    const fingerprint = secrets.fingerprint(requestFingerprintInput(principal, request));
    return dataSource.transaction(async (tx) => {
      const inserted = await tx
        .createQueryBuilder()
        .insert()
        .into(PurchaseEntity)
        .values({
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
          clientMac: request.mac ?? null,
          clientIp: request.ip ?? null,
          autoConnect: request.autoConnect,
          cardTokenEncrypted: secrets.encrypt(request.cardToken),
          gatewayRequest: request.gatewayRequest,
          status: 'created',
          apiKeyId: principal.keyId,
        })
        .orIgnore()
        .returning(['id'])
        .execute();
      const purchaseId = (inserted.raw as { id: string }[])[0]?.id;
      if (purchaseId === undefined) {
        // This attempt was submitted before: the same request joins it, another one is refused.
        const earlier = await tx.getRepository(PurchaseEntity).findOneOrFail({ where: { workflowId }, select: { id: true, requestFingerprint: true } });
        if (earlier.requestFingerprint !== fingerprint) {
          throw new HttpError(
            409,
            fromIdempotencyKey
              ? 'Esta Idempotency-Key ya se usó con otra solicitud. Use una clave nueva para cada compra.'
              : 'Este token de tarjeta ya se usó con otra solicitud. Genere uno nuevo.',
          );
        }
        return earlier.id;
      }
      await tx.insert(PurchaseEventEntity, {
        purchaseId,
        type: 'status_changed',
        fromStatus: null,
        toStatus: 'created',
        source: 'api',
        detail: { attempt: fromIdempotencyKey ? 'idempotency_key' : 'card_token', product_id: product.id },
      });
      return purchaseId;
    });
  }

  /** The HTTP answer for a purchase's state (the outcome adds what only the workflow knows: the auto-connect result). */
  async answer(purchase: PurchaseEntity, outcome: PurchaseOutcome | undefined, secrets: SecretBox): Promise<PurchaseAnswer> {
    const statusUrl = this.statusUrl(purchase.id);
    switch (purchase.status) {
      case 'active':
        return { status: 200, body: await this.approvedBody(purchase, outcome?.autoConnect, secrets, statusUrl) };
      case 'declined':
      case 'cancelled':
        return { status: 402, body: { detail: purchase.customerMessage ?? MESSAGES.paymentCancelled } };
      case 'refunded':
      case 'revoked':
      case 'expired':
        // Refunded because access could not be delivered: try again later. Otherwise the attempt is over.
        return {
          status: purchase.statusReason === 'PROVISIONING_FAILED' ? 503 : 409,
          body: { detail: purchase.customerMessage ?? MESSAGES.accessExpired },
        };
      case 'failed':
        return { status: FAILURE_STATUS[purchase.statusReason ?? ''] ?? 503, body: { detail: purchase.customerMessage ?? MESSAGES.internal } };
      default:
        return {
          status: 202,
          body: this.inProgressBody(purchase.id, purchase.status, purchase.gatewayStatus, purchase.customerMessage, purchase.nextActionUrl),
        };
    }
  }

  /** The 202 body of a purchase not decided yet: poll `url_estado`. */
  private inProgressBody(id: string, status: PurchaseStatus, gatewayStatus: string | null, message: string | null, nextActionUrl: string | null) {
    const pending = status === 'pending';
    return {
      success: false,
      id_compra: id,
      estado: status,
      estado_pago: gatewayStatus,
      mensaje: pending ? (message ?? MESSAGES.paymentPending) : MESSAGES.purchaseInProgress,
      ...(pending ? { advertencia: MESSAGES.paymentPending } : {}),
      requiere_accion: nextActionUrl !== null,
      redirect_url: nextActionUrl,
      url_estado: this.statusUrl(id),
    };
  }

  private statusUrl(id: string): string {
    return `${this.deps.config.PUBLIC_BASE_URL}/api/v1/purchases/${id}`;
  }

  private async approvedBody(purchase: PurchaseEntity, report: AutoConnectReport | undefined, secrets: SecretBox, statusUrl: string) {
    const autoConnect = report ?? (await this.recordedAutoConnect(purchase));
    const detail = purchase.gatewayDetail as { status_detail?: string; installments?: number; payment_method?: Record<string, unknown> };
    return {
      success: true as const,
      id_compra: purchase.id,
      id_transaccion: purchase.gatewayReference ?? '',
      estado_pago: purchase.gatewayStatus ?? '',
      tipo_usuario: purchase.userType,
      usuario_hotspot: { usuario: purchase.hotspotUsername ?? '', contrasena: secrets.decryptOptional(purchase.hotspotPasswordEncrypted) ?? '' },
      producto: {
        nombre: purchase.productName,
        precio: centsToMajor(purchase.amountCents),
        moneda: purchase.currency,
        perfil_mikrotik: purchase.profileName,
      },
      cliente: { nombre: purchase.customerName, email: purchase.customerEmail },
      timestamp: new Date().toISOString(),
      expira_en: purchase.expiresAt!.toISOString(),
      vigencia_segundos: purchase.validitySeconds,
      url_estado: statusUrl,
      auto_conexion: {
        estado: autoConnect.connected ? ('conectado' as const) : ('no_conectado' as const),
        mac: autoConnect.requested ? (autoConnect.mac ?? purchase.clientMac ?? '') : '',
        ip: autoConnect.requested ? (autoConnect.ip ?? purchase.clientIp ?? '') : '',
        mensaje: autoConnectMessage(autoConnect),
        verificado: autoConnect.connected,
        session_id: null,
      },
      ...(purchase.gateway === 'mercado_pago'
        ? {
            mercado_pago: {
              payment_id: purchase.gatewayReference ?? '',
              status: purchase.gatewayStatus ?? '',
              status_detail: detail.status_detail ?? null,
              installments: detail.installments ?? null,
              payment_method: detail.payment_method ?? {},
              raw_response: {},
            },
          }
        : {}),
    };
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

/** HTTP status of a failed purchase, by the reason the workflow recorded. */
const FAILURE_STATUS: Record<string, PurchaseAnswer['status']> = {
  ROUTER_UNREACHABLE: 503,
  ROUTER_TIMEOUT: 503,
  PAYMENT_GATEWAY_UNAVAILABLE: 503,
  PAYMENT_GATEWAY_REJECTED: 400,
  PAYMENT_NOT_CONFIGURED: 502,
};
