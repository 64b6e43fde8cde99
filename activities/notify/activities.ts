import type { DataSource } from 'typeorm';
import type { NotificationTestResult } from '../../domain/operations';
import type { OperatorNotice } from '../../domain/temporal';
import { CompanyEntity, TelegramTestEntity } from '../../db/entities';
import { enqueueNotice } from '../../db/repositories/operator-notices';
import type { SecretBox } from '../../shared/secrets';
import { telegramTarget } from './notices';
import { escapeHtml, type TelegramNotifier } from './telegram';

export interface NotifyActivityDeps {
  dataSource: DataSource;
  secrets: SecretBox;
  telegram: TelegramNotifier;
}

/** Operator notifications (Telegram, optional per company). They never fail a purchase. */
export function createNotifyActivities({ dataSource, secrets, telegram }: NotifyActivityDeps) {
  return {
    /**
     * Queues a notice to the company's operators; the worker's notice sender sends it (or drops it when the company
     * has Telegram off), so the workflow waits for one insert, never for Telegram.
     */
    async notifyOperator(purchaseId: string, notice: OperatorNotice): Promise<void> {
      if (!(await enqueueNotice(dataSource, purchaseId, notice))) throw new Error(`purchase ${purchaseId} does not exist`);
    },

    /**
     * The admin's "test" button: sends a fixed message with the stored settings, or with the ones under test (`testId`,
     * a row the API wrote, taken here once so the token never travels in the workflow's input).
     */
    async sendTelegramTest(companyId: string, testId: string | null): Promise<NotificationTestResult> {
      const company = await dataSource.getRepository(CompanyEntity).findOneBy({ id: companyId });
      if (!company) return { ok: false, code: 'NOT_FOUND', message: 'Empresa no encontrada' };
      let override: { botToken?: string; chatId?: string } = {};
      if (testId) {
        const tests = dataSource.getRepository(TelegramTestEntity);
        const row = await tests.findOneBy({ id: testId, companyId });
        if (!row) return { ok: false, code: 'NOT_FOUND', message: 'La prueba ya no está disponible. Intente de nuevo.' };
        await tests.delete({ id: testId });
        override = { botToken: secrets.decryptOptional(row.botTokenEncrypted), chatId: row.chatId ?? undefined };
      }
      const settings = { ...telegramTarget(company, secrets, override), enabled: true };
      if (!settings.botToken || !settings.chatId) {
        return { ok: false, code: 'BAD_REQUEST', message: 'Faltan credenciales (Token o Chat ID)' };
      }
      const html = `⚡ <b>Prueba de Conexión en Vivo</b>\n🏢 Empresa: ${escapeHtml(company.name)}\n✅ ¡Tus credenciales son correctas!`;
      const result = await telegram.send(settings, html);
      return result.sent
        ? { ok: true }
        : {
            ok: false,
            code: 'BAD_REQUEST',
            message: 'Error de Telegram. Verifica que el Token sea válido y que hayas iniciado chat con el bot.',
          };
    },
  };
}
