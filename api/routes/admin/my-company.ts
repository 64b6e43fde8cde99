import { toMyCompany, updateMyCompany } from '../../admin/companies';
import { findCompany } from '../../../db/repositories/companies';
import type { RouteContext, ZodApp } from '../../context';
import { actorOf, ownCompanyId } from '../../plugins/auth';
import { adminSchema } from '../../schemas/admin/common';
import { MyCompanyResponse, UpdateMyCompanyRequest, UpdateMyCompanyResponse } from '../../schemas/admin/my-company';
import { ErrorResponse } from '../../schemas/common';

const TAGS = ['Cliente Admin'];

/** Company admin: the own company (`mi-empresa`). */
export function registerMyCompanyRoutes(app: ZodApp, ctx: RouteContext): void {
  const onRequest = ctx.guards.admin('cliente_admin');

  app.get(
    '/api/v1/admin/mi-empresa',
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'The own company (secrets masked)',
        response: { 200: MyCompanyResponse },
      }),
    },
    async (request) => toMyCompany(await findCompany(ctx.dataSource.manager, ownCompanyId(request))),
  );

  app.put(
    '/api/v1/admin/mi-empresa',
    {
      onRequest,
      schema: adminSchema(TAGS, {
        summary: 'Update name, contacts and Telegram settings; fields left out are unchanged, the bot token is stored encrypted',
        body: UpdateMyCompanyRequest,
        response: { 200: UpdateMyCompanyResponse, 400: ErrorResponse },
      }),
    },
    async (request) => {
      const view = toMyCompany(await updateMyCompany(ctx, actorOf(request), ownCompanyId(request), request.body));
      const { nombre, contacto_email, contacto_telefono, telegram_bot_token, telegram_chat_id, notificaciones_telegram } = view;
      return {
        message: 'Información de la empresa actualizada correctamente',
        empresa: { nombre, contacto_email, contacto_telefono, telegram_bot_token, telegram_chat_id, notificaciones_telegram },
      };
    },
  );
}
