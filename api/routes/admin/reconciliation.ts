import { reconciliationRuns, startReconciliation } from '../../admin/reconciliation';
import type { RouteContext, ZodApp } from '../../context';
import { actorOf, adminOf, ownCompanyId } from '../../plugins/auth';
import { adminSchema } from '../../schemas/admin/common';
import { ReconciliationRunsQuery, ReconciliationRunsResponse, ReconciliationStartedResponse } from '../../schemas/admin/reconciliation';
import { ErrorResponse } from '../../schemas/common';

const TAGS = ['Conciliación con las pasarelas'];

/**
 * Payment reconciliation runs: a super admin lists every run and starts one now; a company admin lists the runs with
 * its own company's findings. The runs themselves are workflows: the API only starts them and reads their rows.
 */
export function registerReconciliationRoutes(app: ZodApp, ctx: RouteContext): void {
  app.get(
    '/api/v1/admin/reconciliation/runs',
    {
      onRequest: ctx.guards.admin('super_admin', 'cliente_admin'),
      schema: adminSchema(TAGS, {
        summary: 'Payment reconciliation runs, newest first, with their findings (a company admin: its own)',
        querystring: ReconciliationRunsQuery,
        response: { 200: ReconciliationRunsResponse },
      }),
    },
    async (request) => {
      const companyId = adminOf(request).user.role === 'super_admin' ? undefined : ownCompanyId(request);
      return reconciliationRuns(ctx, companyId, request.query);
    },
  );

  app.post(
    '/api/v1/admin/reconciliation/run',
    {
      onRequest: ctx.guards.admin('super_admin'),
      schema: adminSchema(TAGS, {
        summary: 'Start a payment reconciliation now; it runs in the worker (202 with its id)',
        response: { 202: ReconciliationStartedResponse, 503: ErrorResponse },
      }),
    },
    async (request, reply) => reply.status(202).send(await startReconciliation(ctx, actorOf(request))),
  );
}
