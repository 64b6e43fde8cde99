import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { ReconcileFindingKind } from '../../domain/reconciliation';
import { ReconciliationFindingEntity, ReconciliationRunEntity } from '../../db/entities';
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
  const findings = deps.dataSource.getRepository(ReconciliationFindingEntity);
  const ejecuciones = await Promise.all(
    runs.map(async (run) => {
      const where = companyId ? { runId: run.id, companyId } : { runId: run.id };
      const listed = await findings.find({ where, order: { id: 'ASC' }, take: FINDINGS_PER_RUN });
      const counts = await countsOf(deps, run.id, companyId);
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
        conteos: counts,
        errores: errors.map((e) => ({ gateway: e.gateway, codigo: e.code })),
        hallazgos: listed.map((f) => ({
          id: Number(f.id),
          tipo: f.kind,
          empresa_id: f.companyId,
          compra_id: f.purchaseId,
          gateway: f.gateway,
          referencia: f.reference,
          detalle: f.detail,
          creado_en: iso(f.createdAt),
        })),
      };
    }),
  );
  return { total, limit, offset, ejecuciones };
}

/** Findings per kind so far (a run still going is counted too), of one company or all. */
async function countsOf(deps: Deps, runId: string, companyId: string | undefined): Promise<Partial<Record<ReconcileFindingKind, number>>> {
  const rows: { kind: ReconcileFindingKind; n: string }[] = await deps.dataSource.query(
    `SELECT kind, count(*) AS n FROM reconciliation_findings WHERE run_id = $1 AND ($2::varchar IS NULL OR company_id = $2) GROUP BY kind`,
    [runId, companyId ?? null],
  );
  return Object.fromEntries(rows.map(({ kind, n }) => [kind, Number(n)]));
}
