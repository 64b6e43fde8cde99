import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A tenant (ISP, café, hotel) with its own gateway credentials. Secret columns hold SecretBox ciphertext only. */
@Entity({ name: 'companies' })
export class CompanyEntity {
  @PrimaryColumn({ type: 'varchar', length: 50 })
  id: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ name: 'contact_email', type: 'varchar', length: 254, nullable: true })
  contactEmail: string | null;

  @Column({ name: 'contact_phone', type: 'varchar', length: 30, nullable: true })
  contactPhone: string | null;

  @Column({ name: 'logo_url', type: 'varchar', length: 255, nullable: true })
  logoUrl: string | null;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ name: 'conekta_private_key_encrypted', type: 'text', nullable: true })
  conektaPrivateKeyEncrypted: string | null;

  @Column({ name: 'conekta_public_key', type: 'varchar', length: 255, nullable: true })
  conektaPublicKey: string | null;

  @Column({ name: 'conekta_mode', type: 'varchar', length: 10, default: 'test' })
  conektaMode: 'test' | 'live';

  @Column({ name: 'conekta_webhook_public_key', type: 'text', nullable: true })
  conektaWebhookPublicKey: string | null;

  @Column({ name: 'conekta_webhook_key_id', type: 'varchar', length: 100, nullable: true })
  conektaWebhookKeyId: string | null;

  @Column({ name: 'mercado_pago_access_token_encrypted', type: 'text', nullable: true })
  mercadoPagoAccessTokenEncrypted: string | null;

  @Column({ name: 'mercado_pago_public_key', type: 'varchar', length: 255, nullable: true })
  mercadoPagoPublicKey: string | null;

  @Column({ name: 'mercado_pago_mode', type: 'varchar', length: 10, default: 'test' })
  mercadoPagoMode: 'test' | 'live';

  @Column({ name: 'mercado_pago_webhook_secret_encrypted', type: 'text', nullable: true })
  mercadoPagoWebhookSecretEncrypted: string | null;

  @Column({ name: 'telegram_bot_token_encrypted', type: 'text', nullable: true })
  telegramBotTokenEncrypted: string | null;

  @Column({ name: 'telegram_chat_id', type: 'varchar', length: 50, nullable: true })
  telegramChatId: string | null;

  @Column({ name: 'telegram_enabled', type: 'boolean', default: false })
  telegramEnabled: boolean;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
