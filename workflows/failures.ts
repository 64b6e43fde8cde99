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
