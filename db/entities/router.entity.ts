import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A MikroTik router of a company, reached through the RouterOS API (8728) or API-SSL (8729 / `use_tls`). */
@Entity({ name: 'routers' })
export class RouterEntity {
  @PrimaryColumn({ type: 'varchar', length: 50 })
  id: string;

  @Column({ name: 'company_id', type: 'varchar', length: 50 })
  companyId: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 255 })
  host: string;

  @Column({ type: 'integer', default: 8728 })
  port: number;

  @Column({ name: 'use_tls', type: 'boolean', default: false })
  useTls: boolean;

  /** Verify the router's certificate chain (false = encrypted but unauthenticated, or pinned by fingerprint). */
  @Column({ name: 'tls_verify', type: 'boolean', default: true })
  tlsVerify: boolean;

  /** Optional SHA-256 fingerprint (hex) the router's certificate must match, for self-signed certificates. */
  @Column({ name: 'tls_fingerprint', type: 'varchar', length: 95, nullable: true })
  tlsFingerprint: string | null;

  @Column({ name: 'api_user', type: 'varchar', length: 100 })
  apiUser: string;

  @Column({ name: 'api_password_encrypted', type: 'text' })
  apiPasswordEncrypted: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  location: string | null;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
