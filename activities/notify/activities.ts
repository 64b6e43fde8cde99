import type { DataSource } from 'typeorm';
import type { NotificationTestResult } from '../../domain/operations';
import type { OperatorNotice } from '../../domain/temporal';
import { CompanyEntity, TelegramTestEntity } from '../../db/entities';
import { purchaseWithCompany } from '../../db/repositories/purchase-path';
import type { SecretBox } from '../../shared/secrets';
import {
  chargeNotRecordedMessage,
  escapeHtml,
  purchaseApprovedMessage,
  purchaseDeclinedMessage,
  purchaseRefundedMessage,
  reconciledMessage,
  routerUnreachableMessage,
  type TelegramNotifier,
} from './telegram';

export interface NotifyActivityDeps {
  dataSource: DataSource;
  secrets: SecretBox;
  telegram: TelegramNotifier;
}

/** Whether the company's operators are told about its purchases: Telegram, when the company turned it on. */
export function notifiesOperators(company: Pick<CompanyEntity, 'telegramEnabled'>): boolean {
  return company.telegramEnabled;
}

/** Operator notifications (Telegram, optional per company). They never fail a purchase. */
export function createNotifyActivities({ dataSource, secrets, telegram }: NotifyActivityDeps) {
  const target = (company: CompanyEntity, override: { botToken?: string; chatId?: string } = {}) => ({
    enabled: override.botToken !== undefined || override.chatId !== undefined || company.telegramEnabled,
    botToken: override.botToken ?? secrets.decryptOptional(company.telegramBotTokenEncrypted),
    chatId: override.chatId ?? company.telegramChatId,
  });

  return {
    /** Tells the company's chat about a purchase; a company without Telegram is skipped. */
    async notifyOperator(purchaseId: string, notice: OperatorNotice): Promise<void> {
      const loaded = await purchaseWithCompany(dataSource, purchaseId);
      if (!loaded) throw new Error(`purchase ${purchaseId} does not exist`);
      const { purchase, company } = loaded;
      if (!notifiesOperators(company)) return;
      const base = {
        companyName: company.name,
        productName: purchase.productName,
        amountCents: purchase.amountCents,
        currency: purchase.currency,
        customerName: purchase.customerName,
        reference: purchase.gatewayReference ?? undefined,
      };
      const html =
        notice === 'approved'
          ? purchaseApprovedMessage({
              ...base,
              userType: purchase.userType,
              username: purchase.hotspotUsername ?? '',
              password: secrets.decryptOptional(purchase.hotspotPasswordEncrypted) ?? '',
            })
          : notice === 'declined'
            ? purchaseDeclinedMessage({ ...base, reason: purchase.customerMessage ?? purchase.statusReason ?? '' })
            : notice === 'refunded'
              ? purchaseRefundedMessage({ ...base, reason: purchase.customerMessage ?? undefined })
              : notice === 'charge_not_recorded'
                ? chargeNotRecordedMessage({ ...base, purchaseId: purchase.id })
                : notice === 'reconciliation_refunded' || notice === 'workflow_gone'
                  ? reconciledMessage({
                      ...base,
                      purchaseId: purchase.id,
                      status: purchase.status,
                      what: notice === 'workflow_gone' ? 'workflow_gone' : 'refunded',
                    })
                  : routerUnreachableMessage({ companyName: company.name, routerName: purchase.routerName, reference: purchase.id });
      const result = await telegram.send(target(company), html);
      if (!result.sent && result.retryable) throw new Error(`telegram not reachable (${result.reason})`);
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
      const settings = { ...target(company, override), enabled: true };
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
