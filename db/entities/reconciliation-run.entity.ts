import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { ReconcileFindingKind, ReconcileRunStatus, ReconcileTrigger } from '../../domain/reconciliation';

/** One payment reconciliation run (its id is its workflow id): the window it asked the gateways about, and the tally. */
@Entity({ name: 'reconciliation_runs' })
export class ReconciliationRunEntity {
  @PrimaryColumn({ type: 'varchar', length: 200 })
  id: string;

  @Column({ type: 'varchar', length: 20 })
  trigger: ReconcileTrigger;

  /** The super admin who asked for it (email), for runs started on demand. */
  @Column({ name: 'requested_by', type: 'varchar', length: 254, nullable: true })
  requestedBy: string | null;

  @Column({ type: 'varchar', length: 20, default: 'running' })
  status: ReconcileRunStatus;

  @Column({ name: 'window_from', type: 'timestamptz', nullable: true })
  windowFrom: Date | null;

  @Column({ name: 'window_to', type: 'timestamptz', nullable: true })
  windowTo: Date | null;

  @Column({ name: 'gateway_calls', type: 'integer', default: 0 })
  gatewayCalls: number;

  /** Findings per kind. */
  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  counts: Partial<Record<ReconcileFindingKind, number>>;

  /** Gateway accounts that could not be searched this time (gateway, companies, error code). */
  @Column({ type: 'jsonb', default: () => "'[]'::jsonb" })
  errors: { gateway: string; companyIds: string[]; code: string }[];

  @Column({ name: 'started_at', type: 'timestamptz', default: () => 'now()' })
  startedAt: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;
}

/** Something a run found and what it did about it; company and purchase when it concerns one. */
@Entity({ name: 'reconciliation_findings' })
export class ReconciliationFindingEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'run_id', type: 'varchar', length: 200 })
  runId: string;

  @Column({ type: 'varchar', length: 40 })
  kind: ReconcileFindingKind;

  @Column({ name: 'company_id', type: 'varchar', length: 50, nullable: true })
  companyId: string | null;

  @Column({ name: 'purchase_id', type: 'uuid', nullable: true })
  purchaseId: string | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  gateway: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  reference: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  detail: Record<string, unknown>;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
