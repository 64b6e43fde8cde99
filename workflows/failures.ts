import { ApplicationFailure } from '@temporalio/workflow';

/** The ApplicationFailure an activity failed with (activities classify every failure into one), if any. */
export function activityFailure(error: unknown): ApplicationFailure | undefined {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof ApplicationFailure ? cause : undefined;
}

/** The ErrorCode an activity failed with (ApplicationFailure.type), if any. */
export function failureType(error: unknown): string | undefined {
  return activityFailure(error)?.type ?? undefined;
}

/**
 * A failure as the fields of a log line: its ErrorCode, or else the kind of failure (a timeout, a cancellation), and
 * its message. An error object itself would reach the log as `{}`: its fields are not enumerable, and the activity's
 * own failure is its cause.
 */
export function failureLog(error: unknown): { code: string; reason: string } {
  if (!(error instanceof Error)) return { code: 'UNKNOWN', reason: String(error) };
  const failure = error.cause instanceof Error ? error.cause : error;
  return { code: (failure as { type?: string | null }).type ?? failure.name, reason: failure.message };
}
