import { sendTelegramTest } from '../../admin/telegram';
import type { RouteContext, ZodApp } from '../../context';
import { ownCompanyId } from '../../plugins/auth';
import { adminSchema, Message } from '../../schemas/admin/common';
import { TelegramTestRequest } from '../../schemas/admin/my-company';
import { ErrorResponse } from '../../schemas/common';

/** Company admin: the Telegram test message, sent by the worker with the stored or the given settings. */
export function registerTelegramRoutes(app: ZodApp, ctx: RouteContext): void {
  app.post(
    '/api/v1/admin/test-telegram',
    {
      onRequest: ctx.guards.admin('cliente_admin'),
      schema: adminSchema(['Cliente Admin'], {
        summary: 'Send a Telegram test message with the stored settings, or with the token / chat id given',
        body: TelegramTestRequest,
        response: { 200: Message, 400: ErrorResponse, 502: ErrorResponse },
      }),
    },
    async (request) => {
      await sendTelegramTest(ctx, ownCompanyId(request), request.body.token, request.body.chat_id);
      return { message: 'Mensaje de prueba enviado con éxito' };
    },
  );
}
