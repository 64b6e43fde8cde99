import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { Activities } from '../../activities';
import { TemporalWorkflows } from '../../api/temporal/client';
import { DomainError } from '../../domain/errors';
import { createLogger } from '../../shared/logger';
import { installTemporalLogger } from '../../worker/temporal-runtime';
import { testConfig } from '../helpers/config';
import { workflowBundle } from '../helpers/stack';

/**
 * The API's short operations (router probe, Telegram test, Conekta key registration) on the test Temporal server,
 * with activities that fail: each failure reaches the API with the code it failed with, not as an unreachable router.
 */
describe('TemporalWorkflows operations', () => {
  jest.setTimeout(60_000);
  const config = testConfig();
  const taskQueue = `operations-${randomUUID()}`;
  let connection: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  let workflows: TemporalWorkflows;
  let failure: Error;

  const fail = async (): Promise<never> => {
    throw failure;
  };
  const activities: Pick<Activities, 'probeRouter' | 'sendTelegramTest' | 'registerConektaWebhookKey' | 'reconnectDevice'> = {
    probeRouter: fail,
    sendTelegramTest: fail,
    registerConektaWebhookKey: fail,
    reconnectDevice: fail,
  };

  beforeAll(async () => {
    installTemporalLogger(createLogger({ level: 'error' }));
    connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
    worker = await Worker.create({ connection, namespace: config.TEMPORAL_NAMESPACE, taskQueue, workflowBundle: await workflowBundle(), activities });
    running = worker.run();
    workflows = new TemporalWorkflows({ address: config.TEMPORAL_ADDRESS, namespace: config.TEMPORAL_NAMESPACE, taskQueue });
  });
  afterAll(async () => {
    await workflows.close();
    worker.shutdown();
    await running;
    await connection.close();
  });

  const rejection = (call: Promise<unknown>) =>
    call.then(
      () => undefined,
      (error: unknown) => error,
    );

  it('reports a Conekta key registration refused by Conekta as such, with its message', async () => {
    failure = ApplicationFailure.create({ type: 'PAYMENT_GATEWAY_REJECTED', message: 'Conekta rechazó la llave privada', nonRetryable: true });
    const error = await rejection(workflows.registerConektaWebhookKey('EMP_1'));
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'PAYMENT_GATEWAY_REJECTED', message: 'Conekta rechazó la llave privada' });
  });

  it('reports a Telegram test that failed on the database with that code, and an internal message never', async () => {
    failure = ApplicationFailure.create({ type: 'DATABASE_UNAVAILABLE', message: 'the database did not answer', nonRetryable: false });
    const error = await rejection(workflows.sendTelegramTest('EMP_1'));
    expect(error).toMatchObject({ code: 'DATABASE_UNAVAILABLE' });
    expect((error as Error).message).not.toContain('database did not answer');
  });

  it('reports a router probe that failed for no known reason as an unreachable router', async () => {
    failure = new Error('socket hang up');
    expect(await rejection(workflows.probeRouter('RTR_1'))).toMatchObject({ code: 'ROUTER_UNREACHABLE' });
  });
});
