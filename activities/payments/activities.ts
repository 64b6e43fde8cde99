import type { DataSource } from 'typeorm';
import type { Gateway } from '../../domain/purchase';
import type { PaymentOutcome } from '../../domain/payment';
import type { ChargeOutcome } from '../../domain/temporal';
import type { ConektaWebhookKeyResult } from '../../domain/operations';
import { CompanyEntity, type PurchaseEntity } from '../../db/entities';
import { purchaseWithCompany } from '../../db/repositories/purchase-path';
import type { SecretBox } from '../../shared/secrets';
import { finalFailure } from '../failures';
import { notifiesOperators } from '../notify/notices';
import type { ChargeRequest, PaymentGateway } from './gateway';

/** Builds the gateway client of one company (its own credentials) — see activities/deps.ts. */
export type GatewayFactory = (company: CompanyEntity, gateway: Gateway) => PaymentGateway;

export interface PaymentActivityDeps {
  dataSource: DataSource;
  secrets: SecretBox;
  gateways: GatewayFactory;
  /** Public base URL of the API: Mercado Pago's notification_url is built from it. */
  publicBaseUrl: string;
  /** Creates a Conekta webhook key with the company's credentials (Conekta's `POST /webhook_keys`). */
  createConektaWebhookKey: (company: CompanyEntity) => Promise<{ id: string; publicKey: string }>;
}

/**
 * Money activities. Each one reads what it needs from the purchase row, so no card token, key or amount travels
 * through workflow history, and each is safe to retry: the charge is idempotent by purchase id at the gateway.
 */
export function createPaymentActivities(deps: PaymentActivityDeps) {
  const { dataSource, secrets } = deps;

  async function load(purchaseId: string) {
    // The purchase and its company (whose credentials charge it), in one read.
    const loaded = await purchaseWithCompany(dataSource, purchaseId);
    if (!loaded) throw finalFailure('NOT_FOUND', `purchase ${purchaseId} does not exist`);
    const { purchase, company } = loaded;
    // A voucher was paid at the counter: no gateway holds a charge of it.
    if (purchase.gateway === 'voucher') throw finalFailure('PAYMENT_NOT_FOUND', `purchase ${purchaseId} was paid with a voucher`);
    return { purchase, company, gateway: deps.gateways(company, purchase.gateway) };
  }

  /**
   * The gateway's reference of the purchase's charge, or the charge found by our purchase id among those made since
   * the row was created, or null.
   */
  async function existing(purchase: PurchaseEntity, gateway: PaymentGateway): Promise<PaymentOutcome | null> {
    return purchase.gatewayReference
      ? gateway.getStatus(purchase.gatewayReference)
      : gateway.findByPurchaseId(purchase.id, purchase.createdAt);
  }

  return {
    /**
     * Charges the card once per purchase. Nothing is written here: the answer (reference, gateway status) is written
     * with the purchase's next status change, which also erases the single-use token. Until then a retry charges with
     * the same token and gets the first charge back (Mercado Pago by its idempotency key, derived from the purchase
     * id; Conekta refuses the spent token and the adapter finds the order by our purchase id); once the token is
     * erased, the charge is asked for by reference or purchase id. Says whether the company's operators are told.
     */
    async chargePayment(purchaseId: string): Promise<ChargeOutcome> {
      const { purchase, company, gateway } = await load(purchaseId);
      const operatorsNotified = notifiesOperators(company);
      if (!purchase.cardTokenEncrypted) {
        // A previous attempt got an answer, recorded since: the charge exists at the gateway.
        const found = await existing(purchase, gateway);
        if (found) return { ...found, operatorsNotified };
        throw finalFailure('PAYMENT_GATEWAY_REJECTED', 'El token de tarjeta ya no está disponible. Genere uno nuevo.');
      }
      const outcome = await gateway.charge(chargeRequest(purchase, secrets.decrypt(purchase.cardTokenEncrypted), deps.publicBaseUrl));
      return { ...outcome, operatorsNotified };
    },

    /**
     * The authoritative status at the gateway (webhooks only prompt this question); its `reversal` tells a refund, a
     * partial refund, a charge-back and an open dispute apart.
     */
    async getPaymentStatus(purchaseId: string): Promise<PaymentOutcome> {
      const { purchase, gateway } = await load(purchaseId);
      const outcome = await existing(purchase, gateway);
      if (!outcome) throw finalFailure('PAYMENT_NOT_FOUND', `no charge exists for purchase ${purchaseId}`);
      return outcome;
    },

    /** Cancels or voids whatever charge exists for the purchase; null when none was ever made. */
    async cancelPayment(purchaseId: string): Promise<PaymentOutcome | null> {
      const { purchase, gateway } = await load(purchaseId);
      const outcome = await existing(purchase, gateway);
      if (!outcome) return null;
      if (outcome.status === 'approved') return gateway.refund(outcome.reference);
      if (outcome.status === 'pending' || outcome.status === 'requires_action') return gateway.cancel(outcome.reference);
      return outcome;
    },

    /** Refunds what is still refundable of the purchase's charge. */
    async refundPayment(purchaseId: string): Promise<PaymentOutcome> {
      const { purchase, gateway } = await load(purchaseId);
      const outcome = await existing(purchase, gateway);
      if (!outcome) throw finalFailure('PAYMENT_NOT_FOUND', `no charge exists for purchase ${purchaseId}`);
      return gateway.refund(outcome.reference);
    },

    /** Registers a Conekta webhook key for the company and stores the public key it returns. */
    async registerConektaWebhookKey(companyId: string): Promise<ConektaWebhookKeyResult> {
      const company = await dataSource.getRepository(CompanyEntity).findOneBy({ id: companyId });
      if (!company) return { ok: false, code: 'NOT_FOUND', message: 'Empresa no encontrada' };
      const key = await deps.createConektaWebhookKey(company);
      await dataSource
        .getRepository(CompanyEntity)
        .update({ id: companyId }, { conektaWebhookPublicKey: key.publicKey, conektaWebhookKeyId: key.id, updatedAt: new Date() });
      return { ok: true, keyId: key.id, publicKey: key.publicKey };
    },
  };
}

/** What the gateway is asked to charge, all from the purchase row; the return and notification URLs are ours. */
function chargeRequest(purchase: PurchaseEntity, cardToken: string, publicBaseUrl: string): ChargeRequest {
  const request = purchase.gatewayRequest as { paymentMethodId?: string; installments?: number; issuerId?: string; deviceId?: string };
  return {
    purchaseId: purchase.id,
    purchaseCreatedAt: purchase.createdAt,
    amountCents: purchase.amountCents,
    currency: purchase.currency,
    cardToken,
    customer: { name: purchase.customerName, email: purchase.customerEmail, phone: purchase.customerPhone ?? undefined },
    description: purchase.productName,
    metadata: {
      purchase_id: purchase.id,
      company_id: purchase.companyId,
      router_id: purchase.routerId ?? '',
      product_id: String(purchase.productId ?? ''),
    },
    threeDSecure: true,
    returnUrl: `${publicBaseUrl}/api/v1/purchases/${purchase.id}/retorno`,
    notificationUrl: `${publicBaseUrl}/api/v1/webhook/mercado-pago`,
    clientIp: purchase.clientIp ?? undefined,
    mercadoPago: request.paymentMethodId
      ? {
          paymentMethodId: request.paymentMethodId,
          installments: request.installments ?? 1,
          issuerId: request.issuerId,
          deviceId: request.deviceId,
        }
      : undefined,
  };
}
