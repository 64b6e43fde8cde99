import { RouterEndpointPolicy } from '../../shared/router-endpoints';
import { SecretBox } from '../../shared/secrets';
import { parseImportOptions, UsageError } from '../../scripts/import-original/options';
import { emptyAvailable, planAdmins, planCompanies, planKeys, planRouters, type PlanContext } from '../../scripts/import-original/plan';
import { ImportReport } from '../../scripts/import-original/report';
import { inferGateway, planSales } from '../../scripts/import-original/sales';
import type { OriginalAdmin, OriginalApiKey, OriginalCompany, OriginalRouter, OriginalTransaction } from '../../scripts/import-original/source';
import type { TargetState } from '../../scripts/import-original/target';

const OURS = 'ZmRqc2FmZGpzYWZkanNhZmRqc2FmZGpzYWZkanNhZmQ=';
const ORIGINAL = Buffer.from('0123456789abcdef0123456789abcdef').toString('base64url') + '=';
const NOW = new Date('2026-12-01T00:00:00Z');
const HASH = '$2b$12$k8RCnkjhwBCCI7IaamRqielgbbZkjG8a.n0tKgaQrPkAD/X79GOTW';

function target(overrides: Partial<TargetState> = {}): TargetState {
  return {
    companies: new Set(),
    adminEmails: new Map(),
    adminIds: new Map(),
    routers: new Map(),
    keyHashes: new Map(),
    keyIds: new Map(),
    activeKeys: new Map(),
    products: new Map(),
    purchases: new Set(),
    references: new Map(),
    ...overrides,
  };
}

function context(overrides: Partial<PlanContext> = {}): PlanContext {
  return {
    report: new ImportReport(false),
    target: target(),
    secrets: new SecretBox('secret-key', OURS),
    routerEndpoints: new RouterEndpointPolicy(['default']),
    ...overrides,
  };
}

const company = (values: Partial<OriginalCompany> = {}): OriginalCompany => ({
  id: 'EMP_0123456789',
  nombre: 'Café',
  contacto_email: null,
  contacto_telefono: null,
  logo_url: null,
  conekta_private_key: 'key_live_abc',
  conekta_public_key: 'key_pub_abc',
  conekta_mode: 'test',
  mercado_pago_access_token: null,
  mercado_pago_public_key: null,
  mercado_pago_mode: null,
  mercado_pago_webhook_secret: null,
  telegram_bot_token: null,
  telegram_chat_id: null,
  notificaciones_telegram: null,
  activa: true,
  creada_en: new Date('2025-01-01T00:00:00Z'),
  ...values,
});

describe('import:original arguments', () => {
  const parse = (...argv: string[]) => parseImportOptions(argv, NOW);

  it('accepts the original URL form and durations as RouterOS writes them', () => {
    expect(parse('--from', 'postgresql+asyncpg://u:p@db/pagos', '--default-validity', '1w2d', '--source-timezone', 'America/Mexico_City')).toEqual({
      from: 'postgresql://u:p@db/pagos',
      dryRun: false,
      defaultValiditySeconds: 9 * 86_400,
      sourceTimeZone: 'America/Mexico_City',
    });
    expect(parse('--from', 'postgres://db/x', '--active-until', '2027-01-15T00:00:00-06:00', '--dry-run')).toMatchObject({
      dryRun: true,
      activeUntil: new Date('2027-01-15T06:00:00Z'),
    });
  });

  it.each([
    [[], /--from is required/],
    [['--from', 'mysql://db/x'], /--from must be a PostgreSQL URL/],
    [['--from', 'postgres://db/x', '--source-timezone', 'Mars/Olympus'], /not an IANA time zone/],
    [['--from', 'postgres://db/x', '--default-validity', '0'], /not a duration from 1s to 366d/],
    [['--from', 'postgres://db/x', '--active-until', '2027-01-15 00:00'], /ISO 8601 time with a zone/],
    [['--from', 'postgres://db/x', '--active-until', '2026-01-15T00:00:00Z'], /must be in the future/],
    [['--from', 'postgres://db/x', '--force'], /Unknown option '--force'/],
  ])('refuses %j naming the problem', (argv, message) => {
    expect(() => parse(...argv)).toThrow(UsageError);
    expect(() => parse(...argv)).toThrow(message);
  });
});

describe('import:original companies', () => {
  it('encrypts clear secrets, keeps a Fernet value this service opens, re-encrypts one only the original key opens', () => {
    const ctx = context({ originalMercadoPago: new SecretBox('secret-key', ORIGINAL) });
    const ours = ctx.secrets.encryptMercadoPago('APP_USR-token');
    const theirs = new SecretBox('x', ORIGINAL).encryptMercadoPago('whsec-original');
    const [row] = planCompanies(
      [company({ mercado_pago_access_token: ours, mercado_pago_webhook_secret: theirs, telegram_bot_token: '123:abc', activa: null })],
      ctx,
      emptyAvailable(),
    );
    expect(row.mercadoPagoAccessTokenEncrypted).toBe(ours);
    expect(row.mercadoPagoWebhookSecretEncrypted).not.toBe(theirs);
    expect(ctx.secrets.decrypt(row.mercadoPagoWebhookSecretEncrypted!)).toBe('whsec-original');
    expect(ctx.secrets.decrypt(row.conektaPrivateKeyEncrypted!)).toBe('key_live_abc');
    expect(ctx.secrets.decrypt(row.telegramBotTokenEncrypted!)).toBe('123:abc');
    expect(row.active).toBe(false); // NULL: the original's `if not empresa.activa` refused it
  });

  it('encrypts Mercado Pago values with this service\'s key only when it has none of its own (AES-GCM then)', () => {
    const ctx = context({ secrets: new SecretBox('secret-key') });
    const [row] = planCompanies([company({ mercado_pago_access_token: 'APP_USR-clear' })], ctx, emptyAvailable());
    expect(row.mercadoPagoAccessTokenEncrypted).toMatch(/^v1\./);
  });

  it('refuses a Fernet value no key opens, and a mode that is neither test nor live; its dependants follow', () => {
    const ctx = context();
    const available = emptyAvailable();
    const foreign = new SecretBox('x', ORIGINAL).encryptMercadoPago('APP_USR-token');
    const rows = planCompanies([company({ mercado_pago_access_token: foreign }), company({ id: 'EMP_B', conekta_mode: 'prod' })], ctx, available);
    expect(rows).toEqual([]);
    expect(ctx.report.refused.map((r) => r.text)).toEqual([
      expect.stringMatching(/^mercado_pago_access_token is encrypted with a Fernet key that neither/),
      'conekta_mode "prod" is neither test nor live',
    ]);
    planAdmins([admin({ empresa_id: 'EMP_0123456789' })], ctx, available);
    expect(ctx.report.refused.at(-1)).toEqual({ table: 'usuarios', id: '7', text: 'its company EMP_0123456789 was refused' });
  });
});

const admin = (values: Partial<OriginalAdmin> = {}): OriginalAdmin => ({
  id: 7,
  rol: 'cliente_admin',
  empresa_id: 'EMP_0123456789',
  email: 'Admin@Cafe.mx',
  password_hash: HASH,
  nombre: 'Ana',
  activo: true,
  ultimo_login: null,
  creado_en: null,
  ...values,
});

describe('import:original admins', () => {
  it('keeps id and bcrypt hash, compares emails without case, and skips one already here', () => {
    const available = emptyAvailable();
    available.companies.add('EMP_0123456789');
    const ctx = context({ target: target({ adminEmails: new Map([[1, 'root@x.mx']]), adminIds: new Map([['root@x.mx', 1]]) }) });
    const rows = planAdmins(
      [
        admin({ id: 1, rol: 'super_admin', empresa_id: null, email: 'ROOT@x.mx' }),
        admin(),
        admin({ id: 8, email: 'admin@cafe.mx' }),
        admin({ id: 9, email: 'not an email' }),
        admin({ id: 10, email: 'b@cafe.mx', password_hash: 'plain' }),
      ],
      ctx,
      available,
    );
    expect(rows).toEqual([expect.objectContaining({ id: 7, email: 'admin@cafe.mx', passwordHash: HASH, companyId: 'EMP_0123456789' })]);
    expect(ctx.report.counts.usuarios).toEqual({ imported: 0, skipped: 1, refused: 3 });
    expect(ctx.report.refused.map((r) => r.text)).toEqual([
      'email admin@cafe.mx is already used by admin 7 (emails are compared without case here)',
      '"not an email" is not an email address: this service could never log it in',
      'its password hash is not a bcrypt hash',
    ]);
  });
});

describe('import:original routers', () => {
  const router = (values: Partial<OriginalRouter>): OriginalRouter => ({
    id: 'RTR_A',
    empresa_id: 'EMP_A',
    nombre: 'Lobby',
    host: '10.0.0.1',
    puerto: 8728,
    usuario: 'api',
    password_encrypted: 'router-password',
    ubicacion: null,
    activo: true,
    creado_en: new Date('2025-01-01T00:00:00Z'),
    ...values,
  });

  it('imports a router outside ROUTER_ALLOWED_NETWORKS with a note (the worker refuses to connect), and API-SSL without verification', () => {
    const ctx = context();
    const available = emptyAvailable();
    available.companies.add('EMP_A');
    const rows = planRouters([router({}), router({ id: 'RTR_B', host: '127.0.0.1', puerto: 8729 })], ctx, available);
    expect(rows.map((r) => [r.id, r.useTls, r.tlsVerify])).toEqual([
      ['RTR_A', false, true],
      ['RTR_B', true, false],
    ]);
    expect(ctx.secrets.decrypt(rows[0].apiPasswordEncrypted)).toBe('router-password');
    const notes = ctx.report.notes.filter((n) => n.id === 'RTR_B').map((n) => n.text);
    expect(notes).toEqual([
      expect.stringContaining('outside ROUTER_ALLOWED_NETWORKS'),
      expect.stringContaining('API-SSL (8729) without certificate verification'),
    ]);
    expect(ctx.report.notes.filter((n) => n.id === 'RTR_A')).toEqual([]);
  });
});

describe('import:original router keys', () => {
  const key = (values: Partial<OriginalApiKey>): OriginalApiKey => ({
    key_id: 'key_1',
    empresa_id: 'EMP_A',
    router_id: 'RTR_A',
    key_hash: 'a'.repeat(64),
    issued_at: new Date('2025-01-01T00:00:00Z'),
    expires_at: new Date('2026-01-01T00:00:00Z'),
    revoked: false,
    last_used: null,
    use_count: 3,
    ...values,
  });

  it('keeps the newest unrevoked key of a router, refuses an older one, and imports a NULL-revoked key as revoked', () => {
    const ctx = context();
    const available = emptyAvailable();
    available.companies.add('EMP_A');
    available.routers.set('RTR_A', { companyId: 'EMP_A', name: 'A' });
    const rows = planKeys(
      [
        key({ key_id: 'key_old', key_hash: 'b'.repeat(64) }),
        key({ key_id: 'key_null', key_hash: 'c'.repeat(64), revoked: null, last_used: new Date('2025-06-01T00:00:00Z') }),
        key({ key_id: 'key_new', issued_at: new Date('2025-02-01T00:00:00Z') }),
      ],
      ctx,
      available,
    );
    expect(rows.map((r) => [r.keyId, r.revoked, r.revokedAt?.toISOString() ?? null])).toEqual([
      ['key_null', true, '2025-06-01T00:00:00.000Z'],
      ['key_new', false, null],
    ]);
    expect(ctx.report.refused).toEqual([
      { table: 'api_keys_tracking', id: 'key_old', text: 'router RTR_A has a newer unrevoked key (key_new); only one may be active' },
    ]);
  });
});

describe('import:original sales', () => {
  const sale = (values: Partial<OriginalTransaction>): OriginalTransaction => ({
    id: 1,
    transaccion_id: 'ord_1',
    external_reference: null,
    empresa_id: 'EMP_A',
    router_id: 'RTR_A',
    producto_id: 1,
    monto: '19.99',
    moneda: 'MXN',
    cliente_nombre: 'Ana',
    cliente_email: 'ana@x.mx',
    cliente_telefono: null,
    usuario_hotspot: 'PT-AB123',
    password_hotspot: '1234',
    estado_pago: 'paid',
    estado_hotspot: 'active',
    notification_id: null,
    webhook_processed: false,
    metadata_json: {},
    api_key_usada: 'key_1',
    creada_en: new Date('2025-01-01T06:00:00Z'),
    pagada_en: new Date('2025-01-01T06:00:01Z'),
    usuario_creado_en: new Date('2025-01-01T06:00:00Z'),
    webhook_received_at: null,
    ...values,
  });
  const available = () => {
    const a = emptyAvailable();
    a.companies.add('EMP_A');
    a.routers.set('RTR_A', { companyId: 'EMP_A', name: 'A' });
    a.products.set(1, { companyId: 'EMP_A', routerId: 'RTR_A', profileId: '*1', profileName: '1h', name: '1 hora', currency: 'MXN', validitySeconds: 3600 });
    return a;
  };

  it('tells the gateway as the original did', () => {
    expect(inferGateway({ metadata_json: { gateway: 'mercado_pago' }, external_reference: null, transaccion_id: '123' })).toBe('mercado_pago');
    expect(inferGateway({ metadata_json: {}, external_reference: 'HSEM001', transaccion_id: '123' })).toBe('mercado_pago');
    expect(inferGateway({ metadata_json: {}, external_reference: null, transaccion_id: 'ord_2xY' })).toBe('conekta');
    expect(inferGateway({ metadata_json: {}, external_reference: null, transaccion_id: '123' })).toBeUndefined();
  });

  it('with --active-until, every paid sale is active until then; other outcomes keep their status', () => {
    const ctx = context();
    const until = new Date('2026-12-24T06:00:00Z');
    const rows = planSales(
      [sale({}), sale({ id: 2, transaccion_id: 'ord_2', estado_pago: 'declined' }), sale({ id: 3, transaccion_id: 'ord_3', password_hotspot: '', usuario_hotspot: 'PT-12345' })],
      ctx,
      available(),
      { now: NOW, activeUntil: until },
    );
    expect(rows.map((r) => [r.row.status, r.row.expiresAt, r.row.userType, r.row.amountCents])).toEqual([
      ['active', until, 'usuario_contrasena', 1999],
      ['declined', null, 'usuario_contrasena', 1999],
      ['active', until, 'pin', 1999],
    ]);
    expect(rows[0].detail).toMatchObject({ active_until: until.toISOString() });
  });

  it('without it, a paid sale is active only within its validity; pending and unmanageable ones are refused', () => {
    const ctx = context();
    const recent = new Date(NOW.getTime() - 600_000);
    const rows = planSales(
      [
        sale({}),
        sale({ id: 2, transaccion_id: 'ord_2', usuario_creado_en: recent }),
        sale({ id: 3, transaccion_id: 'ord_3', estado_pago: 'pending_payment' }),
        sale({ id: 4, transaccion_id: 'ord_4', usuario_creado_en: recent, usuario_hotspot: 'bad name' }),
        sale({ id: 5, transaccion_id: '77', estado_pago: 'approved' }),
      ],
      ctx,
      available(),
      { now: NOW },
    );
    expect(rows.map((r) => [r.row.status, r.row.expiresAt?.toISOString()])).toEqual([
      ['expired', '2025-01-01T07:00:00.000Z'],
      ['active', new Date(recent.getTime() + 3_600_000).toISOString()],
    ]);
    expect(ctx.report.refused.map((r) => [r.id, r.text])).toEqual([
      ['3', 'estado_pago "pending_payment" is not final: settle payment ord_3 at Conekta'],
      ['4', 'it is still active, but its hotspot user "bad name" is not a name this service can manage on a router'],
      ['5', 'its gateway cannot be told (no Mercado Pago marks, not a Conekta order id)'],
    ]);
  });
});
