import type { DataSource } from 'typeorm';
import { AdminUserEntity, CompanyEntity, ProductEntity, RouterApiKeyEntity, RouterEntity } from '../../db/entities';
import { parseRouterDuration } from '../../domain/durations';
import type { RouterProbeResult } from '../../domain/operations';
import { purchaseTiming, type PurchaseWorkflowInput } from '../../domain/temporal';
import type { Config } from '../../shared/config';
import { RouterEndpointPolicy } from '../../shared/router-endpoints';
import { SecretBox } from '../../shared/secrets';
import type { ImportOptions } from './options';
import {
  describeSeconds,
  emptyAvailable,
  planAdmins,
  planCompanies,
  planKeys,
  planProducts,
  planRouters,
  type Available,
  type PlanContext,
  type Validity,
} from './plan';
import { ImportReport } from './report';
import { importedPurchaseId, planSales, type PlannedSale } from './sales';
import { readOriginalDatabase, type OriginalData, type OriginalProduct, type OriginalTable } from './source';
import {
  activeImportedPurchases,
  advanceSequences,
  auditImport,
  insertMissing,
  insertPurchases,
  loadTargetState,
  type ProductRow,
  type PurchaseRow,
} from './target';
import type { ImportTemporal } from './temporal';

export interface ImportDeps {
  config: Config;
  /** This service's database (DATABASE_URL), migrated. */
  dataSource: DataSource;
  /** Temporal, for a real run: the worker reads router profiles and runs the adopted customers' workflows. */
  temporal?: ImportTemporal;
  /** The original's ENCRYPTION_KEY_MERCADO_PAGO, when this service uses another one (or none). */
  originalMercadoPagoKey?: string;
  now?: () => Date;
}

/** A condition that stops the import before it writes anything (no worker, Temporal down). */
export class ImportStopped extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportStopped';
  }
}

/** Routers probed at once: each probe holds a worker slot for up to a few seconds. */
const PROBE_CONCURRENCY = 4;
/** Workflow starts in flight at once. */
const START_CONCURRENCY = 16;

/**
 * `npm run import:original`: reads the original service's database and writes what is missing here, table by table
 * (companies → admins → routers → keys → products → sales), then starts the purchase workflow of every customer still
 * active, which takes over its hotspot user on the router. Idempotent: ids are kept (or, for sales, derived), rows
 * already here are skipped, workflow starts are deduplicated by id, so an interrupted run is simply run again.
 */
export async function importOriginal(options: ImportOptions, deps: ImportDeps): Promise<ImportReport> {
  const { config, dataSource } = deps;
  const now = deps.now?.() ?? new Date();
  const report = new ImportReport(options.dryRun);
  const data = await readOriginalDatabase(options.from, options.sourceTimeZone);
  const temporal = options.dryRun ? undefined : await requireWorker(deps.temporal, config.TEMPORAL_TASK_QUEUE);

  const purchaseIds = data.transacciones.map((t) => importedPurchaseId(t.empresa_id, t.id));
  const secrets = new SecretBox(config.SECRET_KEY, config.ENCRYPTION_KEY_MERCADO_PAGO || undefined);
  const ctx: PlanContext = {
    report,
    target: await loadTargetState(dataSource, data, purchaseIds),
    secrets,
    originalMercadoPago: deps.originalMercadoPagoKey ? new SecretBox(config.SECRET_KEY, deps.originalMercadoPagoKey) : undefined,
    routerEndpoints: new RouterEndpointPolicy(config.ROUTER_ALLOWED_NETWORKS),
  };
  const available = emptyAvailable();
  // A planned row not written was made meanwhile by someone else: left as it is, like one already here.
  const counted = (table: OriginalTable, planned: number, written: number) => {
    report.imported(table, written);
    for (let i = written; i < planned; i++) report.skip(table);
  };
  const write = async <T extends object>(table: OriginalTable, entity: Parameters<typeof insertMissing>[1], rows: T[]) =>
    counted(table, rows.length, options.dryRun ? rows.length : await insertMissing(dataSource, entity, rows));

  await write('empresas', CompanyEntity, planCompanies(data.empresas, ctx, available));
  await write('usuarios', AdminUserEntity, planAdmins(data.usuarios, ctx, available));
  await write('routers', RouterEntity, planRouters(data.routers, ctx, available));
  await write('api_keys_tracking', RouterApiKeyEntity, planKeys(data.api_keys_tracking, ctx, available));

  const validityOf = await productValidity(data.productos, ctx, available, temporal, options.defaultValiditySeconds);
  const products = planProducts(data.productos, ctx, available, validityOf);
  await write('productos', ProductEntity, options.dryRun ? products : products.map((p) => decided(p, 'validitySeconds') as ProductRow));

  const sales = planSales(data.transacciones, ctx, available, { now, activeUntil: options.activeUntil });
  if (options.dryRun) {
    report.imported('transacciones', sales.length);
    report.adoption.candidates = sales.filter((s) => s.row.status === 'active').length;
    report.adoption.undecided = sales.filter((s) => s.row.status === 'undecided').length;
  } else {
    const rows = sales.map((s) => ({ row: decided(decided(s.row, 'status'), 'validitySeconds') as PurchaseRow, detail: s.detail }));
    counted('transacciones', rows.length, await insertPurchases(dataSource, rows));
    await advanceSequences(dataSource);
    await adopt(dataSource, temporal!, config, report);
  }

  addTodo(report, data, sales, config, available.companies);
  if (!options.dryRun && report.changed) {
    await auditImport(dataSource, { counts: report.counts, adopted: report.adoption.started, refused: report.refused.length });
  }
  return report;
}

async function requireWorker(temporal: ImportTemporal | undefined, taskQueue: string): Promise<ImportTemporal> {
  if (!temporal) throw new ImportStopped('Temporal is needed for an import (a dry run does without)');
  let polling: boolean;
  try {
    polling = await temporal.workerPolling();
  } catch (error) {
    throw new ImportStopped(`Temporal cannot be reached (${(error as Error).message}): check TEMPORAL_ADDRESS`);
  }
  if (!polling) {
    throw new ImportStopped(
      `no worker polls the task queue "${taskQueue}": start the worker (npm run start:worker) with this configuration, then run the import again`,
    );
  }
  return temporal;
}

/** A value a dry run may leave open (`undefined`, `'undecided'`) must be decided before anything is written. */
function decided<T extends object, K extends keyof T>(row: T, key: K): T {
  if (row[key] === undefined || row[key] === 'undecided') throw new Error(`${String(key)} undecided in a real import`);
  return row;
}

/**
 * Each new product's validity: the session-timeout of its hotspot profile, read on its router through the worker;
 * otherwise --default-validity, said so; otherwise the product is refused. Never guessed. A dry run reads no router.
 */
async function productValidity(
  products: OriginalProduct[],
  ctx: PlanContext,
  available: Available,
  temporal: ImportTemporal | undefined,
  fallback: number | undefined,
): Promise<(product: OriginalProduct) => Validity> {
  const probes = new Map<string, RouterProbeResult>();
  if (temporal) {
    const needed = products.filter((p) => !ctx.target.products.has(p.id) && available.routers.has(p.router_id));
    const routers = [...new Set(needed.map((p) => p.router_id))];
    await inBatches(routers, PROBE_CONCURRENCY, async (routerId) => probes.set(routerId, await temporal.probeRouter(routerId)));
  }
  const otherwise = fallback ? `, else --default-validity ${describeSeconds(fallback)}` : '; refused if it has none (unless --default-validity is given)';
  return (product) => {
    const name = product.perfil_mikrotik_nombre;
    const probe = probes.get(product.router_id);
    if (!probe) return { later: `validity to be read at import from the session-timeout of profile "${name}" on router ${product.router_id}${otherwise}` };
    let why: string;
    if (!probe.ok) {
      why = `router ${product.router_id} could not be read (${probe.message})`;
    } else {
      const profile = probe.profiles.find((p) => p.name === name);
      const seconds = profile?.sessionTimeout ? parseRouterDuration(profile.sessionTimeout) : undefined;
      if (seconds) return { seconds, note: `validity ${describeSeconds(seconds)}: the session-timeout of profile "${name}"` };
      why = profile ? `profile "${name}" has no session-timeout` : `profile "${name}" is not on router ${product.router_id}`;
    }
    if (fallback) return { seconds: fallback, note: `validity ${describeSeconds(fallback)} from --default-validity: ${why}` };
    return { refused: `its validity is unknown: ${why}; give --default-validity` };
  };
}

/** Starts the workflow of every imported purchase still active (new ones, and any an interrupted run left unstarted). */
async function adopt(dataSource: DataSource, temporal: ImportTemporal, config: Config, report: ImportReport): Promise<void> {
  const active = await activeImportedPurchases(dataSource);
  report.adoption.candidates = active.length;
  await inBatches(active, START_CONCURRENCY, async (p) => {
    const input: PurchaseWorkflowInput = {
      purchaseId: p.id,
      companyId: p.company_id,
      routerId: p.router_id,
      gateway: p.gateway,
      timing: purchaseTiming(config),
      adopted: { expiresAt: p.expires_at.toISOString() },
    };
    if (await temporal.startAdopted(p.workflow_id, input)) report.adoption.started += 1;
    else report.adoption.alreadyStarted += 1;
  });
}

async function inBatches<T>(items: T[], size: number, each: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(each));
}

/** What the operator must still do, from what this data holds. */
function addTodo(report: ImportReport, data: OriginalData, sales: PlannedSale[], config: Config, companies: Set<string>): void {
  const base = config.PUBLIC_BASE_URL;
  const todo = report.todo;
  if (report.refused.length > 0) {
    todo.push('Fix or settle the refused rows listed above, then run the import again: what is already imported is skipped.');
  }
  if (data.api_keys_tracking.some((k) => k.revoked === false)) {
    todo.push(
      `Point the captive portals at ${base} (same paths, same keys). Their router keys keep working only while JWT_APIKEY_SECRET and JWT_ALGORITHM are the original service's.`,
    );
  }
  const keyed = new Set(data.api_keys_tracking.filter((k) => k.revoked === false).map((k) => k.router_id));
  const keyless = data.routers.filter((r) => companies.has(r.empresa_id) && !keyed.has(r.id)).map((r) => r.id);
  if (keyless.length > 0) todo.push(`Routers without an active API key (issue one and put it in their portal): ${keyless.join(', ')}.`);
  const imported = data.empresas.filter((c) => companies.has(c.id));
  const mercadoPago = imported.filter((c) => c.mercado_pago_access_token).map((c) => c.id);
  if (mercadoPago.length > 0) {
    todo.push(
      `Mercado Pago (${mercadoPago.join(', ')}): new payments carry this service's notification URL; if an application's Webhooks panel has a URL, set it to ${base}/api/v1/webhook/mercado-pago (the signing secret was imported). Notices of sales made before the move still go to the original's URL: check their refunds and charge-backs in Mercado Pago's panel.`,
    );
  }
  const conekta = imported.filter((c) => c.conekta_private_key && !c.conekta_private_key.startsWith('key_test_default')).map((c) => c.id);
  if (conekta.length > 0) {
    todo.push(
      `Conekta (${conekta.join(', ')}): add the webhook ${base}/api/v1/webhook/conekta in Conekta's panel, then have each company admin create its signing key (POST /api/v1/admin/mi-empresa/conekta/webhook-key).`,
    );
  }
  const logos = imported.filter((c) => c.logo_url).map((c) => c.id);
  if (logos.length > 0) {
    todo.push(
      `Copy the original server's static/logos/ folder here and store the company logos (${logos.join(', ')}) with npm run import:logos -- <that folder> (only PNG, JPEG and WEBP files are taken), or have the companies upload them again.`,
    );
  }
  if (report.notes.some((n) => n.table === 'routers')) {
    todo.push('Routers on API-SSL (8729) connect without certificate verification, as before (see the notes): pin or install their certificates.');
  }
  const ended = sales.filter((s) => s.row.hotspotUsername && s.row.status !== 'active' && s.row.status !== 'undecided');
  if (ended.length > 0) {
    const byRouter = new Map<string, string[]>();
    for (const s of ended) byRouter.set(s.row.routerId!, [...(byRouter.get(s.row.routerId!) ?? []), s.row.hotspotUsername!]);
    const listed = [...byRouter].map(([router, names]) => `${router}: ${names.slice(0, 20).join(', ')}${names.length > 20 ? ` and ${names.length - 20} more` : ''}`);
    todo.push(
      `The original never removed hotspot users: users of ${ended.length} sales whose access has ended (expired, declined, refunded, charged back) may still be on their routers (${listed.join('; ')}). This service removes only the users it tagged: remove these on the routers, or give them time with --active-until on the first import.`,
    );
  }
  if (data.usuarios.some((u) => u.rol === 'super_admin')) {
    todo.push('Start the API after the import: it creates the SUPER_ADMIN_INITIAL_* admin only when no super admin exists (the original\'s keep their passwords).');
  }
}
