import { DomainError } from '../../domain/errors';
import { CompanyEntity } from '../../db/entities';
import { recordAudit, type AuditAction, type AuditActor } from '../../db/repositories/audit';
import { maskSecret, type SecretBox } from '../../shared/secrets';
import type { AppDeps } from '../context';

/**
 * The one behaviour of every setter of gateway and notification settings (five routes share it). For each field:
 * absent or null → unchanged; "" → cleared; the mask `********` (a form sent back as it was read) → unchanged;
 * anything else → stored, secrets encrypted. A mode is `test` or `live` and changes only when given, never reset
 * because a form left it out.
 */
export interface CompanySettingsInput {
  conektaPrivateKey?: string | null;
  conektaPublicKey?: string | null;
  conektaMode?: 'test' | 'live';
  mercadoPagoAccessToken?: string | null;
  mercadoPagoPublicKey?: string | null;
  mercadoPagoWebhookSecret?: string | null;
  mercadoPagoMode?: 'test' | 'live';
  telegramBotToken?: string | null;
  telegramChatId?: string | null;
  telegramEnabled?: boolean | null;
}

export type SettingName = keyof CompanySettingsInput;

type Group = 'conekta' | 'mercado_pago' | 'telegram';

interface Field {
  column: keyof CompanyEntity;
  group: Group;
  /** How a secret is encrypted; plain fields are stored as given. */
  secret?: (secrets: SecretBox, value: string) => string;
}

const v1 = (secrets: SecretBox, value: string) => secrets.encrypt(value);

const FIELDS: Record<SettingName, Field> = {
  conektaPrivateKey: { column: 'conektaPrivateKeyEncrypted', group: 'conekta', secret: v1 },
  conektaPublicKey: { column: 'conektaPublicKey', group: 'conekta' },
  conektaMode: { column: 'conektaMode', group: 'conekta' },
  // Mercado Pago values use the Fernet format when its key is configured, so the previous service can still read them.
  mercadoPagoAccessToken: { column: 'mercadoPagoAccessTokenEncrypted', group: 'mercado_pago', secret: (s, v) => s.encryptMercadoPago(v) },
  mercadoPagoPublicKey: { column: 'mercadoPagoPublicKey', group: 'mercado_pago' },
  mercadoPagoWebhookSecret: {
    column: 'mercadoPagoWebhookSecretEncrypted',
    group: 'mercado_pago',
    secret: (s, v) => s.encryptMercadoPago(v),
  },
  mercadoPagoMode: { column: 'mercadoPagoMode', group: 'mercado_pago' },
  telegramBotToken: { column: 'telegramBotTokenEncrypted', group: 'telegram', secret: v1 },
  telegramChatId: { column: 'telegramChatId', group: 'telegram' },
  telegramEnabled: { column: 'telegramEnabled', group: 'telegram' },
};

const AUDIT_ACTIONS: Record<Group, AuditAction> = {
  conekta: 'gateway.conekta_updated',
  mercado_pago: 'gateway.mercado_pago_updated',
  telegram: 'notifications.telegram_updated',
};

const MASK = maskSecret('x');

/** Telegram notifications need both a bot token and a chat id. */
export const TELEGRAM_SETTINGS_MISSING = 'Faltan credenciales (Token o Chat ID)';

/** The columns to write for an input, and the names of the settings it changes. */
export function settingsPatch(secrets: SecretBox, input: CompanySettingsInput): { patch: Partial<CompanyEntity>; changed: SettingName[] } {
  const patch: Record<string, unknown> = {};
  const changed: SettingName[] = [];
  for (const [name, field] of Object.entries(FIELDS) as [SettingName, Field][]) {
    const value = input[name];
    if (value === undefined || value === null) continue;
    if (typeof value === 'string') {
      if (field.secret && value === MASK) continue;
      patch[field.column] = value === '' ? null : field.secret ? field.secret(secrets, value) : value;
    } else {
      patch[field.column] = value;
    }
    changed.push(name);
  }
  return { patch: patch as Partial<CompanyEntity>, changed };
}

/** Company details that are not settings: set when given (`contactEmail`/`contactPhone` may be set to null). */
export type CompanyProfileInput = Partial<Pick<CompanyEntity, 'name' | 'contactEmail' | 'contactPhone'>>;

/** Profile details from a request body (the public Spanish field names); null or "" clears a contact. */
export function profileFrom(body: {
  nombre?: string;
  contacto_email?: string | null;
  contacto_telefono?: string | null;
}): CompanyProfileInput {
  const clearable = (value: string | null | undefined) => (value === undefined ? undefined : value || null);
  const email = body.contacto_email;
  return {
    name: body.nombre,
    contactEmail: clearable(email ? email.toLowerCase() : email),
    contactPhone: clearable(body.contacto_telefono),
  };
}

/**
 * Applies settings (and profile details) to a company in one transaction, recording one audit entry per group
 * changed (field names only, never values). Returns the updated row and the settings changed.
 */
export async function updateCompanySettings(
  ctx: Pick<AppDeps, 'dataSource' | 'secrets'>,
  actor: AuditActor,
  companyId: string,
  input: CompanySettingsInput,
  profile: CompanyProfileInput = {},
): Promise<{ company: CompanyEntity; changed: SettingName[] }> {
  return ctx.dataSource.transaction(async (tx) => {
    const company = await tx.getRepository(CompanyEntity).findOne({ where: { id: companyId }, lock: { mode: 'pessimistic_write' } });
    if (!company) throw new DomainError('NOT_FOUND', 'Empresa no encontrada');
    const { patch, changed } = settingsPatch(ctx.secrets, input);
    const profileFields = (Object.keys(profile) as (keyof CompanyProfileInput)[]).filter((k) => profile[k] !== undefined);
    for (const field of profileFields) Object.assign(company, { [field]: profile[field] });
    Object.assign(company, patch);
    const groups = new Set(changed.map((name) => FIELDS[name].group));
    if (groups.has('telegram') && company.telegramEnabled && (!company.telegramBotTokenEncrypted || !company.telegramChatId)) {
      throw new DomainError('BAD_REQUEST', TELEGRAM_SETTINGS_MISSING);
    }
    if (changed.length > 0 || profileFields.length > 0) {
      company.updatedAt = new Date();
      await tx.getRepository(CompanyEntity).save(company);
    }
    if (profileFields.length > 0) {
      await recordAudit(tx, {
        actor,
        companyId,
        action: 'company.updated',
        targetType: 'company',
        targetId: companyId,
        detail: { fields: profileFields },
      });
    }
    for (const group of groups) {
      await recordAudit(tx, {
        actor,
        companyId,
        action: AUDIT_ACTIONS[group],
        targetType: 'company',
        targetId: companyId,
        detail: { fields: changed.filter((name) => FIELDS[name].group === group) },
      });
    }
    return { company, changed };
  });
}
