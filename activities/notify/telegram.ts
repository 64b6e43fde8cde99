/**
 * Telegram notifications to a company's chat (optional per company). Sending never throws: a purchase must never
 * fail because Telegram did, so every outcome comes back as a TelegramResult.
 */
import { formatCents, type Cents, type Currency } from '../../domain/money';
import type { UserType } from '../../domain/purchase';
import { isTelegramBotToken } from '../../domain/telegram';
import { createLogger, type Logger } from '../../shared/logger';

/** A company's Telegram settings; disabled, or without token or chat, nothing is sent. */
export interface TelegramTarget {
  enabled: boolean;
  /** Decrypted bot token; it sits in the request path, so the URL is never logged. */
  botToken: string | null | undefined;
  chatId: string | number | null | undefined;
}

export type TelegramResult =
  | { sent: true; messageId: number | undefined }
  | {
      sent: false;
      reason: 'not_configured' | 'invalid_token' | 'timeout' | 'network' | 'rejected';
      /** Worth trying again later (timeout, network, 429, 5xx). */
      retryable: boolean;
      httpStatus?: number;
      /** Telegram's own description (`Bad Request: chat not found`); never contains the token. */
      description?: string;
    };

export interface TelegramNotifier {
  send(target: TelegramTarget | null | undefined, html: string): Promise<TelegramResult>;
}

export interface TelegramNotifierOptions {
  /** TELEGRAM_API_BASE_URL: https://api.telegram.org, or a simulator. */
  baseUrl: string;
  timeoutMs: number;
  logger?: Logger;
}

/** `sendMessage` with parse_mode HTML. The text must come from the builders below (customer data escaped). */
export function createTelegramNotifier(options: TelegramNotifierOptions): TelegramNotifier {
  const log = (options.logger ?? createLogger({ level: 'silent' })).child({ notifier: 'telegram' });
  const baseUrl = options.baseUrl.replace(/\/+$/, '');

  async function post(botToken: string, chatId: string, text: string): Promise<TelegramResult> {
    let res: Response;
    try {
      res = await fetch(`${baseUrl}/bot${botToken}/sendMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chat_id: chatId, text, parse_mode: 'HTML', disable_web_page_preview: true }),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      // AbortSignal.timeout rejects with a DOMException named TimeoutError (not always an Error instance).
      const name = (error as { name?: unknown } | null)?.name;
      const timeout = name === 'TimeoutError' || name === 'AbortError';
      return { sent: false, reason: timeout ? 'timeout' : 'network', retryable: true };
    }
    type Answer = { ok?: boolean; description?: string; result?: { message_id?: number } };
    const body = (await res.json().catch(() => ({}))) as Answer;
    if (res.ok && body.ok !== false) return { sent: true, messageId: body.result?.message_id };
    return {
      sent: false,
      reason: 'rejected',
      retryable: res.status === 429 || res.status >= 500,
      httpStatus: res.status,
      description: typeof body.description === 'string' ? body.description : undefined,
    };
  }

  return {
    async send(target, html) {
      const chatMissing = target?.chatId === null || target?.chatId === undefined || target.chatId === '';
      if (!target?.enabled || !target.botToken || chatMissing) {
        return { sent: false, reason: 'not_configured', retryable: false };
      }
      const chatId = String(target.chatId);
      // The token is a segment of the URL path: a malformed one (`x/../../bot1:y/…`) could reach another path.
      if (!isTelegramBotToken(target.botToken)) {
        log.warn({ chatId, reason: 'invalid_token' }, 'telegram message not sent');
        return { sent: false, reason: 'invalid_token', retryable: false };
      }
      try {
        const result = await post(target.botToken, chatId, html);
        if (result.sent) log.info({ chatId, messageId: result.messageId }, 'telegram message sent');
        else {
          const { reason, httpStatus, description } = result;
          log.warn({ chatId, reason, httpStatus, description }, 'telegram message not sent');
        }
        return result;
      } catch {
        // Anything unforeseen (a broken response stream…) is still only a missed notification.
        log.warn({ chatId, reason: 'network' }, 'telegram message not sent');
        return { sent: false, reason: 'network', retryable: true };
      }
    },
  };
}

/** Escapes text for Telegram's HTML parse mode (its only entities: &lt; &gt; &amp; &quot;). */
export function escapeHtml(value: string | number): string {
  return String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function money(amountCents: Cents, currency: Currency): string {
  return `$${formatCents(amountCents)} ${currency}`;
}

/** Label-value lines; values escaped, empty values skipped. */
function lines(rows: Array<[label: string, value: string | number | undefined]>): string {
  return rows
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([label, value]) => `${label} ${escapeHtml(value as string | number)}`)
    .join('\n');
}

/** What the purchase messages share. */
export interface PurchaseNotice {
  companyName: string;
  productName: string;
  amountCents: Cents;
  currency: Currency;
  customerName: string;
  /** The gateway's reference (order id, payment id). */
  reference?: string;
}

function purchaseLines(n: PurchaseNotice): string {
  return lines([
    ['🏢 <b>Empresa:</b>', n.companyName],
    ['📦 <b>Plan:</b>', n.productName],
    ['💰 <b>Monto:</b>', money(n.amountCents, n.currency)],
    ['👤 <b>Cliente:</b>', n.customerName],
    ['🧾 <b>Transacción:</b>', n.reference],
  ]);
}

/** Approved purchase with the credentials handed out. A PIN user's credential is the PIN (their username). */
export function purchaseApprovedMessage(
  n: PurchaseNotice & { userType: UserType; username: string; password: string },
): string {
  const credentials =
    n.userType === 'pin'
      ? lines([['🔢 <b>PIN:</b>', n.username]])
      : lines([
          ['🔑 <b>Usuario:</b>', n.username],
          ['🔒 <b>Contraseña:</b>', n.password],
        ]);
  const footer = '🔥 <i>Acceso WiFi entregado correctamente.</i>';
  return `✅ <b>¡Pago Aprobado!</b>\n\n${purchaseLines(n)}\n${credentials}\n\n${footer}`;
}

/** Declined purchase, with the customer-facing reason. */
export function purchaseDeclinedMessage(n: PurchaseNotice & { reason: string }): string {
  return `❌ <b>Pago Rechazado</b>\n\n${purchaseLines(n)}\n\n${lines([['⚠️ <b>Motivo:</b>', n.reason]])}`;
}

/** Refunded purchase (access could not be delivered, or an admin refunded it). */
export function purchaseRefundedMessage(n: PurchaseNotice & { reason?: string }): string {
  const reason = lines([['ℹ️ <b>Motivo:</b>', n.reason]]);
  return `↩️ <b>Pago Reembolsado</b>\n\n${purchaseLines(n)}${reason ? `\n\n${reason}` : ''}`;
}

/** A charge the gateway made that we could not record: it was cancelled or refunded at once; the operator checks. */
export function chargeNotRecordedMessage(n: PurchaseNotice & { purchaseId: string }): string {
  const body = `${purchaseLines(n)}\n${lines([['🆔 <b>Compra:</b>', n.purchaseId]])}`;
  return `⚠️ <b>Cargo sin registrar</b>\n\n${body}\n\n<i>Se canceló o reembolsó. Verifique en la pasarela que no quede cobrado.</i>`;
}

/** What the payment reconciliation did about a purchase: the operator should know, and may want to check it. */
export function reconciledMessage(n: PurchaseNotice & { purchaseId: string; status: string; what: 'refunded' | 'workflow_gone' }): string {
  const body = `${purchaseLines(n)}\n${lines([
    ['🆔 <b>Compra:</b>', n.purchaseId],
    ['📌 <b>Estado:</b>', n.status],
  ])}`;
  const detail =
    n.what === 'refunded'
      ? 'La pasarela tenía aprobado el cargo de una compra que terminó sin acceso: se reembolsó.'
      : 'El flujo de la compra ya no estaba en ejecución (terminado, reiniciado o fallido en Temporal): se retiró el acceso, se devolvió lo cobrado sin acceso y se cerró la compra.';
  return `🔎 <b>Conciliación con la pasarela</b>\n\n${body}\n\n<i>${detail}</i>`;
}

/** A router that could not be reached while delivering a purchase. */
export function routerUnreachableMessage(n: {
  companyName: string;
  routerName: string;
  detail?: string;
  reference?: string;
}): string {
  const body = lines([
    ['🏢 <b>Empresa:</b>', n.companyName],
    ['📡 <b>Router:</b>', n.routerName],
    ['🧾 <b>Transacción:</b>', n.reference],
    ['⚠️ <b>Detalle:</b>', n.detail],
  ]);
  return `🚨 <b>Router sin conexión</b>\n\n${body}\n\n<i>Revise la conexión del router con el servidor.</i>`;
}
