import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ConfigError, parseConfig } from '../../shared/config';

interface Service {
  ports?: string[];
  environment?: Record<string, string | number>;
  healthcheck?: { test: string[] };
}
const compose = parse(readFileSync(path.resolve(__dirname, '../../docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};

/** `${NAME:-default}` → default, as Compose substitutes it when NAME is unset. */
const substituted = (value: string | number) => String(value).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');

describe('docker-compose.yml', () => {
  it('publishes Temporal (frontend and Web UI) and the monitoring (no authentication) on loopback only', () => {
    for (const name of ['temporal', 'temporal-ui', 'prometheus', 'grafana']) {
      const ports = compose.services[name].ports ?? [];
      expect({ name, ports: ports.filter((p) => !p.startsWith('127.0.0.1:')) }).toEqual({ name, ports: [] });
    }
  });

  it('gives the API and the worker placeholders they refuse to start with, naming each', () => {
    for (const name of ['api', 'worker']) {
      const env = Object.fromEntries(Object.entries(compose.services[name].environment ?? {}).map(([k, v]) => [k, substituted(v)]));
      let problems: string[] = [];
      try {
        parseConfig(env);
      } catch (error) {
        if (error instanceof ConfigError) problems = error.problems;
      }
      expect({ name, problems }).toEqual({
        name,
        problems: ['JWT_APIKEY_SECRET', 'JWT_SESSION_SECRET', 'SECRET_KEY', 'SUPER_ADMIN_INITIAL_PASSWORD'].map(
          (variable) => `${variable} still has the example value: set a secret of your own`,
        ),
      });
    }
  });

  it('checks the API and the worker by their readiness, on the ports they serve it', () => {
    const readiness = (name: string) => /fetch\('http:\/\/127\.0\.0\.1:(\d+)\/ready'\)/.exec(compose.services[name].healthcheck?.test.join(' ') ?? '')?.[1];
    const env = (name: string) => parseConfig({ ...Object.fromEntries(Object.entries(compose.services[name].environment ?? {}).map(([k, v]) => [k, substituted(v)])), ...secrets });
    expect(readiness('api')).toBe(String(env('api').PORT));
    expect(readiness('worker')).toBe(String(env('worker').WORKER_METRICS_PORT));
    expect(env('worker').HOST).toBe('0.0.0.0'); // Prometheus scrapes it from another container
  });
});

/** Real-looking values for the placeholders the configuration refuses. */
const secrets = {
  JWT_APIKEY_SECRET: 'a-real-apikey-secret-0123456789',
  JWT_SESSION_SECRET: 'a-real-session-secret-0123456789',
  SECRET_KEY: 'a-real-secret-key-0123456789',
  SUPER_ADMIN_INITIAL_PASSWORD: 'a-real-password-123',
};
