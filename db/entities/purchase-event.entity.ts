import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { EventSource, PurchaseStatus } from '../../domain/purchase';

/** Append-only history of a purchase (a trigger refuses UPDATE and DELETE). */
@Entity({ name: 'purchase_events' })
export class PurchaseEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'purchase_id', type: 'uuid' })
  purchaseId: string;

  /** `status_changed`, `webhook_received`, `auto_connect`, `refund_requested`… */
  @Column({ type: 'varchar', length: 40 })
  type: string;

  @Column({ name: 'from_status', type: 'varchar', length: 20, nullable: true })
  fromStatus: PurchaseStatus | null;

  @Column({ name: 'to_status', type: 'varchar', length: 20, nullable: true })
  toStatus: PurchaseStatus | null;

  @Column({ type: 'varchar', length: 20 })
  source: EventSource;

  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  detail: Record<string, unknown>;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
