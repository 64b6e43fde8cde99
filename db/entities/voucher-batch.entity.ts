import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Currency } from '../../domain/money';
import type { VoucherFormat } from '../../domain/vouchers';

/**
 * A batch of vouchers printed together: one plan (snapshotted from the product), where it may be redeemed, the price
 * each voucher is sold for at the counter, the code format and the date it must be redeemed by.
 */
@Entity({ name: 'voucher_batches' })
export class VoucherBatchEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ name: 'company_id', type: 'varchar', length: 50 })
  companyId: string;

  @Column({ name: 'product_id', type: 'integer', nullable: true })
  productId: number | null;

  /** The only router its vouchers are redeemed on, unless `allRouters`; null once that router is deleted. */
  @Column({ name: 'router_id', type: 'varchar', length: 50, nullable: true })
  routerId: string | null;

  @Column({ name: 'all_routers', type: 'boolean' })
  allRouters: boolean;

  @Column({ name: 'product_name', type: 'varchar', length: 100 })
  productName: string;

  @Column({ name: 'profile_name', type: 'varchar', length: 100 })
  profileName: string;

  /** Access time, counted from the redemption (the product's validity). */
  @Column({ name: 'validity_seconds', type: 'integer' })
  validitySeconds: number;

  @Column({ name: 'uptime_limit_seconds', type: 'integer', nullable: true })
  uptimeLimitSeconds: number | null;

  /** What one voucher is sold for at the counter (cash sales in the reports). */
  @Column({ name: 'price_cents', type: 'integer' })
  priceCents: number;

  @Column({ type: 'char', length: 3 })
  currency: Currency;

  @Column({ type: 'integer' })
  quantity: number;

  @Column({ type: 'varchar', length: 20 })
  format: VoucherFormat;

  /** Digits of a PIN, or characters of a password. */
  @Column({ name: 'code_length', type: 'integer' })
  codeLength: number;

  @Column({ type: 'varchar', length: 8, default: '' })
  prefix: string;

  /** Vouchers not redeemed by then are no longer accepted; null: no limit. */
  @Column({ name: 'redeem_by', type: 'timestamptz', nullable: true })
  redeemBy: Date | null;

  /** The hotspot's login page: each card's QR code opens it with the code filled in. */
  @Column({ name: 'login_url', type: 'varchar', length: 255 })
  loginUrl: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  note: string | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'created_by', type: 'integer', nullable: true })
  createdBy: number | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
