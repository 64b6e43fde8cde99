import { z } from 'zod';
import { IdParam } from '../common';
import { withoutControlCharacters } from '../control-characters';
import { ListQuery, QueryBoolean } from './common';

/** At most 72 bytes, because bcrypt ignores the rest: a longer password would be accepted by its first 72 bytes alone. */
const withinBcrypt = (schema: z.ZodString) =>
  withoutControlCharacters(schema.refine((v) => Buffer.byteLength(v, 'utf8') <= 72, { error: 'La contraseña no puede exceder 72 bytes' }));

/** Any admin password given to us: a login, the current one. */
export const GivenPassword = withinBcrypt(z.string().min(1));

/** Admin password policy for a new password: 8+ characters with a letter and a digit, at most 72 bytes. */
export const Password = withinBcrypt(z.string().min(8, { error: 'La contraseña debe tener al menos 8 caracteres' })).refine(
  (v) => /\p{L}/u.test(v) && /\d/.test(v),
  { error: 'La contraseña debe incluir letras y números' },
);

const Role = z.enum(['super_admin', 'cliente_admin']);
const Email = z.email().max(254);
const Name = z.string().trim().min(1).max(100);

export const UserParams = z.object({ usuario_id: IdParam });

export const CreateUserRequest = z.object({
  email: Email,
  password: Password,
  nombre: Name,
  rol: Role,
  empresa_id: z.string().trim().max(50).nullable().optional(),
});

/** Fields left out are unchanged; a super admin has no company, a company admin needs one. */
export const UpdateUserRequest = z.object({
  email: Email.optional(),
  nombre: Name.optional(),
  rol: Role.optional(),
  empresa_id: z.string().trim().max(50).nullable().optional(),
});

export const UserListQuery = ListQuery.extend({
  rol: Role.optional(),
  empresa_id: z.string().trim().max(50).optional(),
  activo: QueryBoolean.optional(),
});

/** An admin user as panels written for the previous service read it, plus last login and creation time. */
export const UserResponse = z.object({
  id: z.number(),
  email: z.string(),
  nombre: z.string(),
  rol: z.enum(['super_admin', 'cliente_admin']),
  empresa_id: z.string().nullable(),
  activo: z.boolean(),
  ultimo_login: z.string().nullable(),
  creado_en: z.string(),
});

export const UserCreatedResponse = z.object({ message: z.string(), usuario: UserResponse });
export const SetUserActiveRequest = z.object({ activo: z.boolean() });
export const UserActiveResponse = z.object({ message: z.string(), usuario_id: z.number(), activo: z.boolean() });
export const ResetPasswordRequest = z.object({ new_password: Password });
export const ResetPasswordResponse = z.object({ message: z.string(), usuario_id: z.number() });
