import { ApplicationFailure } from '@temporalio/common';
import { toActivityFailure } from '../../activities/failures';
import { openDatabase } from '../../db/data-source';
import { classifyDatabaseError } from '../../db/errors';
import { freePort } from '../../shared/ports';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startStallProxy } from '../helpers/stall-proxy';

const failureOf = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);

/**
 * Database failures, produced by a real PostgreSQL, are told apart: what it refuses (a retry fails the same way) is
 * final for an activity; what did not answer may succeed later. The activity failure never carries the driver's text.
 */
describe('database failure classification', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it.each([
    ['NUL in text', `SELECT $1::text`, ['a\u0000b']],
    ['NUL in jsonb', `SELECT $1::jsonb`, ['{"a":"\\u0000"}']],
    ['an integer out of range', `SELECT $1::integer`, ['2147483648']],
    ['a unique violation', `INSERT INTO companies (id, name) VALUES ('EMP_DUP', 'a'), ('EMP_DUP', 'b')`, []],
    ['a check violation', `INSERT INTO companies (id, name) VALUES ('EMP_BLANK', ' ')`, []],
  ])('calls %s rejected: final, with the SQLSTATE and none of the values', async (_what, sql, params) => {
    const error = await failureOf(db.dataSource.query(sql, params));
    expect(classifyDatabaseError(error)).toBe('rejected');
    const failure = toActivityFailure(error) as ApplicationFailure;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'DATABASE_REJECTED', nonRetryable: true });
    expect(failure.message).toMatch(/^the database refused the statement \(SQLSTATE [0-9A-Z]{5}\)$/);
  });

  it('calls a database that is not there, or that stalls past the query timeout, unavailable: retryable', async () => {
    const closed = await freePort();
    const refused = await failureOf(openDatabase({ url: `postgresql://postgres:x@127.0.0.1:${closed}/none` }));
    expect(classifyDatabaseError(refused)).toBe('unavailable');

    const url = new URL(db.url);
    const proxy = await startStallProxy({ host: url.hostname, port: Number(url.port) });
    url.port = String(proxy.port);
    const stalling = await openDatabase({ url: url.toString(), poolSize: 1, queryTimeoutMs: 500 });
    try {
      proxy.stall();
      const timedOut = await failureOf(stalling.query('SELECT 1'));
      expect(classifyDatabaseError(timedOut)).toBe('unavailable');
      expect(toActivityFailure(timedOut)).toMatchObject({ type: 'DATABASE_UNAVAILABLE', nonRetryable: false });
    } finally {
      proxy.resume();
      await stalling.destroy();
      await proxy.close();
    }
  });

  it('leaves anything else unclassified', () => {
    expect(classifyDatabaseError(new TypeError('x is undefined'))).toBeUndefined();
    expect(classifyDatabaseError('text')).toBeUndefined();
  });
});
