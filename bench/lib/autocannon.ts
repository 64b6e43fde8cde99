import { spawn } from 'node:child_process';
import path from 'node:path';
import { cpuMeter } from './procs';

/**
 * autocannon (the devDependency's CLI) in its own process group, so its CPU is measured apart from the API's. Fixed
 * requests only: for the catalog, not for purchases (each needs a fresh card token).
 */

export interface CannonResult {
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** CPU cores each component kept busy during the run (API, load generator, database…). */
  cores: Record<string, number>;
}

interface CannonJson {
  requests: { average: number; total: number };
  latency: { p50: number; p90: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}

const CLI = path.join(path.dirname(require.resolve('autocannon/package.json')), 'autocannon.js');

export async function autocannon(
  url: string,
  options: { connections: number; seconds: number; headers: Record<string, string>; groups: Record<string, number> },
): Promise<CannonResult> {
  const headers = Object.entries(options.headers).flatMap(([name, value]) => ['-H', `${name}=${value}`]);
  const child = spawn(process.execPath, [CLI, '-j', '-n', '-c', String(options.connections), '-d', String(options.seconds), ...headers, url], {
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  // CPU is read just before the run ends, while the load generator still shows in /proc.
  const measure = cpuMeter({ ...options.groups, autocannon: child.pid! });
  const window = options.seconds - 0.5;
  let cpu: Record<string, number> = {};
  const sample = setTimeout(() => (cpu = measure()), window * 1000);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(sample);
  if (code !== 0) throw new Error(`autocannon exited with code ${code}`);
  const json = JSON.parse(output) as CannonJson;
  return {
    requestsPerSecond: json.requests.average,
    latencyMs: json.latency,
    requests: json.requests.total,
    non2xx: json.non2xx,
    errors: json.errors,
    timeouts: json.timeouts,
    cores: Object.fromEntries(Object.entries(cpu).map(([name, seconds]) => [name, Math.round((seconds / window) * 100) / 100])),
  };
}
