import type { z } from 'zod';
import type { CompanyEntity } from '../../../db/entities';
import { maskSecret } from '../../../shared/secrets';
import type { RouteContext, ZodApp } from '../../app';
import { SECURITY } from '../../plugins/auth';
import { ADMIN_ERRORS, iso } from '../../schemas/admin/common';
import { MyCompanyResponse, UpdateMyCompanyRequest, UpdateMyCompanyResponse } from '../../schemas/admin/my-company';
import { ErrorResponse } from '../../schemas/common';
import { findCompany } from './companies';
import { profileFrom, updateCompanySettings } from './company-settings';
import { actorOf, ownCompanyId } from './scope';

const TAGS = ['Cliente Admin'];

function toMyCompany(c: CompanyEntity): z.output<typeof MyCompanyResponse> {
  return {
    id: c.id,
    nombre: c.name,
    contacto_email: c.contactEmail,
    contacto_telefono: c.contactPhone,
    logo_url: c.logoUrl,
    conekta_mode: c.conektaMode,
    conekta_public_key: c.conektaPublicKey,
    mercado_pago_mode: c.mercadoPagoMode,
    mercado_pago_public_key: c.mercadoPagoPublicKey,
    activa: c.active,
    creada_en: iso(c.createdAt),
    telegram_bot_token: maskSecret(c.telegramBotTokenEncrypted),
    telegram_chat_id: c.telegramChatId,
    notificaciones_telegram: c.telegramEnabled,
  };
}

/** Company admin: the own company (spec §3.4 `mi-empresa`). */
export function registerMyCompanyRoutes(app: ZodApp, ctx: RouteContext): void {
  const onRequest = ctx.guards.admin('cliente_admin');

  app.get(
    '/api/v1/admin/mi-empresa',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'The own company (secrets masked)',
        security: SECURITY.admin,
        response: { 200: MyCompanyResponse, ...ADMIN_ERRORS },
      },
    },
    async (request) => toMyCompany(await findCompany(ctx, ownCompanyId(request))),
  );

  app.put(
    '/api/v1/admin/mi-empresa',
    {
      onRequest,
      schema: {
        tags: TAGS,
        summary: 'Update name, contacts and Telegram settings; fields left out are unchanged, the bot token is stored encrypted',
        security: SECURITY.admin,
        body: UpdateMyCompanyRequest,
        response: { 200: UpdateMyCompanyResponse, ...ADMIN_ERRORS, 400: ErrorResponse },
      },
    },
    async (request) => {
      const body = request.body;
      const { company } = await updateCompanySettings(
        ctx,
        actorOf(request),
        ownCompanyId(request),
        { telegramBotToken: body.telegram_bot_token, telegramChatId: body.telegram_chat_id, telegramEnabled: body.notificaciones_telegram },
        profileFrom(body),
      );
      const view = toMyCompany(company);
      return {
        message: 'Información de la empresa actualizada correctamente',
        empresa: {
          nombre: view.nombre,
          contacto_email: view.contacto_email,
          contacto_telefono: view.contacto_telefono,
          telegram_bot_token: view.telegram_bot_token,
          telegram_chat_id: view.telegram_chat_id,
          notificaciones_telegram: view.notificaciones_telegram,
        },
      };
    },
  );
}
