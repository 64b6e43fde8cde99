import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Currency } from '../../domain/money';
import type { PurchaseGateway, PurchaseStatus, UserType } from '../../domain/purchase';

/**
 * One row per purchase attempt, failed ones included. Router, product and plan values are snapshotted so the money
 * record survives a deleted router or an edited product.
 */
@Entity({ name: 'purchases' })
export class PurchaseEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'workflow_id', type: 'varchar', length: 200 })
  workflowId: string;

  /**
   * Keyed hash of the request that started this attempt (router, gateway, product, amount, card token, customer…):
   * a replay of the attempt with another request is refused. Null for purchases made before it was recorded.
   */
  @Column({ name: 'request_fingerprint', type: 'char', length: 64, nullable: true })
  requestFingerprint: string | null;

  @Column({ name: 'company_id', type: 'varchar', length: 50 })
  companyId: string;

  @Column({ name: 'router_id', type: 'varchar', length: 50, nullable: true })
  routerId: string | null;

  @Column({ name: 'router_name', type: 'varchar', length: 100 })
  routerName: string;

  @Column({ name: 'product_id', type: 'integer', nullable: true })
  productId: number | null;

  @Column({ name: 'product_name', type: 'varchar', length: 100 })
  productName: string;

  @Column({ name: 'profile_name', type: 'varchar', length: 100 })
  profileName: string;

  @Column({ name: 'validity_seconds', type: 'integer' })
  validitySeconds: number;

  @Column({ name: 'uptime_limit_seconds', type: 'integer', nullable: true })
  uptimeLimitSeconds: number | null;

  @Column({ type: 'varchar', length: 20 })
  gateway: PurchaseGateway;

  /** The gateway's id of the charge; null while there is none (never empty), unique per gateway when present. */
  @Column({ name: 'gateway_reference', type: 'varchar', length: 100, nullable: true })
  gatewayReference: string | null;

  /** The gateway's own status word (`paid`, `approved`, `pending_payment`…), as last seen. */
  @Column({ name: 'gateway_status', type: 'varchar', length: 40, nullable: true })
  gatewayStatus: string | null;

  /** Non-secret details of the gateway's answer (status_detail, payment method, installments…). */
  @Column({ name: 'gateway_detail', type: 'jsonb', default: () => "'{}'::jsonb" })
  gatewayDetail: Record<string, unknown>;

  @Column({ name: 'amount_cents', type: 'integer' })
  amountCents: number;

  @Column({ type: 'char', length: 3 })
  currency: Currency;

  @Column({ name: 'refunded_cents', type: 'integer', default: 0 })
  refundedCents: number;

  @Column({ name: 'customer_name', type: 'varchar', length: 200 })
  customerName: string;

  @Column({ name: 'customer_email', type: 'varchar', length: 254 })
  customerEmail: string;

  @Column({ name: 'customer_phone', type: 'varchar', length: 30, nullable: true })
  customerPhone: string | null;

  @Column({ name: 'user_type', type: 'varchar', length: 20 })
  userType: UserType;

  @Column({ name: 'hotspot_username', type: 'varchar', length: 64, nullable: true })
  hotspotUsername: string | null;

  @Column({ name: 'hotspot_password_encrypted', type: 'text', nullable: true })
  hotspotPasswordEncrypted: string | null;

  /** RouterOS `.id` of the hotspot user (`*1A`), so enable/remove need no lookup. */
  @Column({ name: 'router_user_ref', type: 'varchar', length: 20, nullable: true })
  routerUserRef: string | null;

  @Column({ name: 'client_mac', type: 'varchar', length: 17, nullable: true })
  clientMac: string | null;

  @Column({ name: 'client_ip', type: 'varchar', length: 45, nullable: true })
  clientIp: string | null;

  @Column({ name: 'auto_connect', type: 'boolean', default: false })
  autoConnect: boolean;

  /** Single-use card token, encrypted, erased as soon as the charge has a definitive answer. */
  @Column({ name: 'card_token_encrypted', type: 'text', nullable: true })
  cardTokenEncrypted: string | null;

  /** Non-secret, gateway-specific request fields (Mercado Pago payment_method_id, installments, issuer_id…). */
  @Column({ name: 'gateway_request', type: 'jsonb', default: () => "'{}'::jsonb" })
  gatewayRequest: Record<string, string | number>;

  @Column({ type: 'varchar', length: 20 })
  status: PurchaseStatus;

  /** Machine-readable reason of the last status (decline code, error code). */
  @Column({ name: 'status_reason', type: 'varchar', length: 100, nullable: true })
  statusReason: string | null;

  /** Spanish message for the customer about the last status. */
  @Column({ name: 'customer_message', type: 'text', nullable: true })
  customerMessage: string | null;

  /** 3-D Secure (or other) URL the customer must visit to complete the payment. */
  @Column({ name: 'next_action_url', type: 'text', nullable: true })
  nextActionUrl: string | null;

  @Column({ name: 'api_key_id', type: 'varchar', length: 50, nullable: true })
  apiKeyId: string | null;

  @Column({ name: 'paid_at', type: 'timestamptz', nullable: true })
  paidAt: Date | null;

  @Column({ name: 'activated_at', type: 'timestamptz', nullable: true })
  activatedAt: Date | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
