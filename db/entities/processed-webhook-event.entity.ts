import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Gateway } from '../../domain/purchase';

/** A gateway notification already accepted; the unique (provider, event_id) makes each one count once. */
@Entity({ name: 'processed_webhook_events' })
export class ProcessedWebhookEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'varchar', length: 20 })
  provider: Gateway;

  @Column({ name: 'event_id', type: 'varchar', length: 200 })
  eventId: string;

  @Column({ name: 'event_type', type: 'varchar', length: 100, nullable: true })
  eventType: string | null;

  @Column({ name: 'resource_id', type: 'varchar', length: 200, nullable: true })
  resourceId: string | null;

  @Column({ name: 'purchase_id', type: 'uuid', nullable: true })
  purchaseId: string | null;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt: Date;
}
