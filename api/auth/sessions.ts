import { randomUUID } from 'node:crypto';
import bcrypt from 'bcrypt';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { DataSource } from 'typeorm';
import { AdminSessionEntity, AdminUserEntity, CompanyEntity } from '../../db/entities';
import type { AdminRole } from '../../db/entities/admin-user.entity';
import { DomainError } from '../../domain/errors';
import { rateLimited } from '../errors';
import { credentialFrom } from './headers';
import type { Bucket, RateLimiter } from './rate-limiter';

export interface SessionSettings {
  secret: string;
  algorithm: string;
  expireHours: number;
  bcryptRounds: number;
}

/** The admin behind a request. Role and company come from the database row, never from the token. */
export interface AdminPrincipal {
  sessionId: string;
  user: Pick<AdminUserEntity, 'id' | 'email' | 'name' | 'role' | 'companyId' | 'active'>;
}

export interface LoginResult {
  access_token: string;
  token_type: 'bearer';
  expires_at: string;
  user: { id: number; email: string; nombre: string; rol: AdminRole; empresa_id: string | null; activo: boolean };
}

const encoder = new TextEncoder();
const INVALID_CREDENTIALS = 'Credenciales incorrectas';
const COMPANY_INACTIVE = 'La empresa está desactivada. Contacta al administrador.';
const LOGIN_WINDOW_MS = 15 * 60_000;
/** Wrong passwords for one email, then it waits; a right one clears them. */
const failuresOf = (email: string): Bucket => ({ id: `login-email:${email}`, limit: 5, windowMs: LOGIN_WINDOW_MS });
/** Every login attempt from one IP counts, right or wrong. */
const attemptsFrom = (ip: string): Bucket => ({ id: `login-ip:${ip}`, limit: 30, windowMs: LOGIN_WINDOW_MS });

/**
 * Admin sessions: an HMAC JWT whose `jti` is a row in admin_sessions. Logout and password changes revoke rows, so a
 * token dies with its session instead of living until it expires. Login is rate-limited per email and per IP.
 */
export class SessionService {
  private readonly key: Uint8Array;
  /**
   * Compared against when the email is unknown, at the cost real hashes are made with: an unknown email must take as
   * long as a wrong password, or the time of a failed login tells which admin emails exist.
   */
  private readonly dummyHash: Promise<string>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly settings: SessionSettings,
    private readonly limiter: RateLimiter,
  ) {
    this.key = encoder.encode(settings.secret);
    this.dummyHash = bcrypt.hash(randomUUID(), settings.bcryptRounds);
    this.dummyHash.catch(() => undefined);
  }

  async login(emailInput: string, password: string, ip: string): Promise<LoginResult> {
    const email = emailInput.trim().toLowerCase();
    const failures = failuresOf(email);
    const attempts = attemptsFrom(ip);
    const wait = await this.limiter.retryAfter([failures, attempts]);
    if (wait > 0) {
      throw rateLimited('Demasiados intentos de inicio de sesión. Intente más tarde.', wait);
    }
    await this.limiter.hit([attempts]);

    const user = await this.dataSource
      .getRepository(AdminUserEntity)
      .createQueryBuilder('u')
      .where('lower(u.email) = :email', { email })
      .getOne();
    const matches = await bcrypt.compare(password, user?.passwordHash ?? (await this.dummyHash));
    if (!user || !matches) {
      await this.limiter.hit([failures]);
      throw new DomainError('UNAUTHENTICATED', INVALID_CREDENTIALS);
    }
    // Revealed only to someone who knows the password.
    if (!user.active) throw new DomainError('UNAUTHENTICATED', 'Usuario inactivo. Contacta al administrador.');
    if (user.companyId && !(await this.dataSource.getRepository(CompanyEntity).existsBy({ id: user.companyId, active: true }))) {
      throw new DomainError('FORBIDDEN', COMPANY_INACTIVE);
    }
    await this.limiter.reset(failures);

    const now = new Date();
    const expiresAt = new Date(now.getTime() + this.settings.expireHours * 3_600_000);
    const sessionId = randomUUID();
    await this.dataSource.transaction(async (tx) => {
      await tx.insert(AdminSessionEntity, { id: sessionId, userId: user.id, expiresAt, revokedAt: null });
      await tx.update(AdminUserEntity, { id: user.id }, { lastLoginAt: now });
    });
    const token = await new SignJWT({
      email: user.email,
      nombre: user.name,
      rol: user.role,
      empresa_id: user.companyId,
      type: 'access_token',
    })
      .setProtectedHeader({ alg: this.settings.algorithm, typ: 'JWT' })
      .setSubject(String(user.id))
      .setJti(sessionId)
      .setIssuedAt(Math.floor(now.getTime() / 1000))
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.key);
    return {
      access_token: token,
      token_type: 'bearer',
      expires_at: expiresAt.toISOString(),
      user: {
        id: user.id,
        email: user.email,
        nombre: user.name,
        rol: user.role,
        empresa_id: user.companyId,
        activo: user.active,
      },
    };
  }

  async authenticate(headers: Record<string, string | string[] | undefined>): Promise<AdminPrincipal> {
    const token = credentialFrom(headers, false);
    let claims: { sub?: string; jti?: string; type?: unknown };
    try {
      ({ payload: claims } = await jwtVerify(token, this.key, { algorithms: [this.settings.algorithm] }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new DomainError('UNAUTHENTICATED', 'Token expirado');
      throw new DomainError('UNAUTHENTICATED', 'Token inválido');
    }
    if (claims.type !== 'access_token' || !claims.sub || !claims.jti) throw new DomainError('UNAUTHENTICATED', 'Token inválido');
    type Row = AdminPrincipal['user'] & { revoked_at: Date | null; expires_at: Date; company_active: boolean | null };
    const rows: Row[] = await this.dataSource.query(
      `SELECT u.id, u.email, u.name, u.role, u.company_id AS "companyId", u.active, s.revoked_at, s.expires_at,
              c.active AS company_active
         FROM admin_sessions s JOIN admin_users u ON u.id = s.user_id LEFT JOIN companies c ON c.id = u.company_id
        WHERE s.id = $1 AND u.id = $2`,
      [claims.jti, Number(claims.sub)],
    );
    const row = rows[0];
    if (!row || row.revoked_at !== null) throw new DomainError('UNAUTHENTICATED', 'Sesión cerrada. Inicie sesión de nuevo.');
    if (row.expires_at.getTime() <= Date.now()) throw new DomainError('UNAUTHENTICATED', 'Token expirado');
    if (!row.active) throw new DomainError('UNAUTHENTICATED', 'Usuario no activo');
    // The admins of a deactivated company keep their sessions, unusable until the company is active again.
    if (row.companyId !== null && row.company_active !== true) throw new DomainError('FORBIDDEN', COMPANY_INACTIVE);
    const { revoked_at: _r, expires_at: _e, company_active: _c, ...user } = row;
    return { sessionId: claims.jti, user };
  }

  async logout(principal: AdminPrincipal): Promise<void> {
    await this.dataSource.getRepository(AdminSessionEntity).update({ id: principal.sessionId }, { revokedAt: new Date() });
  }

  /** Changes the password and ends every session of the user, this one included. */
  async changePassword(principal: AdminPrincipal, current: string, next: string): Promise<void> {
    const user = await this.dataSource.getRepository(AdminUserEntity).findOneByOrFail({ id: principal.user.id });
    if (!(await bcrypt.compare(current, user.passwordHash))) throw new DomainError('BAD_REQUEST', 'Contraseña actual incorrecta');
    const passwordHash = await bcrypt.hash(next, this.settings.bcryptRounds);
    await this.dataSource.transaction(async (tx) => {
      await tx.update(AdminUserEntity, { id: user.id }, { passwordHash, updatedAt: new Date() });
      await revokeAllSessions(tx.query.bind(tx), user.id);
    });
  }
}

/** Ends every open session of a user (password change, reset, deactivation). */
export async function revokeAllSessions(query: (sql: string, params: unknown[]) => Promise<unknown>, userId: number): Promise<void> {
  await query(`UPDATE admin_sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL`, [userId]);
}
