/** Order statistics of latency samples and of repeated runs. */

export interface Distribution {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of ascending `sorted` (0 < p ≤ 100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function distribution(samples: readonly number[]): Distribution {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? NaN),
    mean: round(sum / sorted.length),
  };
}

export function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

/** The median of every numeric field over several runs of the same shape (nested objects too). */
export function medianOf<T>(runs: readonly T[]): T {
  const first = runs[0] as unknown;
  if (typeof first === 'number') return round(median(runs as readonly number[])) as T;
  if (first === null || typeof first !== 'object' || Array.isArray(first)) return first as T;
  return Object.fromEntries(
    Object.keys(first).map((key) => [key, medianOf(runs.map((run) => (run as Record<string, unknown>)[key]))]),
  ) as T;
}

export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
