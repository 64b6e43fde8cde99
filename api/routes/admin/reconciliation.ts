import { reconciliationRuns, startReconciliation } from '../../admin/reconciliation';
import type { RouteContext, ZodApp } from '../../context';
import { actorOf, ownCompanyId } from '../../plugins/auth';
import { adminSchema } from '../../schemas/admin/common';
import { ReconciliationRunsQuery, ReconciliationRunsResponse, ReconciliationStartedResponse } from '../../schemas/admin/reconciliation';
import { ErrorResponse } from '../../schemas/common';

/**
 * Payment reconciliation runs: a super admin lists every run with all its findings and starts one now; a company
 * admin lists the runs with its own company's findings. The runs themselves are workflows: the API only starts them
 * and reads their rows.
 */
export function registerReconciliationRoutes(app: ZodApp, ctx: RouteContext): void {
  app.get(
    '/admin/reconciliation/runs',
    {
      onRequest: ctx.guards.admin('super_admin'),
      schema: adminSchema(['Super Admin - Conciliación'], {
        summary: 'Payment reconciliation runs, newest first, with counts per kind and their findings',
        querystring: ReconciliationRunsQuery,
        response: { 200: ReconciliationRunsResponse },
      }),
    },
    async (request) => reconciliationRuns(ctx, undefined, request.query),
  );

  app.post(
    '/admin/reconciliation/run',
    {
      onRequest: ctx.guards.admin('super_admin'),
      schema: adminSchema(['Super Admin - Conciliación'], {
        summary: 'Start a payment reconciliation now; it runs in the worker (202 with its id)',
        response: { 202: ReconciliationStartedResponse, 503: ErrorResponse },
      }),
    },
    async (request, reply) => reply.status(202).send(await startReconciliation(ctx, actorOf(request))),
  );

  app.get(
    '/api/v1/admin/reconciliation/runs',
    {
      onRequest: ctx.guards.admin('cliente_admin'),
      schema: adminSchema(['Cliente Admin - Conciliación'], {
        summary: "Payment reconciliation runs, newest first, with the findings about the admin's own company",
        querystring: ReconciliationRunsQuery,
        response: { 200: ReconciliationRunsResponse },
      }),
    },
    async (request) => reconciliationRuns(ctx, ownCompanyId(request), request.query),
  );
}
