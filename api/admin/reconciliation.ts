import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { ReconcileFindingKind } from '../../domain/reconciliation';
import { ReconciliationRunEntity } from '../../db/entities';
import { recordAudit, type AuditActor } from '../../db/repositories/audit';
import type { AppDeps } from '../context';
import { iso, isoOrNull } from '../schemas/admin/common';
import type { ReconciliationRunsQuery, ReconciliationRunsResponse, ReconciliationStartedResponse } from '../schemas/admin/reconciliation';

/** Findings listed with each run; the counts cover them all. */
const FINDINGS_PER_RUN = 100;

type Deps = Pick<AppDeps, 'dataSource' | 'workflows'>;

/**
 * Starts a payment reconciliation now (the worker runs it: the API asks no gateway). Its row is written first, so the
 * run is listed from the moment it is accepted and says who asked for it.
 */
export async function startReconciliation(deps: Deps, actor: AuditActor): Promise<z.output<typeof ReconciliationStartedResponse>> {
  const id = `reconcile-payments-admin-${randomUUID()}`;
  await deps.dataSource.transaction(async (tx) => {
    await tx.insert(ReconciliationRunEntity, { id, trigger: 'admin', requestedBy: actor.email, status: 'running' });
    await recordAudit(tx, { actor, companyId: null, action: 'reconciliation.requested', targetType: 'reconciliation_run', targetId: id });
  });
  try {
    await deps.workflows.startPaymentReconciliation(id);
  } catch (error) {
    await deps.dataSource.getRepository(ReconciliationRunEntity).update({ id }, { status: 'failed', finishedAt: new Date() });
    throw error;
  }
  return { id, estado: 'running' };
}

/**
 * Runs, newest first. A super admin sees every finding; a company admin (`companyId`) only its company's findings and
 * counts, and no account errors but those of its own gateway accounts.
 */
export async function reconciliationRuns(
  deps: Deps,
  companyId: string | undefined,
  query: z.output<typeof ReconciliationRunsQuery>,
): Promise<z.output<typeof ReconciliationRunsResponse>> {
  const { limit, offset } = query;
  const [runs, total] = await deps.dataSource
    .getRepository(ReconciliationRunEntity)
    .findAndCount({ order: { startedAt: 'DESC', id: 'DESC' }, take: limit, skip: offset });
  const runIds = runs.map((run) => run.id);
  const [listed, counts] = await Promise.all([firstFindings(deps, runIds, companyId), countsOf(deps, runIds, companyId)]);
  const ejecuciones = runs.map((run) => {
    const errors = companyId ? run.errors.filter((e) => e.companyIds.includes(companyId)) : run.errors;
    return {
      id: run.id,
      origen: run.trigger,
      estado: run.status,
      iniciada_en: iso(run.startedAt),
      terminada_en: isoOrNull(run.finishedAt),
      ventana_desde: isoOrNull(run.windowFrom),
      ventana_hasta: isoOrNull(run.windowTo),
      llamadas_gateway: run.gatewayCalls,
      conteos: counts.get(run.id) ?? {},
      errores: errors.map((e) => ({ gateway: e.gateway, codigo: e.code })),
      hallazgos: (listed.get(run.id) ?? []).map((f) => ({
        id: Number(f.id),
        tipo: f.kind,
        empresa_id: f.company_id,
        compra_id: f.purchase_id,
        gateway: f.gateway,
        referencia: f.reference,
        detalle: f.detail,
        creado_en: iso(f.created_at),
      })),
    };
  });
  return { total, limit, offset, ejecuciones };
}

interface FindingRow {
  id: string;
  run_id: string;
  kind: ReconcileFindingKind;
  company_id: string | null;
  purchase_id: string | null;
  gateway: string | null;
  reference: string | null;
  detail: Record<string, unknown>;
  created_at: Date;
}

/** The first FINDINGS_PER_RUN findings of each run, of one company or all: one statement for the whole page of runs. */
async function firstFindings(deps: Deps, runIds: string[], companyId: string | undefined): Promise<Map<string, FindingRow[]>> {
  const rows: FindingRow[] = await deps.dataSource.query(
    `SELECT id, run_id, kind, company_id, purchase_id, gateway, reference, detail, created_at
       FROM (SELECT f.*, row_number() OVER (PARTITION BY run_id ORDER BY id) AS n
               FROM reconciliation_findings f
              WHERE run_id = ANY($1) AND ($2::varchar IS NULL OR company_id = $2)) ranked
      WHERE n <= $3
      ORDER BY run_id, id`,
    [runIds, companyId ?? null, FINDINGS_PER_RUN],
  );
  const byRun = new Map<string, FindingRow[]>();
  for (const row of rows) {
    const listed = byRun.get(row.run_id);
    if (listed) listed.push(row);
    else byRun.set(row.run_id, [row]);
  }
  return byRun;
}

/** Findings per kind so far (a run still going is counted too) of each run, of one company or all. */
async function countsOf(deps: Deps, runIds: string[], companyId: string | undefined): Promise<Map<string, Partial<Record<ReconcileFindingKind, number>>>> {
  const rows: { run_id: string; kind: ReconcileFindingKind; n: string }[] = await deps.dataSource.query(
    `SELECT run_id, kind, count(*) AS n FROM reconciliation_findings
      WHERE run_id = ANY($1) AND ($2::varchar IS NULL OR company_id = $2) GROUP BY run_id, kind`,
    [runIds, companyId ?? null],
  );
  const byRun = new Map<string, Partial<Record<ReconcileFindingKind, number>>>();
  for (const { run_id: runId, kind, n } of rows) byRun.set(runId, { ...byRun.get(runId), [kind]: Number(n) });
  return byRun;
}
