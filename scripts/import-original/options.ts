import { parseArgs } from 'node:util';
import { parseRouterDuration } from '../../domain/durations';
import { normalizeDatabaseUrl } from '../../shared/config';

/** What `npm run import:original` was asked to do. */
export interface ImportOptions {
  /** The original service's database (its `DATABASE_URL`, `postgresql+asyncpg://` accepted), normalised. */
  from: string;
  /** Print what would be imported and refused; write nothing, start nothing. */
  dryRun: boolean;
  /** IANA zone of the original database server, where its default timestamps (`creada_en`…) were taken. */
  sourceTimeZone?: string;
  /** Validity of a product whose router profile does not tell one (no session-timeout, router unreachable). */
  defaultValiditySeconds?: number;
  /** Every paid sale is active until this instant instead of its product's validity after the sale. */
  activeUntil?: Date;
}

/** A command-line mistake: printed with the usage, exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `Usage: npm run import:original -- --from <original DATABASE_URL> [options]

Imports companies, admins, routers, router API keys, products and sales from the original Python service's
database into this service's database (DATABASE_URL and the rest of the configuration from .env / the environment).

  --from <url>                 the original database (postgresql+asyncpg://, postgresql:// or postgres://)
  --dry-run                    print what would be imported and refused; write nothing
  --source-timezone <zone>     IANA zone of the original database server (e.g. America/Mexico_City); required
                               when the original tables hold rows (their default timestamps have no zone)
  --default-validity <time>    validity of products whose router profile has no session-timeout or could not be
                               read (e.g. 1h, 30m, 1d, 1w2d, 3600)
  --active-until <time>        every paid sale is active until this instant (ISO 8601 with a zone, e.g.
                               2027-01-15T00:00:00-06:00) instead of its product's validity after the sale
  --help                       this text`;

/** Parses and checks the arguments (`--help` is handled by the caller). Throws UsageError naming the problem. */
export function parseImportOptions(argv: string[], now = new Date()): ImportOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        from: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        'source-timezone': { type: 'string' },
        'default-validity': { type: 'string' },
        'active-until': { type: 'string' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (!values.from) throw new UsageError('--from is required: the URL of the original service database');
  const from = normalizeDatabaseUrl(values.from);
  if (!from) throw new UsageError('--from must be a PostgreSQL URL (postgresql://, postgres:// or postgresql+asyncpg://)');

  const options: ImportOptions = { from, dryRun: values['dry-run'] ?? false };
  const zone = values['source-timezone'];
  if (zone !== undefined) {
    if (!isTimeZone(zone)) throw new UsageError(`--source-timezone: "${zone}" is not an IANA time zone (e.g. America/Mexico_City, UTC)`);
    options.sourceTimeZone = zone;
  }
  const validity = values['default-validity'];
  if (validity !== undefined) {
    const seconds = parseRouterDuration(validity);
    if (!seconds || seconds > 366 * 86_400) {
      throw new UsageError(`--default-validity: "${validity}" is not a duration from 1s to 366d (e.g. 1h, 30m, 1d, 3600)`);
    }
    options.defaultValiditySeconds = seconds;
  }
  const until = values['active-until'];
  if (until !== undefined) {
    const instant = /(Z|[+-]\d{2}:?\d{2})$/i.test(until.trim()) ? new Date(until) : undefined;
    if (!instant || Number.isNaN(instant.getTime())) {
      throw new UsageError(`--active-until: "${until}" is not an ISO 8601 time with a zone (e.g. 2027-01-15T00:00:00-06:00)`);
    }
    if (instant.getTime() <= now.getTime()) throw new UsageError('--active-until must be in the future');
    options.activeUntil = instant;
  }
  return options;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
