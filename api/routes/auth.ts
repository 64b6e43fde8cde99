import { z } from 'zod';
import type { RouteContext, ZodApp } from '../app';
import { adminOf, SECURITY } from '../plugins/auth';
import { GivenPassword, Password } from '../schemas/admin/users';
import { ErrorResponse, ValidationErrorResponse } from '../schemas/common';

const LoginRequest = z.object({ email: z.email().max(254), password: GivenPassword });
const LoginResponse = z.object({
  access_token: z.string(),
  token_type: z.literal('bearer'),
  expires_at: z.string(),
  user: z.object({
    id: z.number(),
    email: z.string(),
    nombre: z.string(),
    rol: z.enum(['super_admin', 'cliente_admin']),
    empresa_id: z.string().nullable(),
    activo: z.boolean(),
  }),
});
/** The new password follows the same policy as one an admin is created with. */
const ChangePasswordRequest = z.object({ current_password: GivenPassword, new_password: Password });
const Message = z.object({ message: z.string() });

/** Admin sessions (spec §3.2), with logout and password change that really end sessions. */
export function registerAuthRoutes(app: ZodApp, ctx: RouteContext): void {
  app.post(
    '/api/v1/auth/login',
    {
      schema: {
        tags: ['Authentication'],
        summary: 'Log in an admin; returns a session token',
        body: LoginRequest,
        response: { 200: LoginResponse, 401: ErrorResponse, 422: ValidationErrorResponse, 429: ErrorResponse },
      },
    },
    async (request) => ctx.sessions.login(request.body.email, request.body.password, request.ip),
  );

  app.post(
    '/api/v1/auth/logout',
    {
      preHandler: ctx.guards.admin(),
      schema: { tags: ['Authentication'], summary: 'End this session', security: SECURITY.admin, response: { 200: Message, 401: ErrorResponse } },
    },
    async (request) => {
      await ctx.sessions.logout(adminOf(request));
      return { message: 'Sesión cerrada exitosamente' };
    },
  );

  app.post(
    '/api/v1/auth/change-password',
    {
      preHandler: ctx.guards.admin(),
      schema: {
        tags: ['Authentication'],
        summary: 'Change the own password; every session of the user ends',
        security: SECURITY.admin,
        body: ChangePasswordRequest,
        response: { 200: Message, 400: ErrorResponse, 401: ErrorResponse, 422: ValidationErrorResponse },
      },
    },
    async (request) => {
      await ctx.sessions.changePassword(adminOf(request), request.body.current_password, request.body.new_password);
      return { message: 'Contraseña actualizada exitosamente' };
    },
  );
}
