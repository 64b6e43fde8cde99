import { createLogger, type Logger } from '../../../shared/logger';
import type { RouterConnection, RouterOsClientOptions } from '../../../activities/routeros/client';
import { RouterEndpointPolicy } from '../../../shared/router-endpoints';
import type { RouterSimulator } from '../../../sandbox/routeros/simulator';

export const CLIENT_OPTIONS: RouterOsClientOptions = {
  connectTimeoutMs: 2000,
  commandTimeoutMs: 2000,
  maxConcurrentPerRouter: 4,
  idleCloseMs: 30_000,
  // The simulators listen on loopback, which the default policy refuses.
  endpoints: new RouterEndpointPolicy(['default', '127.0.0.0/8']),
};

/** The `routers` row of a simulator, as the worker would pass it (password decrypted). */
export function routerOf(sim: RouterSimulator, overrides: Partial<RouterConnection> = {}): RouterConnection {
  return {
    id: `router-${sim.port}`,
    host: sim.host,
    port: sim.port,
    useTls: false,
    tlsVerify: false,
    tlsFingerprint: null,
    user: 'admin',
    password: 'admin',
    ...overrides,
  };
}

/** Sentences the simulator received, logins left out. */
export function commandsSent(sim: RouterSimulator): string[][] {
  return sim.log.filter((entry) => entry.words[0] !== '/login').map((entry) => entry.words);
}

/** A real pino logger whose lines are kept for assertions. */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger({ level: 'debug' }, { write: (line: string) => void lines.push(line) }), lines };
}
