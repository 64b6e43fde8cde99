import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * The API and the worker as child processes of `npm run dev`: their output prefixed (`[api]`, `[worker]`) with the
 * JSON log lines made readable, and their exit watched, so one that dies on its own stops the whole stack.
 */

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ChildService {
  readonly name: string;
  /** Also its process group id (it runs detached): what the benchmarks sample for memory and CPU. */
  readonly pid: number;
  /** Resolves when the process ends, expectedly or not. */
  readonly exited: Promise<Exit>;
  /** Resolves at the first log message for which `test` is true. */
  waitForMessage(test: (message: string) => boolean): Promise<void>;
  /** SIGINT, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs: number): Promise<void>;
  kill(): void;
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const OMITTED = new Set(['level', 'time', 'msg', 'name', 'pid', 'hostname', 'err']);

/** A pino JSON line as `12:00:01 INFO  message key=value…` (plus the error's stack); other lines unchanged. */
export function formatLogLine(line: string): { text: string; message?: string } {
  if (!line.startsWith('{')) return { text: line };
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return { text: line };
  }
  if (typeof entry.level !== 'number') return { text: line };
  const message = typeof entry.msg === 'string' ? entry.msg : '';
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 19) : '';
  const fields = Object.entries(entry)
    .filter(([key]) => !OMITTED.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const err = entry.err as { message?: string; stack?: string } | undefined;
  const stack = err ? `\n${err.stack ?? err.message ?? JSON.stringify(err)}` : '';
  const level = (LEVELS[entry.level] ?? String(entry.level)).padEnd(5);
  return { text: `${time} ${level} ${[message, ...fields].join(' ')}${stack}`, message };
}

export function startChildService(
  name: string,
  script: string,
  options: {
    cwd: string;
    env: NodeJS.ProcessEnv;
    print: (name: string, text: string) => void;
    /** Node options before the script (tests: `-r` a TypeScript loader to run the sources). */
    nodeArgs?: string[];
  },
): ChildService {
  // Own process group: a terminal's Ctrl-C reaches only `npm run dev`, which stops the children in order.
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const waiters: { test: (message: string) => boolean; resolve: () => void }[] = [];
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      const { text, message } = formatLogLine(line);
      options.print(name, text);
      if (message === undefined) return;
      for (const waiter of waiters.filter((w) => w.test(message))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    });
  }

  return {
    name,
    pid: child.pid!,
    exited,
    waitForMessage: (test) => new Promise<void>((resolve) => waiters.push({ test, resolve })),
    async stop(graceMs) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT');
      const timer = setTimeout(() => {
        options.print(name, `still running after ${graceMs / 1000} s: killed`);
        child.kill('SIGKILL');
      }, graceMs);
      await exited;
      clearTimeout(timer);
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
