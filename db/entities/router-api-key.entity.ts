import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A router API key (`jwt_…`) as issued: only its SHA-256 is stored. At most one unrevoked key per router. */
@Entity({ name: 'router_api_keys' })
export class RouterApiKeyEntity {
  @PrimaryColumn({ name: 'key_id', type: 'varchar', length: 50 })
  keyId: string;

  @Column({ name: 'company_id', type: 'varchar', length: 50 })
  companyId: string;

  @Column({ name: 'router_id', type: 'varchar', length: 50 })
  routerId: string;

  @Column({ name: 'key_hash', type: 'char', length: 64 })
  keyHash: string;

  @Column({ name: 'issued_at', type: 'timestamptz' })
  issuedAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'boolean', default: false })
  revoked: boolean;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  /** Flushed in batches from memory (never a write per request). */
  @Column({ name: 'use_count', type: 'bigint', default: 0, transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  useCount: number;
}
