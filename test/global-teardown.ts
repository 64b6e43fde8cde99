import { rmSync } from 'node:fs';

interface Services {
  postgres: { stop(): Promise<void> };
  temporal: { stop(): Promise<void> };
  root: string;
}

export default async function globalTeardown(): Promise<void> {
  const services = (globalThis as Record<string, unknown>).__SERVICES__ as Services | undefined;
  if (!services) return;
  await Promise.allSettled([services.temporal.stop(), services.postgres.stop()]);
  rmSync(services.root, { recursive: true, force: true });
}
