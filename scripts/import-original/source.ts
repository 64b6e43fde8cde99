import { Client } from 'pg';
import { UsageError } from './options';

/**
 * The original service's tables, read as its SQLAlchemy models define them (app/models/ of the original repository).
 * Its times are naive `timestamp without time zone` from two clocks: columns filled by the database default
 * (`CURRENT_TIMESTAMP`, e.g. `creada_en`) hold the database server's local time, columns set by its Python code
 * (`datetime.utcnow()`, e.g. `pagada_en`) hold UTC. PostgreSQL converts both here (`AT TIME ZONE`), so every time
 * leaves this file as an instant. Columns the original added by hand after its first release may be missing from an
 * old database: they read as NULL.
 */

type Kind = 'value' | 'local' | 'utc';

const TABLES = {
  empresas: {
    id: 'value', nombre: 'value', contacto_email: 'value', contacto_telefono: 'value', logo_url: 'value',
    conekta_private_key: 'value', conekta_public_key: 'value', conekta_mode: 'value',
    mercado_pago_access_token: 'value', mercado_pago_public_key: 'value', mercado_pago_mode: 'value',
    mercado_pago_webhook_secret: 'value', telegram_bot_token: 'value', telegram_chat_id: 'value',
    notificaciones_telegram: 'value', activa: 'value', creada_en: 'local',
  },
  usuarios: {
    id: 'value', rol: 'value', empresa_id: 'value', email: 'value', password_hash: 'value', nombre: 'value',
    activo: 'value', ultimo_login: 'utc', creado_en: 'local',
  },
  routers: {
    id: 'value', empresa_id: 'value', nombre: 'value', host: 'value', puerto: 'value', usuario: 'value',
    password_encrypted: 'value', ubicacion: 'value', activo: 'value', creado_en: 'local',
  },
  api_keys_tracking: {
    key_id: 'value', empresa_id: 'value', router_id: 'value', key_hash: 'value', issued_at: 'utc', expires_at: 'utc',
    revoked: 'value', last_used: 'utc', use_count: 'value',
  },
  productos: {
    id: 'value', empresa_id: 'value', router_id: 'value', perfil_mikrotik_id: 'value', perfil_mikrotik_nombre: 'value',
    nombre_venta: 'value', descripcion: 'value', imagen_url: 'value', precio: 'value', moneda: 'value',
    detalles: 'value', activo: 'value', orden_visual: 'value', destacado: 'value', creado_en: 'local',
  },
  transacciones: {
    id: 'value', transaccion_id: 'value', external_reference: 'value', empresa_id: 'value', router_id: 'value',
    producto_id: 'value', monto: 'value', moneda: 'value', cliente_nombre: 'value', cliente_email: 'value',
    cliente_telefono: 'value', usuario_hotspot: 'value', password_hotspot: 'value', estado_pago: 'value',
    estado_hotspot: 'value', notification_id: 'value', webhook_processed: 'value', metadata_json: 'value',
    api_key_usada: 'value', creada_en: 'local', pagada_en: 'utc', usuario_creado_en: 'utc', webhook_received_at: 'utc',
  },
} as const satisfies Record<string, Record<string, Kind>>;

export type OriginalTable = keyof typeof TABLES;
export const ORIGINAL_TABLES = Object.keys(TABLES) as OriginalTable[];

/** Columns every version of the original had: without them this is not its database. */
const REQUIRED: Record<OriginalTable, string[]> = {
  empresas: ['id', 'nombre', 'conekta_private_key'],
  usuarios: ['id', 'rol', 'email', 'password_hash'],
  routers: ['id', 'empresa_id', 'host', 'usuario', 'password_encrypted'],
  api_keys_tracking: ['key_id', 'router_id', 'key_hash', 'expires_at', 'revoked'],
  productos: ['id', 'router_id', 'perfil_mikrotik_nombre', 'precio'],
  transacciones: ['id', 'empresa_id', 'router_id', 'monto', 'estado_pago'],
};

const ORDER: Record<OriginalTable, string> = {
  empresas: 'id',
  usuarios: 'id',
  routers: 'id',
  api_keys_tracking: 'issued_at, key_id',
  productos: 'id',
  transacciones: 'id',
};

export interface OriginalCompany {
  id: string;
  nombre: string | null;
  contacto_email: string | null;
  contacto_telefono: string | null;
  logo_url: string | null;
  conekta_private_key: string | null;
  conekta_public_key: string | null;
  conekta_mode: string | null;
  mercado_pago_access_token: string | null;
  mercado_pago_public_key: string | null;
  mercado_pago_mode: string | null;
  mercado_pago_webhook_secret: string | null;
  telegram_bot_token: string | null;
  telegram_chat_id: string | null;
  notificaciones_telegram: boolean | null;
  activa: boolean | null;
  creada_en: Date | null;
}

export interface OriginalAdmin {
  id: number;
  rol: string;
  empresa_id: string | null;
  email: string;
  password_hash: string;
  nombre: string | null;
  activo: boolean | null;
  ultimo_login: Date | null;
  creado_en: Date | null;
}

export interface OriginalRouter {
  id: string;
  empresa_id: string;
  nombre: string | null;
  host: string;
  puerto: number | null;
  usuario: string;
  password_encrypted: string;
  ubicacion: string | null;
  activo: boolean | null;
  creado_en: Date | null;
}

export interface OriginalApiKey {
  key_id: string;
  empresa_id: string | null;
  router_id: string;
  key_hash: string;
  issued_at: Date | null;
  expires_at: Date;
  revoked: boolean | null;
  last_used: Date | null;
  use_count: number | null;
}

export interface OriginalProduct {
  id: number;
  empresa_id: string | null;
  router_id: string;
  perfil_mikrotik_id: string | null;
  perfil_mikrotik_nombre: string;
  nombre_venta: string | null;
  descripcion: string | null;
  imagen_url: string | null;
  /** numeric(10,2) as text: exact. */
  precio: string;
  moneda: string | null;
  detalles: unknown;
  activo: boolean | null;
  orden_visual: number | null;
  destacado: boolean | null;
  creado_en: Date | null;
}

export interface OriginalTransaction {
  id: number;
  transaccion_id: string | null;
  external_reference: string | null;
  empresa_id: string;
  router_id: string;
  producto_id: number | null;
  /** numeric(10,2) as text: exact. */
  monto: string;
  moneda: string | null;
  cliente_nombre: string | null;
  cliente_email: string | null;
  cliente_telefono: string | null;
  usuario_hotspot: string | null;
  password_hotspot: string | null;
  estado_pago: string | null;
  estado_hotspot: string | null;
  notification_id: string | null;
  webhook_processed: boolean | null;
  metadata_json: unknown;
  api_key_usada: string | null;
  creada_en: Date | null;
  pagada_en: Date | null;
  usuario_creado_en: Date | null;
  webhook_received_at: Date | null;
}

export interface OriginalData {
  empresas: OriginalCompany[];
  usuarios: OriginalAdmin[];
  routers: OriginalRouter[];
  api_keys_tracking: OriginalApiKey[];
  productos: OriginalProduct[];
  transacciones: OriginalTransaction[];
}

/** Connects to the original database, checks it is one, and reads every row of its six tables. */
export async function readOriginalDatabase(url: string, sourceTimeZone: string | undefined): Promise<OriginalData> {
  const client = new Client({ connectionString: url, application_name: 'pagos-hotspot-import', connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new UsageError(`--from: cannot connect to the original database (${(error as Error).message})`);
  }
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const present = await columnsByTable(client);
    await requireTimeZone(client, present, sourceTimeZone);
    const data: Record<string, unknown[]> = {};
    for (const table of ORIGINAL_TABLES) {
      const columns = Object.entries(TABLES[table]).map(([name, kind]) => select(name, kind, present.get(table)!));
      const sql = `SELECT ${columns.join(', ')} FROM ${table} ORDER BY ${ORDER[table]}`;
      const { rows } = await client.query(sql, sql.includes('$1') ? [sourceTimeZone ?? 'UTC'] : []);
      data[table] = rows;
    }
    await client.query('COMMIT');
    return data as unknown as OriginalData;
  } finally {
    await client.end();
  }
}

function select(name: string, kind: Kind, present: Set<string>): string {
  if (!present.has(name)) return `NULL AS ${name}`;
  if (kind === 'local') return `(${name} AT TIME ZONE $1::text) AS ${name}`;
  if (kind === 'utc') return `(${name} AT TIME ZONE 'UTC') AS ${name}`;
  return name;
}

async function columnsByTable(client: Client): Promise<Map<OriginalTable, Set<string>>> {
  const { rows } = await client.query<{ table_name: OriginalTable; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = ANY($1)`,
    [ORIGINAL_TABLES],
  );
  const present = new Map<OriginalTable, Set<string>>();
  for (const row of rows) {
    if (!present.has(row.table_name)) present.set(row.table_name, new Set());
    present.get(row.table_name)!.add(row.column_name);
  }
  const missing = ORIGINAL_TABLES.flatMap((table) => {
    const columns = present.get(table);
    if (!columns) return [`table ${table}`];
    return REQUIRED[table].filter((c) => !columns.has(c)).map((c) => `${table}.${c}`);
  });
  if (missing.length > 0) {
    throw new UsageError(`--from: this is not the original service's database (missing ${missing.join(', ')})`);
  }
  return present;
}

/** The database-default times are local to the original server: their zone must be given once there are rows. */
async function requireTimeZone(client: Client, present: Map<OriginalTable, Set<string>>, sourceTimeZone: string | undefined): Promise<void> {
  if (sourceTimeZone !== undefined) {
    try {
      await client.query(`SELECT now() AT TIME ZONE $1::text`, [sourceTimeZone]);
    } catch {
      throw new UsageError(`--source-timezone: PostgreSQL does not know the time zone "${sourceTimeZone}"`);
    }
    return;
  }
  const local = ORIGINAL_TABLES.flatMap((table) =>
    Object.entries(TABLES[table])
      .filter(([name, kind]) => kind === 'local' && present.get(table)!.has(name))
      .map(([name]) => `SELECT 1 FROM ${table} WHERE ${name} IS NOT NULL`),
  );
  const { rows } = await client.query<{ naive: boolean }>(`SELECT EXISTS (${local.join(' UNION ALL ')}) AS naive`);
  if (!rows[0].naive) return;
  const { rows: zone } = await client.query<{ TimeZone: string }>('SHOW TimeZone');
  throw new UsageError(
    `--source-timezone is required: the original tables hold times without a zone, taken on the original database server ` +
      `(its TimeZone setting is "${zone[0].TimeZone}"; give that zone unless the server ran with another one)`,
  );
}
