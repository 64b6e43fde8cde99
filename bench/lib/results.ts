import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where and on what a benchmark ran, and how its result is kept: one JSON line per run in bench/results/. */

const root = path.resolve(__dirname, '..', '..', ...(__dirname.includes(`${path.sep}dist${path.sep}`) ? ['..'] : []));

export interface RunContext {
  date: string;
  commit: string;
  /** Files changed since the commit (the measured code is the working tree). */
  uncommitted: string[];
  machine: { cpus: number; model: string; memoryGiB: number; loadAverage: number[]; node: string };
}

export function runContext(): RunContext {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' }).trim();
  return {
    date: new Date().toISOString(),
    commit: git('rev-parse', '--short', 'HEAD'),
    uncommitted: git('status', '--porcelain').split('\n').filter(Boolean).map((line) => line.slice(3)),
    machine: {
      cpus: os.availableParallelism(),
      model: os.cpus()[0]?.model ?? 'unknown',
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      loadAverage: os.loadavg().map((load) => Math.round(load * 100) / 100),
      node: process.version,
    },
  };
}

/** Appends the result to bench/results/<bench>.jsonl and prints where. */
export function saveResult(bench: string, result: Record<string, unknown>): void {
  const dir = path.join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${bench}.jsonl`);
  appendFileSync(file, `${JSON.stringify({ bench, ...runContext(), ...result })}\n`);
  console.log(`\nresult appended to ${path.relative(root, file)}`);
}

/** Command-line `--name value` options with defaults; numbers stay numbers. */
export function options<T extends Record<string, string | number>>(defaults: T): T {
  const parsed: Record<string, string | number> = { ...defaults };
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (!(name in defaults) || args[i + 1] === undefined) throw new Error(`unknown option ${args[i]} (known: ${Object.keys(defaults).join(', ')})`);
    parsed[name] = typeof defaults[name] === 'number' ? Number(args[i + 1]) : args[i + 1];
  }
  return parsed as T;
}

/** Runs a benchmark's `main` and exits: 0 when it finished, 1 with the error printed when it failed. */
export function runBenchmark(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
