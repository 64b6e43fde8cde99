import { ensureSuperAdmin } from '../../db/bootstrap';
import { AdminUserEntity, CompanyEntity } from '../../db/entities';
import { testConfig } from '../helpers/config';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { buildTestApp, type TestApp } from '../helpers/app';
import { createAdmin, createCompany } from '../helpers/fixtures';

describe('super admin bootstrap', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('creates the super admin once, even when processes start together', async () => {
    const seed = { email: 'Root@Example.com', password: 'root-password-123', bcryptRounds: 4 };
    const results = await Promise.all([ensureSuperAdmin(db.dataSource, seed), ensureSuperAdmin(db.dataSource, seed)]);
    expect(results.sort()).toEqual(['created', 'exists']);
    expect(await ensureSuperAdmin(db.dataSource, seed)).toBe('exists');
    const admins = await db.dataSource.getRepository(AdminUserEntity).find({ where: { role: 'super_admin' } });
    expect(admins).toHaveLength(1);
    expect(admins[0]).toMatchObject({ email: 'root@example.com', companyId: null, active: true });
    expect(admins[0].passwordHash).toMatch(/^\$2[aby]\$04\$/); // bcrypt with BCRYPT_ROUNDS
  });

  it('is enforced by the database: a company admin needs a company, a super admin has none', async () => {
    const company = await createCompany(db.dataSource);
    const repo = db.dataSource.getRepository(AdminUserEntity);
    const base = { passwordHash: 'x', name: 'n', active: true };
    await expect(repo.insert({ ...base, email: 'a@x.com', role: 'cliente_admin', companyId: null })).rejects.toThrow(/admin_users_company_matches_role/);
    await expect(repo.insert({ ...base, email: 'b@x.com', role: 'super_admin', companyId: company.id })).rejects.toThrow(/admin_users_company_matches_role/);
  });
});

describe('POST /api/v1/auth/login', () => {
  let db: TestDatabase;
  let t: TestApp;
  const config = testConfig();

  beforeAll(async () => {
    db = await createTestDatabase();
    t = await buildTestApp(db, config);
    await ensureSuperAdmin(db.dataSource, {
      email: config.SUPER_ADMIN_INITIAL_EMAIL,
      password: config.SUPER_ADMIN_INITIAL_PASSWORD,
      bcryptRounds: 4,
    });
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
  });

  const login = (email: string, password: string, ip = '10.0.0.1') =>
    t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, remoteAddress: ip });

  it('logs the bootstrapped super admin in with the original response shape', async () => {
    const response = await login(config.SUPER_ADMIN_INITIAL_EMAIL, config.SUPER_ADMIN_INITIAL_PASSWORD);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_at: expect.stringMatching(/Z$/),
      user: { id: expect.any(Number), email: 'root@example.com', nombre: 'Super Admin', rol: 'super_admin', empresa_id: null, activo: true },
    });
    const hours = (Date.parse(body.expires_at) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
  });

  it('answers the same 401 for a wrong password and an unknown email', async () => {
    const wrong = await login(config.SUPER_ADMIN_INITIAL_EMAIL, 'wrong-password', '10.0.0.2');
    const unknown = await login('nobody@example.com', 'whatever-password', '10.0.0.2');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual({ detail: 'Credenciales incorrectas' });
    expect(unknown.json()).toEqual(wrong.json());
  });

  it('refuses an inactive user', async () => {
    const user = await createAdmin(db.dataSource, { active: false });
    const response = await login(user.email, user.password, '10.0.0.3');
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ detail: 'Usuario inactivo. Contacta al administrador.' });
  });

  it('lists every invalid field in a 422', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'not-an-email' } });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toEqual({
      detail: [
        { loc: ['body', 'email'], msg: 'value is not a valid email address', type: 'value_error' },
        { loc: ['body', 'password'], msg: 'Field required', type: 'missing' },
      ],
    });
  });

  it('rate-limits repeated failures for one email with 429 and Retry-After', async () => {
    const user = await createAdmin(db.dataSource);
    for (let i = 0; i < 5; i++) expect((await login(user.email, 'bad-password', `10.1.0.${i}`)).statusCode).toBe(401);
    const limited = await login(user.email, user.password, '10.1.0.99');
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('ends the session on logout and every session on a password change', async () => {
    const user = await createAdmin(db.dataSource);
    const first = (await login(user.email, user.password, '10.2.0.1')).json().access_token;
    const second = (await login(user.email, user.password, '10.2.0.1')).json().access_token;
    const auth = (token: string) => ({ authorization: `Bearer ${token}` });

    const logout = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: auth(first) });
    expect(logout.json()).toEqual({ message: 'Sesión cerrada exitosamente' });
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: auth(first) })).statusCode).toBe(401);

    const wrongCurrent = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/change-password',
      headers: auth(second),
      payload: { current_password: 'nope', new_password: 'a-new-password-2' },
    });
    expect(wrongCurrent.statusCode).toBe(400);
    expect(wrongCurrent.json()).toEqual({ detail: 'Contraseña actual incorrecta' });

    const changed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/change-password',
      headers: auth(second),
      payload: { current_password: user.password, new_password: 'a-new-password-2' },
    });
    expect(changed.statusCode).toBe(200);
    const after = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: auth(second) });
    expect(after.statusCode).toBe(401);
    expect((await login(user.email, 'a-new-password-2', '10.2.0.2')).statusCode).toBe(200);
  });

  it('takes as long for an unknown email as for a wrong password: both compare one bcrypt hash of BCRYPT_ROUNDS', async () => {
    const user = await createAdmin(db.dataSource); // hashed with the test's BCRYPT_ROUNDS (4)
    const median = async (email: string, ip: string) => {
      const times: number[] = [];
      for (let i = 0; i < 4; i++) {
        const started = process.hrtime.bigint();
        expect((await login(email, 'wrong-password-1', ip)).statusCode).toBe(401);
        times.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      return times.sort((a, b) => a - b)[2];
    };
    await median('warm-up@example.com', '10.5.0.1');
    const unknown = await median('nobody-here@example.com', '10.5.0.2');
    const wrong = await median(user.email, '10.5.0.3');
    // A cheaper or dearer dummy hash shows as a ratio of several times (cost 10 against 4 is 64 times the work).
    expect({ unknown, wrong, similar: unknown < wrong * 3 && wrong < unknown * 3 }).toMatchObject({ similar: true });
  });

  it('applies the password policy to a password change, and refuses passwords bcrypt would cut at 72 bytes everywhere', async () => {
    const user = await createAdmin(db.dataSource);
    const headers = { authorization: `Bearer ${(await login(user.email, user.password, '10.6.0.1')).json().access_token}` };
    const change = (payload: Record<string, string>) =>
      t.app.inject({ method: 'POST', url: '/api/v1/auth/change-password', headers, payload });
    const tooLong = `${'ñ'.repeat(36)}1`; // 73 bytes
    for (const [new_password, msg] of [
      ['onlyletters', 'La contraseña debe incluir letras y números'],
      ['short1', 'La contraseña debe tener al menos 8 caracteres'],
      [tooLong, 'La contraseña no puede exceder 72 bytes'],
      ['new-pass-1\r\n', 'No se permiten caracteres de control'],
    ]) {
      const response = await change({ current_password: user.password, new_password });
      expect({ status: response.statusCode, detail: response.json().detail }).toEqual({
        status: 422,
        detail: [{ loc: ['body', 'new_password'], msg, type: expect.any(String) }],
      });
    }
    expect((await change({ current_password: tooLong, new_password: 'fine-pass-1' })).json().detail[0].loc).toEqual(['body', 'current_password']);
    const longLogin = await login(user.email, `${user.password}${'x'.repeat(72)}`, '10.6.0.2');
    expect(longLogin.statusCode).toBe(422);
    expect(longLogin.json().detail).toEqual([{ loc: ['body', 'password'], msg: 'La contraseña no puede exceder 72 bytes', type: 'value_error' }]);
    const injected = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: `${user.email}\r\nBcc: x@example.com`, password: `${user.password}\u0000` },
      remoteAddress: '10.6.0.3',
    });
    expect(injected.json().detail.map((d: { loc: string[] }) => d.loc[1])).toEqual(['email', 'password']);
  });

  it("refuses the admins of a deactivated company (403) until it is active again, and their login too", async () => {
    const company = await createCompany(db.dataSource);
    const admin = await createAdmin(db.dataSource, { role: 'cliente_admin', companyId: company.id });
    const headers = { authorization: `Bearer ${(await login(admin.email, admin.password, '10.7.0.1')).json().access_token}` };
    const read = () => t.app.inject({ method: 'GET', url: '/api/v1/admin/mi-empresa', headers });
    expect((await read()).statusCode).toBe(200);

    await db.dataSource.getRepository(CompanyEntity).update({ id: company.id }, { active: false });
    const refused = await read();
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual({ detail: 'La empresa está desactivada. Contacta al administrador.' });
    const loginRefused = await login(admin.email, admin.password, '10.7.0.2');
    expect([loginRefused.statusCode, loginRefused.json()]).toEqual([403, { detail: 'La empresa está desactivada. Contacta al administrador.' }]);
    expect((await login(admin.email, 'wrong-password-1', '10.7.0.3')).json()).toEqual({ detail: 'Credenciales incorrectas' });

    await db.dataSource.getRepository(CompanyEntity).update({ id: company.id }, { active: true });
    expect((await read()).statusCode).toBe(200);
  });

  it('stops accepting the token of a user deactivated after login', async () => {
    const user = await createAdmin(db.dataSource);
    const token = (await login(user.email, user.password, '10.3.0.1')).json().access_token;
    await db.dataSource.getRepository(AdminUserEntity).update({ id: user.id }, { active: false });
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { authorization: `Bearer ${token}` } });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ detail: 'Usuario no activo' });
  });

  it('answers 403 like the original when the Authorization header is missing', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout' });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ detail: 'Not authenticated' });
  });
});
