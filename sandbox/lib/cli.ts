/** Shared bits of the simulators' standalone entry points (`node dist/sandbox/<name>/main.js`). */

/** A non-negative integer from the environment, or undefined when unset. */
export function envInteger(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer (got "${raw}")`);
  return value;
}

/** Keeps a simulator running until SIGINT/SIGTERM, then closes it. */
export function closeOnSignal(close: () => Promise<void>): void {
  const stop = () => {
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
