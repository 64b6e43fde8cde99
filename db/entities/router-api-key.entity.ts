import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A router API key (`jwt_…`) as issued: looked up by its SHA-256, and kept encrypted for the portal package (keys issued
 * before that, or imported, have only the hash). At most one unrevoked key per router.
 */
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

  /** The key, encrypted (secrets at rest); written only into the router's portal package. */
  @Column({ name: 'key_encrypted', type: 'text', nullable: true })
  keyEncrypted: string | null;

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
