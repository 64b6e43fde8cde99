import { Context } from '@temporalio/activity';

const INTERVAL_MS = 1_000;

/**
 * Runs a slow activity (a gateway or router call) while heartbeating, so that when a worker dies Temporal notices
 * within the activity's heartbeat timeout instead of its whole start-to-close timeout, and retries elsewhere.
 */
export function heartbeating<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    const context = Context.current();
    const timer = setInterval(() => context.heartbeat(), INTERVAL_MS);
    try {
      return await fn(...args);
    } finally {
      clearInterval(timer);
    }
  };
}
