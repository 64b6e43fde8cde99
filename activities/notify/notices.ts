import type { CompanyEntity } from '../../db/entities';
import type { NoticeCompany, NoticePurchase } from '../../db/repositories/operator-notices';
import type { OperatorNotice } from '../../domain/temporal';
import type { SecretBox } from '../../shared/secrets';
import {
  chargeNotRecordedMessage,
  purchaseApprovedMessage,
  purchaseDeclinedMessage,
  purchaseRefundedMessage,
  reconciledMessage,
  routerUnreachableMessage,
  type TelegramTarget,
} from './telegram';

/** Whether the company's operators are told about its purchases: Telegram, when the company turned it on. */
export function notifiesOperators(company: Pick<CompanyEntity, 'telegramEnabled'>): boolean {
  return company.telegramEnabled;
}

/** Where a company's messages go: its stored settings, or the ones an admin is trying (`override`). */
export function telegramTarget(
  company: Pick<CompanyEntity, 'telegramEnabled' | 'telegramBotTokenEncrypted' | 'telegramChatId'>,
  secrets: SecretBox,
  override: { botToken?: string; chatId?: string } = {},
): TelegramTarget {
  return {
    enabled: override.botToken !== undefined || override.chatId !== undefined || company.telegramEnabled,
    botToken: override.botToken ?? secrets.decryptOptional(company.telegramBotTokenEncrypted),
    chatId: override.chatId ?? company.telegramChatId,
  };
}

/** The message that tells the company's operators about `notice` (HTML; customer data escaped by the builders). */
export function operatorMessage(notice: OperatorNotice, purchase: NoticePurchase, company: Pick<NoticeCompany, 'name'>, secrets: SecretBox): string {
  const base = {
    companyName: company.name,
    productName: purchase.productName,
    amountCents: purchase.amountCents,
    currency: purchase.currency,
    customerName: purchase.customerName,
    reference: purchase.gatewayReference ?? undefined,
  };
  switch (notice) {
    case 'approved':
      return purchaseApprovedMessage({
        ...base,
        userType: purchase.userType,
        username: purchase.hotspotUsername ?? '',
        password: secrets.decryptOptional(purchase.hotspotPasswordEncrypted) ?? '',
      });
    case 'declined':
      return purchaseDeclinedMessage({ ...base, reason: purchase.customerMessage ?? purchase.statusReason ?? '' });
    case 'refunded':
      return purchaseRefundedMessage({ ...base, reason: purchase.customerMessage ?? undefined });
    case 'charge_not_recorded':
      return chargeNotRecordedMessage({ ...base, purchaseId: purchase.id });
    case 'reconciliation_refunded':
    case 'workflow_gone':
      return reconciledMessage({
        ...base,
        purchaseId: purchase.id,
        status: purchase.status,
        what: notice === 'workflow_gone' ? 'workflow_gone' : 'refunded',
      });
    case 'router_unreachable':
      return routerUnreachableMessage({ companyName: company.name, routerName: purchase.routerName, reference: purchase.id });
    default:
      // A row written by a newer release during a deploy: not ours to word.
      throw new Error(`unknown operator notice ${String(notice satisfies never)}`);
  }
}
