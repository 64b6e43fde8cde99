import { z } from 'zod';
import { migrationsApplied } from '../../db/data-source';
import { probe } from '../../shared/probe';
import type { RouteContext, ZodApp } from '../context';

const Health = z.object({
  status: z.enum(['healthy', 'degraded']),
  database: z.enum(['up', 'down']),
  temporal: z.enum(['up', 'down']),
});
const Readiness = z.object({
  status: z.enum(['ready', 'not_ready']),
  database: z.enum(['up', 'down']),
  temporal: z.enum(['up', 'down']),
  migrations: z.enum(['applied', 'pending']),
});

/**
 * `/` (a status line, as monitors of the previous service read it), `/health` (liveness: always 200 while the process answers, with what is up) and
 * `/ready` (readiness: 503 until the database and Temporal answer and every migration of this code is applied).
 */
export function registerHealthRoutes(app: ZodApp, ctx: RouteContext): void {
  const report = async () => {
    const [database, temporal] = await Promise.all([
      probe(() => ctx.dataSource.query('SELECT 1')),
      probe(async () => {
        if (!(await ctx.workflows.healthy())) throw new Error('down');
      }),
    ]);
    return { status: database === 'up' && temporal === 'up' ? ('healthy' as const) : ('degraded' as const), database, temporal };
  };
  // Applied migrations stay applied: once seen, the probe stops asking.
  let migrated = false;
  const migrations = async (): Promise<'applied' | 'pending'> => {
    migrated ||= await migrationsApplied(ctx.dataSource).catch(() => false);
    return migrated ? 'applied' : 'pending';
  };

  app.get(
    '/',
    {
      schema: {
        tags: ['Health'],
        summary: 'Service status',
        response: {
          200: z.object({ message: z.string(), version: z.string(), status: z.string(), timestamp: z.string(), docs: z.string() }),
        },
      },
    },
    async () => ({
      message: 'Sistema de pagos y gestión de accesos WiFi para hotspots MikroTik',
      version: '3.0.0',
      status: 'running',
      timestamp: new Date().toISOString(),
      docs: '/docs',
    }),
  );

  app.get(
    '/health',
    { schema: { tags: ['Health'], summary: 'Liveness, with the state of the database and Temporal', response: { 200: Health } } },
    report,
  );

  app.get(
    '/ready',
    {
      schema: {
        tags: ['Health'],
        summary: 'Readiness: 503 while the database or Temporal is down or a migration is not applied',
        response: { 200: Readiness, 503: Readiness },
      },
    },
    async (_request, reply) => {
      const [{ database, temporal }, applied] = await Promise.all([report(), migrations()]);
      const ready = database === 'up' && temporal === 'up' && applied === 'applied';
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', database, temporal, migrations: applied });
    },
  );
}
