import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { Currency } from '../../domain/money';

/** A sellable plan: a price and a validity wrapped around a hotspot user profile of one router. */
@Entity({ name: 'products' })
export class ProductEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ name: 'company_id', type: 'varchar', length: 50 })
  companyId: string;

  @Column({ name: 'router_id', type: 'varchar', length: 50 })
  routerId: string;

  /** RouterOS `.id` of the profile when it was chosen (e.g. `*3`); informational. */
  @Column({ name: 'profile_id', type: 'varchar', length: 100 })
  profileId: string;

  /** The profile name sent to `/ip/hotspot/user/add profile=`. */
  @Column({ name: 'profile_name', type: 'varchar', length: 100 })
  profileName: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ name: 'image_url', type: 'varchar', length: 500, nullable: true })
  imageUrl: string | null;

  @Column({ name: 'price_cents', type: 'integer' })
  priceCents: number;

  @Column({ type: 'char', length: 3, default: 'MXN' })
  currency: Currency;

  /** Wall-clock time the access lasts from activation. */
  @Column({ name: 'validity_seconds', type: 'integer' })
  validitySeconds: number;

  /** Optional RouterOS `limit-uptime` (cumulative online time). */
  @Column({ name: 'uptime_limit_seconds', type: 'integer', nullable: true })
  uptimeLimitSeconds: number | null;

  @Column({ type: 'jsonb', default: () => "'[]'::jsonb" })
  details: unknown[];

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ name: 'display_order', type: 'integer', default: 0 })
  displayOrder: number;

  @Column({ type: 'boolean', default: false })
  featured: boolean;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
