import { randomUUID } from 'node:crypto';
import { TelegramTestEntity } from '../../../db/entities';
import type { RouteContext, ZodApp } from '../../app';
import { HttpError } from '../../errors';
import { SECURITY } from '../../plugins/auth';
import { ADMIN_ERRORS, Message } from '../../schemas/admin/common';
import { TelegramTestRequest } from '../../schemas/admin/my-company';
import { ErrorResponse } from '../../schemas/common';
import { findCompany } from './companies';
import { ownCompanyId } from './scope';

/** Settings under test older than this are leftovers of a process that stopped mid-test. */
const TEST_ROW_MAX_AGE = '10 minutes';

/**
 * Runs the test with settings not saved yet: they wait encrypted in a row the worker takes (the token must not enter
 * the workflow's input, which Temporal keeps in its history), and the row goes once the test is over.
 */
async function testWithSettings(ctx: RouteContext, companyId: string, botToken: string | undefined, chatId: string | undefined) {
  const rows = ctx.dataSource.getRepository(TelegramTestEntity);
  await rows.createQueryBuilder().delete().where(`created_at < now() - interval '${TEST_ROW_MAX_AGE}'`).execute();
  const id = randomUUID();
  await rows.insert({ id, companyId, botTokenEncrypted: botToken ? ctx.secrets.encrypt(botToken) : null, chatId: chatId ?? null });
  try {
    return await ctx.workflows.sendTelegramTest(companyId, id);
  } finally {
    await rows.delete({ id });
  }
}

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
      const result =
        token || chat_id ? await testWithSettings(ctx, companyId, token, chat_id) : await ctx.workflows.sendTelegramTest(companyId);
      if (!result.ok) {
        throw new HttpError(502, 'Error de Telegram. Verifica que el Token sea válido y que hayas iniciado chat con el bot.');
      }
      return { message: 'Mensaje de prueba enviado con éxito' };
    },
  );
}
