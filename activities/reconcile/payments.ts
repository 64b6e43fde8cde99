// The payment reconciliation's activities in one file (a little over 300 lines): the run's three phases — accounts,
// pages of gateway payments, purchases without a workflow — share the same findings table and its one writer.
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { In, LessThan, type DataSource, type EntityManager } from 'typeorm';
import type { GatewayPaymentRecord } from '../../domain/payment';
import { GATEWAYS, type Gateway, type PurchaseGateway, type PurchaseStatus } from '../../domain/purchase';
import type {
  CloseWithoutWorkflowInput,
  PaymentAccount,
  PaymentPageInput,
  PaymentPageResult,
  PaymentReconcilePlan,
  PaymentReconcileReport,
  PurchaseWithoutWorkflow,
  ReconcileFindingKind,
} from '../../domain/reconciliation';
import { paymentNotifiedSignal, WORKFLOW_TYPES } from '../../domain/temporal';
import {
  CompanyEntity,
  PurchaseEntity,
  PurchaseEventEntity,
  ReconciliationFindingEntity,
  ReconciliationRunEntity,
} from '../../db/entities';
import type { Logger } from '../../shared/logger';
import type { WorkerMetrics } from '../../shared/metrics';
import type { GatewayFactory } from '../payments/activities';
import { PaymentGatewayError } from '../payments/gateway';

export interface PaymentReconcileDeps {
  dataSource: DataSource;
  logger: Pick<Logger, 'warn'>;
  gateways: GatewayFactory;
  /** Which gateway account (credential) a company's payments are in: companies sharing a default key share one. */
  gatewayAccount: (company: CompanyEntity, gateway: Gateway) => string | undefined;
  /** How far back each run asks the gateways (PAYMENT_RECONCILE_WINDOW_DAYS). */
  paymentReconcileWindowDays: number;
  metrics: Pick<WorkerMetrics, 'reconcileFound'>;
}

/** Purchases holding money and access, whose workflow must hear of a reversal. */
const DELIVERING: ReadonlySet<PurchaseStatus> = new Set(['paid', 'active']);
/** Purchases that ended without access: an approved charge of theirs is money that must go back. */
const ENDED_UNPAID: ReadonlySet<PurchaseStatus> = new Set(['declined', 'failed', 'cancelled']);
/** Statuses a running purchase workflow holds; the row of an ended workflow must not stay in one. */
/** `created` is among them: the row keeps it through the first try of the charge, which may have taken the money. */
const LIVE: PurchaseWithoutWorkflow['status'][] = ['created', 'charging', 'pending', 'paid', 'active'];
/**
 * A purchase workflow's row is checked against Temporal only once it has not changed for this long: Temporal's list
 * of running workflows lags a moment behind a start, and a workflow closing its row a moment behind its end.
 */
const WORKFLOW_GRACE_MS = 10 * 60_000;
/** Purchases without a workflow closed per run; the next run takes the rest. */
const WITHOUT_WORKFLOW_PER_RUN = 200;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Finding {
  kind: ReconcileFindingKind;
  companyId: string | null;
  purchaseId: string | null;
  gateway: PurchaseGateway;
  reference: string | null;
  detail: Record<string, string | number | boolean | undefined>;
}

/**
 * The payment reconciliation's activities (see workflows/reconcile-payments.ts). Gateway payments are matched to
 * purchases by our metadata (purchase id, company id), never by account alone: companies that share the default
 * Conekta key share one account.
 */
export function createPaymentReconcileActivities(deps: PaymentReconcileDeps) {
  const { dataSource } = deps;
  const companies = dataSource.getRepository(CompanyEntity);
  const purchases = dataSource.getRepository(PurchaseEntity);

  /** A finding in the run, and in the purchase's history when it concerns one. */
  async function record(tx: EntityManager, runId: string, finding: Finding, purchaseStatus?: PurchaseStatus): Promise<void> {
    await tx.insert(ReconciliationFindingEntity, { runId, ...finding });
    if (finding.purchaseId && purchaseStatus) {
      await tx.insert(PurchaseEventEntity, {
        purchaseId: finding.purchaseId,
        type: `reconciled_${finding.kind}`,
        fromStatus: null,
        toStatus: null,
        source: 'reconciliation',
        detail: { ...finding.detail, run_id: runId, reference: finding.reference ?? undefined, status: purchaseStatus },
      });
    }
    deps.metrics.reconcileFound(finding.kind, 1);
  }

  /** Tells a purchase's workflow its payment changed, as a webhook does; false when the workflow is not running. */
  async function hint(purchase: PurchaseEntity, runId: string): Promise<boolean> {
    try {
      await Context.current()
        .client.workflow.getHandle(purchase.workflowId)
        .signal(paymentNotifiedSignal, { eventId: `reconciliation:${runId}`, status: 'reconciliation' });
      return true;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return false;
      throw error;
    }
  }

  /**
   * Refunds an approved charge of a purchase that ended without access, once: the row is locked while the gateway
   * refunds what is still refundable (nothing once another run did), so two runs at once refund it once.
   */
  async function refundUndelivered(runId: string, purchase: PurchaseEntity, payment: GatewayPaymentRecord, via: Gateway): Promise<boolean> {
    const gateway = deps.gateways(await companies.findOneByOrFail({ id: purchase.companyId }), via);
    return dataSource.transaction(async (tx) => {
      const [row] = await tx.query<{ status: PurchaseStatus; refunded_cents: number }[]>(
        `SELECT status, refunded_cents FROM purchases WHERE id = $1 FOR UPDATE`,
        [purchase.id],
      );
      if (!row || !ENDED_UNPAID.has(row.status) || row.refunded_cents >= purchase.amountCents) return false;
      const finding = { companyId: purchase.companyId, purchaseId: purchase.id, gateway: purchase.gateway, reference: payment.reference };
      const detail = { status: row.status, gateway_status: payment.gatewayStatus, amount_cents: payment.amountCents };
      try {
        const refund = await gateway.refund(payment.reference);
        await tx.update(
          PurchaseEntity,
          { id: purchase.id },
          { refundedCents: refund.refundedCents ?? payment.amountCents ?? purchase.amountCents, gatewayStatus: refund.gatewayStatus, updatedAt: new Date() },
        );
        await record(tx, runId, { ...finding, kind: 'charge_refunded', detail: { ...detail, refunded_cents: refund.refundedCents } }, row.status);
        return true;
      } catch (error) {
        if (!(error instanceof PaymentGatewayError) || error.retryable) throw error;
        await record(tx, runId, { ...finding, kind: 'refund_failed', detail: { ...detail, code: error.code } }, row.status);
        return false;
      }
    });
  }

  return {
    /** Opens the run's row (kept when the API opened it first) and lists the gateway accounts to ask. */
    async openPaymentReconciliation(runId: string): Promise<PaymentReconcilePlan> {
      const windowTo = new Date();
      const windowFrom = new Date(windowTo.getTime() - deps.paymentReconcileWindowDays * 86_400_000);
      await dataSource
        .createQueryBuilder()
        .insert()
        .into(ReconciliationRunEntity)
        .values({ id: runId, trigger: 'schedule', status: 'running' })
        .orIgnore()
        .execute();
      await dataSource.getRepository(ReconciliationRunEntity).update({ id: runId }, { windowFrom, windowTo });
      const accounts = new Map<string, PaymentAccount>();
      for (const company of await companies.find({ order: { id: 'ASC' } })) {
        for (const gateway of GATEWAYS) {
          const account = deps.gatewayAccount(company, gateway);
          if (!account) continue;
          const entry = accounts.get(account) ?? { gateway, companyIds: [] };
          entry.companyIds.push(company.id);
          accounts.set(account, entry);
        }
      }
      return { windowFrom: windowFrom.toISOString(), windowTo: windowTo.toISOString(), accounts: [...accounts.values()] };
    },

    /** One page of an account's payments changed in the window, each compared with its purchase and acted on. */
    async reconcilePaymentPage(input: PaymentPageInput): Promise<PaymentPageResult> {
      const { runId, account } = input;
      const company = await companies.findOneByOrFail({ id: account.companyIds[0] });
      const page = await deps.gateways(company, account.gateway).searchPayments({
        updatedFrom: input.windowFrom,
        updatedTo: input.windowTo,
        cursor: input.cursor,
      });
      const result: PaymentPageResult = { listed: page.items.length, gatewayCalls: 1, refunded: [], nextCursor: page.nextCursor };
      const ours = page.items.filter(
        (p): p is GatewayPaymentRecord & { purchaseId: string } =>
          p.purchaseId !== undefined && UUID.test(p.purchaseId) && (p.companyId === undefined || account.companyIds.includes(p.companyId)),
      );
      const rows = ours.length ? await purchases.findBy({ id: In(ours.map((p) => p.purchaseId)) }) : [];
      const byId = new Map(rows.map((row) => [row.id, row]));
      for (const payment of ours) {
        Context.current().heartbeat();
        const purchase = byId.get(payment.purchaseId);
        if (!purchase || purchase.gateway !== account.gateway || !account.companyIds.includes(purchase.companyId)) {
          await dataSource.transaction((tx) =>
            record(tx, runId, {
              kind: 'unknown_payment',
              companyId: payment.companyId ?? null,
              purchaseId: null,
              gateway: account.gateway,
              reference: payment.reference,
              detail: { purchase_id: payment.purchaseId, status: payment.status, amount_cents: payment.amountCents, created_at: payment.createdAt },
            }),
          );
          continue;
        }
        if (payment.reversal && DELIVERING.has(purchase.status)) {
          const told = await hint(purchase, runId);
          await dataSource.transaction((tx) =>
            record(
              tx,
              runId,
              {
                kind: 'reversal_found',
                companyId: purchase.companyId,
                purchaseId: purchase.id,
                gateway: purchase.gateway,
                reference: payment.reference,
                detail: { reversal: payment.reversal, gateway_status: payment.gatewayStatus, refunded_cents: payment.refundedCents, workflow_told: told },
              },
              purchase.status,
            ),
          );
        } else if (payment.status === 'approved' && !payment.reversal && ENDED_UNPAID.has(purchase.status)) {
          result.gatewayCalls += 1;
          if (await refundUndelivered(runId, purchase, payment, account.gateway)) result.refunded.push(purchase.id);
        }
      }
      return result;
    },

    /**
     * Purchases in a live status, unchanged for a while, whose workflow is not running: Temporal's list of running
     * purchase workflows narrows them down, and each is confirmed by describing its workflow.
     */
    async findPurchasesWithoutWorkflow(): Promise<PurchaseWithoutWorkflow[]> {
      const rows = await purchases.find({
        where: { status: In(LIVE), updatedAt: LessThan(new Date(Date.now() - WORKFLOW_GRACE_MS)) },
        select: { id: true, workflowId: true, status: true, expiresAt: true },
        order: { updatedAt: 'ASC' },
      });
      if (rows.length === 0) return [];
      const { client } = Context.current();
      const running = new Set<string>();
      for await (const execution of client.workflow.list({ query: `WorkflowType = '${WORKFLOW_TYPES.purchase}' AND ExecutionStatus = 'Running'` })) {
        running.add(execution.workflowId);
        if (running.size % 1000 === 0) Context.current().heartbeat();
      }
      const found: PurchaseWithoutWorkflow[] = [];
      for (const row of rows) {
        if (running.has(row.workflowId)) continue;
        try {
          if ((await client.workflow.getHandle(row.workflowId).describe()).status.name === 'RUNNING') continue;
        } catch (error) {
          if (!(error instanceof WorkflowNotFoundError)) throw error;
          // A row whose workflow never started took no money: the router reconciliation closes it (NOT_STARTED).
          if (row.status === 'created') continue;
        }
        const status = row.status as PurchaseWithoutWorkflow['status'];
        found.push({ purchaseId: row.id, status, expired: (row.expiresAt?.getTime() ?? 0) <= Date.now(), voucher: row.gateway === 'voucher' });
        if (found.length >= WITHOUT_WORKFLOW_PER_RUN) break;
      }
      return found;
    },

    /** Closes the row of a purchase without a workflow, if it is still where the run found it. */
    async closePurchaseWithoutWorkflow(input: CloseWithoutWorkflowInput): Promise<boolean> {
      return dataSource.transaction(async (tx) => {
        const row = await tx.findOne(PurchaseEntity, { where: { id: input.purchaseId }, lock: { mode: 'pessimistic_write' } });
        if (!row || row.status !== input.from) return false;
        const { endedAt, refundedCents, gatewayStatus, nextActionUrl } = input.fields;
        await tx.update(
          PurchaseEntity,
          { id: input.purchaseId },
          {
            status: input.to,
            statusReason: input.reason,
            endedAt: new Date(endedAt),
            ...(refundedCents !== undefined ? { refundedCents } : {}),
            ...(gatewayStatus !== undefined ? { gatewayStatus } : {}),
            ...(nextActionUrl === null ? { nextActionUrl: null } : {}),
            updatedAt: new Date(),
          },
        );
        await tx.insert(PurchaseEventEntity, {
          purchaseId: input.purchaseId,
          type: 'status_changed',
          fromStatus: input.from,
          toStatus: input.to,
          source: 'reconciliation',
          detail: { reason: input.reason, run_id: input.runId },
        });
        await record(
          tx,
          input.runId,
          {
            kind: 'workflow_gone',
            companyId: row.companyId,
            purchaseId: row.id,
            gateway: row.gateway,
            reference: row.gatewayReference,
            detail: { from: input.from, to: input.to, reason: input.reason, refunded_cents: refundedCents },
          },
          input.to,
        );
        return true;
      });
    },

    /** Writes the run's tally (findings per kind, from its findings) and closes it. */
    async closePaymentReconciliation(report: PaymentReconcileReport): Promise<PaymentReconcileReport> {
      const counted: { kind: ReconcileFindingKind; n: string }[] = await dataSource.query(
        `SELECT kind, count(*) AS n FROM reconciliation_findings WHERE run_id = $1 GROUP BY kind ORDER BY kind`,
        [report.runId],
      );
      const counts = Object.fromEntries(counted.map(({ kind, n }) => [kind, Number(n)]));
      await dataSource.getRepository(ReconciliationRunEntity).update(
        { id: report.runId },
        { status: report.errors.length ? 'failed' : 'completed', counts, errors: report.errors, gatewayCalls: report.gatewayCalls, finishedAt: new Date() },
      );
      return { ...report, counts };
    },
  };
}
