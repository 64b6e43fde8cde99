import type { RouteContext, ZodApp } from '../../app';
import { HttpError } from '../../errors';
import { SECURITY } from '../../plugins/auth';
import { ADMIN_ERRORS, Message } from '../../schemas/admin/common';
import { TelegramTestRequest } from '../../schemas/admin/my-company';
import { ErrorResponse } from '../../schemas/common';
import { findCompany } from './companies';
import { ownCompanyId } from './scope';

/** Company admin: Telegram test message (spec §3.4), sent by the worker with the stored or the given settings. */
export function registerTelegramRoutes(app: ZodApp, ctx: RouteContext): void {
  app.post(
    '/api/v1/admin/test-telegram',
    {
      onRequest: ctx.guards.admin('cliente_admin'),
      schema: {
        tags: ['Cliente Admin'],
        summary: 'Send a Telegram test message with the stored settings, or with the token / chat id given',
        security: SECURITY.admin,
        body: TelegramTestRequest,
        response: { 200: Message, ...ADMIN_ERRORS, 400: ErrorResponse, 502: ErrorResponse },
      },
    },
    async (request) => {
      const companyId = ownCompanyId(request);
      const { token, chat_id } = request.body;
      const company = await findCompany(ctx, companyId);
      if (!(token ?? company.telegramBotTokenEncrypted) || !(chat_id ?? company.telegramChatId)) {
        throw new HttpError(400, 'Faltan credenciales (Token o Chat ID)');
      }
      const result = await ctx.workflows.sendTelegramTest(companyId, token || chat_id ? { botToken: token, chatId: chat_id } : undefined);
      if (!result.ok) {
        throw new HttpError(502, 'Error de Telegram. Verifica que el Token sea válido y que hayas iniciado chat con el bot.');
      }
      return { message: 'Mensaje de prueba enviado con éxito' };
    },
  );
}
