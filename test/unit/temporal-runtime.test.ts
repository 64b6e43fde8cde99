import { ApplicationFailure } from '@temporalio/common';
import { createLogger } from '../../shared/logger';
import { forwardLogEntries } from '../../worker/temporal-runtime';

describe('forwardLogEntries', () => {
  function capture() {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    return { forward: forwardLogEntries(logger), lines };
  }

  it('writes out an error among the fields of an SDK log entry instead of printing it as {}', () => {
    const { forward, lines } = capture();
    const error = ApplicationFailure.create({ type: 'ROUTER_UNREACHABLE', message: 'router down' });
    forward({ level: 'ERROR', message: 'Worker failed', meta: { error, taskQueue: 'q' }, timestampNanos: 0n });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 50,
      msg: 'Worker failed',
      taskQueue: 'q',
      component: 'temporal',
      error: { type: 'ApplicationFailure', message: 'router down' },
    });
    expect((lines[0].error as { stack: string }).stack).toContain('router down');
  });

  it('keeps the level and the other fields', () => {
    const { forward, lines } = capture();
    forward({ level: 'WARN', message: 'slow', meta: { seconds: 3 }, timestampNanos: 0n });
    forward({ level: 'DEBUG', message: 'below the level', meta: {}, timestampNanos: 0n });
    expect(lines).toEqual([expect.objectContaining({ level: 40, msg: 'slow', seconds: 3, component: 'temporal' })]);
  });
});
