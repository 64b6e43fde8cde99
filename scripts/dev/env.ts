import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'dotenv';

/**
 * The settings of `npm run dev`: what the developer configured (real environment over `.env`, as the API and the
 * worker read them) plus values generated once into `.dev/dev.env` and reused on every later run, so sessions,
 * encrypted secrets and the embedded database keep working across restarts.
 */

export type Env = Record<string, string | undefined>;

const password = () => randomBytes(12).toString('base64url');
const secret = () => randomBytes(32).toString('hex');

/** Configuration variables the services require; generated only when the developer left them unset or empty. */
const GENERATED_CONFIG: Record<string, () => string> = {
  JWT_APIKEY_SECRET: secret,
  JWT_SESSION_SECRET: secret,
  SECRET_KEY: secret,
  // A Fernet key is 32 bytes in URL-safe base64 with its padding.
  ENCRYPTION_KEY_MERCADO_PAGO: () => `${randomBytes(32).toString('base64url')}=`,
  SUPER_ADMIN_INITIAL_EMAIL: () => 'superadmin@pagos-hotspot.test',
  SUPER_ADMIN_INITIAL_PASSWORD: password,
};

/** Values only the dev stack uses (never passed to the API or the worker). */
const GENERATED_DEV = {
  DEV_POSTGRES_PASSWORD: password,
  DEV_COMPANY_ADMIN_EMAIL: () => 'admin@cafe-demo.test',
  DEV_COMPANY_ADMIN_PASSWORD: password,
  DEV_ROUTER_API_PASSWORD: password,
  DEV_MERCADO_PAGO_WEBHOOK_SECRET: secret,
};
export type DevValue = keyof typeof GENERATED_DEV;

const HEADER = [
  '# Generated once by `npm run dev` and reused on every run (git-ignored). Values set in the environment or in .env',
  '# win over these. Deleting this file makes the embedded database and the stored secrets unreadable: delete .dev/',
  '# as a whole to start over.',
];

export class DevEnvironment {
  /** Real environment over `.env`: what the developer set. */
  readonly configured: Env;
  private readonly state: Record<string, string>;

  private constructor(
    private readonly stateFile: string,
    root: string,
  ) {
    const dotenvFile = path.join(root, '.env');
    this.configured = { ...(existsSync(dotenvFile) ? parse(readFileSync(dotenvFile)) : {}), ...process.env };
    this.state = existsSync(stateFile) ? parse(readFileSync(stateFile)) : {};
  }

  /** Reads `.env` and `.dev/dev.env`, generating (and saving) whatever is still missing. */
  static load(root: string, devDir: string): DevEnvironment {
    const env = new DevEnvironment(path.join(devDir, 'dev.env'), root);
    let changed = false;
    for (const [name, generate] of Object.entries({ ...GENERATED_CONFIG, ...GENERATED_DEV })) {
      if (!env.state[name]) {
        env.state[name] = generate();
        changed = true;
      }
    }
    if (changed) env.save();
    return env;
  }

  /** True when the developer set `name` to a non-empty value. */
  isSet(name: string): boolean {
    return (this.configured[name] ?? '').trim() !== '';
  }

  /** Where a configured value came from, for messages that say what to change. */
  sourceOf(name: string): string {
    return process.env[name] !== undefined ? 'the environment' : '.env';
  }

  /** True when `name` is a generated value (not set by the developer). */
  isGenerated(name: string): boolean {
    return !this.isSet(name) && name in GENERATED_CONFIG;
  }

  /** Generated configuration for the variables the developer did not set. */
  generatedConfig(): Record<string, string> {
    return Object.fromEntries(Object.keys(GENERATED_CONFIG).filter((n) => !this.isSet(n)).map((n) => [n, this.state[n]]));
  }

  dev(name: DevValue): string {
    return this.state[name];
  }

  /** A value the stack keeps between runs (e.g. the demo router's API key); undefined when never stored. */
  stored(name: string): string | undefined {
    return this.state[name] || undefined;
  }

  store(name: string, value: string): void {
    this.state[name] = value;
    this.save();
  }

  private save(): void {
    mkdirSync(path.dirname(this.stateFile), { recursive: true });
    const body = [...HEADER, ...Object.entries(this.state).map(([k, v]) => `${k}=${v}`), ''].join('\n');
    const staging = `${this.stateFile}.${process.pid}`;
    writeFileSync(staging, body, { mode: 0o600 });
    renameSync(staging, this.stateFile);
  }
}
