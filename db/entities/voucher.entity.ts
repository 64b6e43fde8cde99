import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One voucher. Its code is stored encrypted (shown only in its batch's sheet and CSV) and found at redemption by a keyed
 * hash; `purchaseId` is its latest redemption, a purchase with gateway `voucher`.
 */
@Entity({ name: 'vouchers' })
export class VoucherEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'batch_id', type: 'integer' })
  batchId: number;

  @Column({ name: 'company_id', type: 'varchar', length: 50 })
  companyId: string;

  /** Its number within the batch (1…quantity), printed on the card. */
  @Column({ type: 'integer' })
  serial: number;

  @Column({ name: 'code_hash', type: 'char', length: 64 })
  codeHash: string;

  @Column({ name: 'code_encrypted', type: 'text' })
  codeEncrypted: string;

  @Column({ name: 'purchase_id', type: 'uuid', nullable: true })
  purchaseId: string | null;

  @Column({ name: 'redeemed_at', type: 'timestamptz', nullable: true })
  redeemedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
