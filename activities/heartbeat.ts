import { Context } from '@temporalio/activity';

const INTERVAL_MS = 1_000;

/**
 * Runs a slow activity (a gateway or router call) while heartbeating, so that when a worker dies Temporal notices
 * within the activity's heartbeat timeout instead of its whole start-to-close timeout, and retries elsewhere. A local
 * run (the purchase's first try of a step) has no heartbeat: its workflow task's timeout plays that part.
 */
export function heartbeating<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    const context = Context.current();
    if (context.info.isLocal) return fn(...args);
    const timer = setInterval(() => context.heartbeat(), INTERVAL_MS);
    try {
      return await fn(...args);
    } finally {
      clearInterval(timer);
    }
  };
}
