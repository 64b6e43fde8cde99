import { z } from 'zod';
import type { RouteContext, ZodApp } from '../context';

const Health = z.object({
  status: z.enum(['healthy', 'degraded']),
  database: z.enum(['up', 'down']),
  temporal: z.enum(['up', 'down']),
});

async function probe(check: () => Promise<unknown>, timeoutMs = 2_000): Promise<'up' | 'down'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
    return 'up';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

/** `/` (a status line, as monitors of the previous service read it), `/health` (what is up), `/health/ready` (503 until everything is up). */
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
    '/health/ready',
    { schema: { tags: ['Health'], summary: 'Readiness: 503 while the database or Temporal is down', response: { 200: Health, 503: Health } } },
    async (_request, reply) => {
      const health = await report();
      return reply.status(health.status === 'healthy' ? 200 : 503).send(health);
    },
  );
}
