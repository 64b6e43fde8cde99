import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Telegram settings under test, kept only while the test runs (see the TelegramTests migration). */
@Entity({ name: 'telegram_tests' })
export class TelegramTestEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'company_id', type: 'varchar', length: 50 })
  companyId: string;

  /** Absent: the company's stored token. */
  @Column({ name: 'bot_token_encrypted', type: 'text', nullable: true })
  botTokenEncrypted: string | null;

  /** Absent: the company's stored chat. */
  @Column({ name: 'chat_id', type: 'varchar', length: 50, nullable: true })
  chatId: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}
