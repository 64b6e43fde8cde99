import { z } from 'zod';
import type { RouteContext, ZodApp } from '../context';
import { adminOf, SECURITY } from '../plugins/auth';
import { Message } from '../schemas/admin/common';
import { GivenPassword, Password, UserResponse } from '../schemas/admin/users';
import { ErrorResponse, ValidationErrorResponse } from '../schemas/common';

const LoginRequest = z.object({ email: z.email().max(254), password: GivenPassword });
const LoginResponse = z.object({
  access_token: z.string(),
  token_type: z.literal('bearer'),
  expires_at: z.string(),
  user: UserResponse.pick({ id: true, email: true, nombre: true, rol: true, empresa_id: true, activo: true }),
});
/** The new password follows the same policy as one an admin is created with. */
const ChangePasswordRequest = z.object({ current_password: GivenPassword, new_password: Password });

/** Admin sessions: login, and a logout and password change that really end sessions. */
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
