import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime, Worker, type ActivityInboundCallsInterceptor } from '@temporalio/worker';
import type { Activities } from '../../activities';
import type { PaymentOutcome } from '../../domain/payment';
import {
  extendUpdate,
  paymentNotifiedSignal,
  purchaseOutcomeUpdate,
  purchaseStateQuery,
  refundUpdate,
  revokeUpdate,
  STACKED_REASON,
  stackTimeUpdate,
  stackUpdateId,
  type PurchaseWorkflowInput,
  type RecordStatusInput,
} from '../../domain/temporal';
import { CURRENT_RELEASE, HISTORIES } from '../helpers/histories';
import { workflowBundle } from '../helpers/stack';
import { createTimeSkippingEnv } from '../helpers/time-skipping';
import type { purchaseWorkflow } from '../../workflows/purchase';

/**
 * The purchase workflow alone, on the time-skipping server with fake activities (typed `Activities`, so a changed
 * activity signature breaks this file): long validities, extensions and deadlines in milliseconds of real time.
 * With RECORD_HISTORIES=1 each run's history is saved for the replay test (test/workflows/replay.test.ts), in the
 * folder of the release being prepared (package.json's version).
 */

const DAY = 86_400;
const approved: PaymentOutcome = { status: 'approved', reference: 'ord_1', gatewayStatus: 'paid' };
const pending: PaymentOutcome = { status: 'pending', reference: 'ord_1', gatewayStatus: 'pending_payment' };

interface Fake {
  activities: Activities;
  /** Activity names in the order they ran (counted by the worker's interceptor in `run`). */
  calls: string[];
  statuses: RecordStatusInput[];
  /** The statuses each recordPurchaseStatus call wrote, in order (passing statuses are written with a later one). */
  writes: string[][];
  /** The operator notices queued with the status writes (by recordPurchaseStatus or by enable's activation), in order. */
  notices: string[];
}

/** A reservation's terms for the fakes that replace reserve (seven days, as the default fake's). */
const TERMS = { routerId: 'r1', validitySeconds: 7 * DAY, uptimeLimitSeconds: null, autoConnect: false };

function fakeActivities(overrides: Partial<Activities> = {}, validitySeconds = 7 * DAY): Fake {
  const statuses: RecordStatusInput[] = [];
  const writes: string[][] = [];
  const notices: string[] = [];
  const write = ({ passed = [], notice, ...input }: RecordStatusInput) => {
    statuses.push(...passed.map((step) => ({ purchaseId: input.purchaseId, ...step })), input);
    writes.push([...passed.map((step) => step.to), input.to]);
    if (notice) notices.push(notice);
  };
  const activities: Activities = {
    recordPurchaseStatus: async (input) => write(input),
    recordPurchaseEvent: async () => undefined,
    reserveHotspotUser: async () => ({ stackable: true, routerUserRef: '*1A', credentialsReplaced: false, terms: { routerId: 'r1', validitySeconds, uptimeLimitSeconds: null, autoConnect: false } }),
    // Records the activation it is asked to, as the real one does once the router has enabled the user; timed by the
    // workflow's clock (the payment's time), since the time-skipping server's is not this process's.
    enableHotspotUser: async (purchaseId, activation) => {
      const enabled = { validitySeconds, autoConnect: false };
      if (!activation) return enabled;
      const activatedAt = Date.parse(activation.passed.find((step) => step.to === 'paid')!.fields!.paidAt!);
      const fields = { activatedAt: iso(activatedAt), expiresAt: iso(activatedAt + validitySeconds * 1000), routerUserRef: activation.routerUserRef ?? '*1B' };
      write({ purchaseId, to: 'active', passed: activation.passed, notice: activation.notice, fields });
      return { ...enabled, activation: { activatedAt: fields.activatedAt, expiresAt: fields.expiresAt, routerUserRef: fields.routerUserRef, recorded: true } };
    },
    removeHotspotUser: async () => undefined,
    adoptHotspotUser: async () => ({ adopted: true }),
    revokeHotspotAccess: async () => ({ sessionsEnded: 1, cookiesRemoved: 1 }),
    autoConnectDevice: async () => ({ requested: true, connected: true }),
    reconnectDevice: async () => ({ requested: true, connected: true }),
    probeRouter: async () => ({ ok: false, code: 'ROUTER_UNREACHABLE', message: 'x' }),
    chargePayment: async () => approved,
    getPaymentStatus: async () => approved,
    cancelPayment: async () => ({ ...pending, status: 'cancelled' }),
    refundPayment: async () => ({ ...approved, status: 'refunded', refundedCents: 2000 }),
    registerConektaWebhookKey: async () => ({ ok: false, code: 'NOT_FOUND', message: 'x' }),
    notifyOperator: async () => undefined,
    sendTelegramTest: async () => ({ ok: true }),
    listRoutersToReconcile: async () => [],
    reconcileRouter: async (routerId) => ({ routerId, checked: 0, removed: 0, unknown: 0, restored: 0, notRestored: 0 }),
    closeAbandonedPurchases: async () => ({ checked: 0, closed: 0 }),
    openPaymentReconciliation: async () => ({ windowFrom: '', windowTo: '', accounts: [] }),
    reconcilePaymentPage: async () => ({ listed: 0, gatewayCalls: 0, refunded: [] }),
    findPurchasesWithoutWorkflow: async () => [],
    closePurchaseWithoutWorkflow: async () => false,
    closePaymentReconciliation: async (report) => report,
    findStackTarget: async () => null,
    stackOntoPurchase: async () => ({ stacked: false, reason: 'ENDED' }),
    takeBackStackedTime: async () => false,
    applyExtendedLimits: async () => ({ limitUptimeSeconds: null }),
    ...overrides,
  };
  return { activities, calls: [], statuses, writes, notices };
}

const input = (id: string, timing: Partial<PurchaseWorkflowInput['timing']> = {}): PurchaseWorkflowInput => ({
  purchaseId: id,
  companyId: 'EMP_TEST',
  routerId: 'RTR_TEST',
  gateway: 'conekta',
  timing: { routerReserveSeconds: 5, pendingMaxSeconds: 3600, statusPollSeconds: 60, provisioningDeadlineSeconds: 900, ...timing },
});

const toStatuses = (fake: Fake) => fake.statuses.map((s) => s.to);
const iso = (ms: number) => new Date(ms).toISOString();

/** Notes each activity as it starts, local or not. */
function countedIn(calls: string[], activityType: string): ActivityInboundCallsInterceptor {
  return {
    execute: (input, next) => {
      calls.push(activityType);
      return next(input);
    },
  };
}

describe('purchaseWorkflow (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  let counter = 0;
  // A server per test: time skipped by one test must not leak into the next (the server's clock only moves forward).
  beforeEach(async () => {
    env = await createTimeSkippingEnv();
  }, 60_000);
  afterEach(() => env?.teardown());

  async function run<T>(
    fake: Fake,
    name: string,
    body: (handle: WorkflowHandle<typeof purchaseWorkflow>) => Promise<T>,
    timing = {},
    start: Pick<PurchaseWorkflowInput, 'adopted' | 'settled'> = {},
  ): Promise<T> {
    const taskQueue = `wf-${++counter}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: fake.activities,
      interceptors: { activity: [(context) => ({ inbound: countedIn(fake.calls, context.info.activityType) })] },
    });
    return worker.runUntil(async () => {
      const workflowId = `purchase:test:${name}:${counter}`;
      const handle = await env.client.workflow.start<typeof purchaseWorkflow>('purchaseWorkflow', {
        taskQueue,
        workflowId,
        args: [{ ...input(`00000000-0000-4000-8000-00000000000${counter % 10}`, timing), ...start }],
      });
      const result = await body(handle);
      if (process.env.RECORD_HISTORIES === '1') {
        const history = await handle.fetchHistory();
        mkdirSync(path.join(HISTORIES, CURRENT_RELEASE), { recursive: true });
        writeFileSync(path.join(HISTORIES, CURRENT_RELEASE, `${name}.json`), historyToJSON(history));
      }
      return result;
    });
  }

  it('sells a week of access and removes it exactly a week after activation', async () => {
    const fake = fakeActivities();
    const state = await run(fake, 'approved-expired', async (handle) => {
      await env.sleep('6 days');
      expect((await handle.query(purchaseStateQuery)).status).toBe('active');
      return handle.result();
    });
    expect(state.status).toBe('expired');
    expect(toStatuses(fake)).toEqual(['charging', 'paid', 'active', 'expired']);
    // The statuses it passes through on its way to the answer are written together, with the one it answers in.
    expect(fake.writes).toEqual([['charging', 'paid', 'active'], ['expired']]);
    const active = fake.statuses.find((s) => s.to === 'active')!.fields!;
    expect(Date.parse(active.expiresAt!) - Date.parse(active.activatedAt!)).toBe(7 * DAY * 1000);
    expect(fake.statuses.find((s) => s.to === 'active')!.fields!.routerUserRef).toBe('*1A');
    // Enable records the activation itself, its operator notice queued with it: no status write or notice activity of
    // the workflow's own until the expiry.
    expect(fake.calls).toEqual(['reserveHotspotUser', 'chargePayment', 'findStackTarget', 'enableHotspotUser', 'revokeHotspotAccess', 'recordPurchaseStatus']);
    expect(fake.notices).toEqual(['approved']);
  });

  it('writes the activation itself when enable could not, with the times and router id enable took', async () => {
    let activation: { activatedAt: string; expiresAt: string; routerUserRef: string; recorded: boolean } | undefined;
    const fake = fakeActivities({
      enableHotspotUser: async (_purchaseId, input) => {
        const activatedAt = Date.parse(input!.passed.find((step) => step.to === 'paid')!.fields!.paidAt!);
        activation = { activatedAt: iso(activatedAt), expiresAt: iso(activatedAt + DAY * 1000), routerUserRef: '*1C', recorded: false };
        return { validitySeconds: DAY, autoConnect: false, activation };
      },
    });
    const state = await run(fake, 'activation-written-by-workflow', async (handle) => {
      await env.sleep('1 hour');
      return handle.query(purchaseStateQuery);
    });
    expect(state.status).toBe('active');
    expect(fake.writes).toEqual([['charging', 'paid', 'active']]);
    const active = fake.statuses.find((s) => s.to === 'active')!.fields!;
    expect(active).toEqual({ activatedAt: activation!.activatedAt, expiresAt: activation!.expiresAt, routerUserRef: '*1C' });
    expect(state.expiresAt).toBe(activation!.expiresAt);
    // The notice enable was handed went nowhere: the operators are told once, by the notice activity.
    expect(fake.notices).toEqual([]);
    expect(fake.calls.filter((c) => c === 'notifyOperator')).toHaveLength(1);
  });

  it('queues no operator notice of the charge when the company has no operator channel', async () => {
    const fake = fakeActivities({ chargePayment: async () => ({ ...approved, operatorsNotified: false }) });
    await run(fake, 'no-operator-channel', async (handle) => {
      await env.sleep('1 hour');
      return handle.query(purchaseStateQuery);
    });
    expect(fake.calls).not.toContain('notifyOperator');
    expect(fake.notices).toEqual([]);
    const told = fakeActivities({ chargePayment: async () => ({ ...approved, operatorsNotified: true }) });
    await run(told, 'operator-channel', async (handle) => {
      await env.sleep('1 hour');
      return handle.query(purchaseStateQuery);
    });
    expect(told.notices).toEqual(['approved']);
    expect(told.calls).not.toContain('notifyOperator');
  });

  it('declines a refused card: the user removed, the operators told by the status write', async () => {
    const declined: PaymentOutcome = { status: 'declined', reference: 'ord_1', gatewayStatus: 'declined', code: 'card_declined', message: 'Tarjeta rechazada' };
    const fake = fakeActivities({ chargePayment: async () => declined });
    const state = await run(fake, 'declined', (handle) => handle.result());
    expect(state.status).toBe('declined');
    expect(fake.statuses.at(-1)).toMatchObject({ to: 'declined', reason: 'card_declined', message: 'Tarjeta rechazada' });
    expect(fake.notices).toEqual(['declined']);
    expect(fake.calls).not.toContain('notifyOperator');
    expect(fake.calls.filter((c) => c !== 'recordPurchaseStatus').at(-1)).toBe('removeHotspotUser');
  });

  it('answers an approved purchase with what its row got that the answer shows, never a credential', async () => {
    const mercadoPago: PaymentOutcome = { status: 'approved', reference: '123', gatewayStatus: 'approved', extra: { installments: 3, paymentMethodId: 'visa' } };
    for (const [name, credentialsReplaced] of [['answer-own-credentials', false], ['answer-credentials-replaced', true]] as const) {
      const fake = fakeActivities({
        reserveHotspotUser: async () => ({ stackable: false, routerUserRef: '*1A', credentialsReplaced, terms: TERMS }),
        chargePayment: async () => mercadoPago,
      });
      const outcome = await run(fake, name, (handle) => handle.executeUpdate(purchaseOutcomeUpdate));
      const active = fake.statuses.find((s) => s.to === 'active')!.fields!;
      expect(outcome).toEqual({
        status: 'active',
        autoConnect: { requested: false, connected: false },
        credentialsReplaced,
        activated: { expiresAt: active.expiresAt, gatewayReference: '123', gatewayStatus: 'approved', gatewayDetail: { installments: 3, paymentMethodId: 'visa' } },
      });
    }
  });

  it('moves the expiry when an admin extends the access', async () => {
    await extendedByTwoDays(fakeActivities(), 'extended', async (handle) => {
      const extended = await handle.executeUpdate(extendUpdate, { args: [{ actor: { userId: 1, email: 'a@x.com' }, seconds: 2 * DAY }] });
      expect(extended.status).toBe('active');
    });
  });

  /** A week's purchase given two more days on its first day by `extend`: active on day 8, expired 9 days after activation. */
  async function extendedByTwoDays(fake: Fake, name: string, extend: (handle: WorkflowHandle<typeof purchaseWorkflow>) => Promise<void>) {
    const state = await run(fake, name, async (handle) => {
      await env.sleep('1 day');
      await extend(handle);
      await env.sleep('7 days'); // day 8: past the original expiry, before the new one
      expect((await handle.query(purchaseStateQuery)).status).toBe('active');
      return handle.result();
    });
    expect(state.status).toBe('expired');
    const active = fake.statuses.find((s) => s.to === 'active')!.fields!;
    expect(Date.parse(state.expiresAt!) - Date.parse(active.activatedAt!)).toBe(9 * DAY * 1000);
  }

  it('adds its time to the device’s running purchase of the same plan: no user of its own, no router command at expiry', async () => {
    const expiresAt = new Date(Date.now() + 3 * DAY * 1000).toISOString();
    const fake = fakeActivities({
      findStackTarget: async () => ({ purchaseId: 'running', workflowId: 'purchase:test:running' }),
      stackOntoPurchase: async () => ({ stacked: true, expiresAt }),
    });
    const state = await run(fake, 'stacked-expired', async (handle) => {
      await env.sleep('2 days');
      expect((await handle.query(purchaseStateQuery)).status).toBe('active');
      return handle.result();
    });
    expect(state).toMatchObject({ status: 'expired', expiresAt });
    expect(toStatuses(fake)).toEqual(['charging', 'paid', 'active', 'expired']);
    expect(fake.statuses.find((s) => s.to === 'active')).toMatchObject({ reason: STACKED_REASON, fields: { expiresAt } });
    expect(fake.calls).toContain('removeHotspotUser');
    expect(fake.calls).not.toContain('enableHotspotUser');
    expect(fake.calls).not.toContain('revokeHotspotAccess');
  });

  it('gets a user of its own without looking for a running purchase when it names no device', async () => {
    const fake = fakeActivities({
      reserveHotspotUser: async () => ({ stackable: false, routerUserRef: '*1A', credentialsReplaced: false, terms: TERMS }),
      findStackTarget: async () => ({ purchaseId: 'running', workflowId: 'purchase:test:running' }),
      stackOntoPurchase: async () => ({ stacked: true, expiresAt: new Date(Date.now() + 3 * DAY * 1000).toISOString() }),
    });
    const state = await run(fake, 'not-stackable', async (handle) => {
      await env.sleep('1 hour');
      return handle.query(purchaseStateQuery);
    });
    expect(state.status).toBe('active');
    expect(fake.statuses.find((s) => s.to === 'active')?.reason).not.toBe(STACKED_REASON);
    expect(fake.calls).toContain('enableHotspotUser');
    expect(fake.calls).not.toContain('findStackTarget');
  });

  it('takes another purchase’s stacked time once, however often it is sent, and the router limits follow', async () => {
    const fake = fakeActivities();
    await extendedByTwoDays(fake, 'stack-received', async (handle) => {
      const stack = () =>
        handle.executeUpdate(stackTimeUpdate, {
          args: [{ from: 'later', fromWorkflowId: 'purchase:test:later', seconds: 2 * DAY, uptimeSeconds: 3600 }],
          updateId: stackUpdateId('later'),
        });
      const first = await stack();
      expect(await stack()).toEqual(first);
    });
    expect(fake.calls.filter((c) => c === 'applyExtendedLimits')).toHaveLength(1);
  });

  it('revokes and refunds on admin request', async () => {
    const revoked = fakeActivities();
    await run(revoked, 'revoked', async (handle) => {
      await env.sleep('1 hour');
      expect(await handle.executeUpdate(revokeUpdate, { args: [{ actor: { userId: 1, email: 'a@x.com' } }] })).toEqual({ status: 'revoked' });
      return handle.result();
    });
    expect(toStatuses(revoked).at(-1)).toBe('revoked');
    expect(revoked.calls).not.toContain('refundPayment');

    const refunded = fakeActivities();
    await run(refunded, 'refunded-by-admin', async (handle) => {
      await env.sleep('1 hour');
      expect(await handle.executeUpdate(refundUpdate, { args: [{ actor: { userId: 1, email: 'a@x.com' }, reason: 'cliente' }] })).toEqual({
        status: 'refunded',
      });
      return handle.result();
    });
    expect(toStatuses(refunded).at(-1)).toBe('refunded');
    expect(refunded.calls.filter((c) => c === 'refundPayment')).toHaveLength(1);
    expect(refunded.calls.indexOf('revokeHotspotAccess')).toBeLessThan(refunded.calls.indexOf('refundPayment'));
    expect(refunded.notices).toEqual(['approved', 'refunded']);
  });

  it('acts, once active, on a refund notice that arrived while the user was being enabled', async () => {
    let enable!: () => void;
    const enabling = new Promise<void>((resolve) => (enable = resolve));
    const refunded: PaymentOutcome = { ...approved, status: 'refunded', reversal: 'refunded', refundedCents: 2000 };
    let tries = 0;
    const fake = fakeActivities({
      // The router is slow to answer: the first try fails and the retry waits, while the purchase is `paid`.
      enableHotspotUser: async () => {
        if (++tries === 1) throw ApplicationFailure.create({ type: 'ROUTER_UNREACHABLE', message: 'down', nonRetryable: false });
        await enabling;
        return { validitySeconds: 7 * DAY, autoConnect: false };
      },
      getPaymentStatus: async () => refunded,
    });
    const state = await run(fake, 'hint-while-paid', async (handle) => {
      while (tries < 2) await new Promise((resolve) => setTimeout(resolve, 20));
      await handle.signal(paymentNotifiedSignal, { eventId: 'evt_1', status: 'order.refunded' });
      await new Promise((resolve) => setTimeout(resolve, 500)); // the notice is taken while the user is being enabled
      enable();
      return handle.result();
    });
    expect(state.status).toBe('refunded');
    expect(toStatuses(fake)).toEqual(['charging', 'paid', 'active', 'refunded']);
    expect(fake.statuses.at(-1)).toMatchObject({ reason: 'GATEWAY_REFUND' });
    expect(fake.calls.indexOf('revokeHotspotAccess')).toBeGreaterThan(fake.calls.indexOf('getPaymentStatus'));
  });

  it('asks the gateway again until it answers about a charge-back notice, instead of dropping it after a few failures', async () => {
    let lookups = 0;
    const fake = fakeActivities({
      getPaymentStatus: async () => {
        lookups += 1;
        if (lookups <= 6) throw ApplicationFailure.create({ type: 'PAYMENT_GATEWAY_UNAVAILABLE', message: 'down', nonRetryable: false });
        return { ...approved, status: 'charged_back', reversal: 'charged_back' };
      },
    });
    const state = await run(fake, 'reversal-lookup-retried', async (handle) => {
      await env.sleep('1 hour');
      await handle.signal(paymentNotifiedSignal, { eventId: 'evt_2', status: 'order.charged_back' });
      return handle.result();
    });
    expect(lookups).toBe(7);
    expect(state.status).toBe('revoked');
    expect(fake.statuses.at(-1)).toMatchObject({ to: 'revoked', reason: 'CHARGED_BACK' });
  });

  it('refunds a paid purchase whose user cannot be enabled before the provisioning deadline', async () => {
    const fake = fakeActivities({
      enableHotspotUser: async () => {
        throw ApplicationFailure.create({ type: 'ROUTER_UNREACHABLE', message: 'down', nonRetryable: false });
      },
    });
    const state = await run(fake, 'provisioning-refund', (handle) => handle.result(), { provisioningDeadlineSeconds: 600 });
    expect(state.status).toBe('refunded');
    expect(toStatuses(fake)).toEqual(['charging', 'paid', 'refunded']);
    // Paid is written (with charging) before the enabling is retried durably: it may last until the deadline.
    expect(fake.writes).toEqual([['charging', 'paid'], ['refunded']]);
    const enables = fake.calls.flatMap((c, i) => (c === 'enableHotspotUser' ? [i] : []));
    expect(fake.calls.indexOf('recordPurchaseStatus')).toBeGreaterThan(enables[0]);
    expect(fake.calls.indexOf('recordPurchaseStatus')).toBeLessThan(enables[1]);
    expect(enables.length).toBeGreaterThan(3);
    expect(fake.calls.filter((c) => c !== 'recordPurchaseStatus').at(-1)).toBe('removeHotspotUser');
    expect(fake.notices).toEqual(['refunded']);
  });

  it('a voucher whose user cannot be enabled is not charged nor refunded at any gateway, and no refund is reported failed', async () => {
    const fake = fakeActivities({
      enableHotspotUser: async () => {
        throw ApplicationFailure.create({ type: 'ROUTER_LOGIN_REFUSED', message: 'login refused', nonRetryable: true });
      },
    });
    const state = await run(fake, 'voucher-provisioning-failed', (handle) => handle.result(), {}, { settled: { via: 'voucher' } });
    expect(state.status).toBe('refunded');
    expect(fake.calls).not.toContain('chargePayment');
    expect(fake.calls).not.toContain('refundPayment');
    expect(fake.calls).not.toContain('recordPurchaseEvent');
    expect(fake.calls.filter((c) => c !== 'recordPurchaseStatus').at(-1)).toBe('removeHotspotUser');
  });

  it('logs the code and message of the failure that kept a paid user from being enabled', async () => {
    const logged = jest.spyOn(Runtime.instance().logger, 'log');
    const fake = fakeActivities({
      enableHotspotUser: async () => {
        throw ApplicationFailure.create({ type: 'ROUTER_LOGIN_REFUSED', message: 'login refused', nonRetryable: true });
      },
    });
    try {
      await run(fake, 'provisioning-refund-logged', (handle) => handle.result());
      expect(logged).toHaveBeenCalledWith(
        'ERROR',
        'could not enable a paid hotspot user before the deadline; refunding',
        expect.objectContaining({ code: 'ROUTER_LOGIN_REFUSED', reason: 'login refused' }),
      );
    } finally {
      logged.mockRestore();
    }
  });

  it('cancels a payment still pending at its bound, polling meanwhile', async () => {
    const fake = fakeActivities({ chargePayment: async () => pending, getPaymentStatus: async () => pending });
    const state = await run(fake, 'pending-cancelled', (handle) => handle.result(), { pendingMaxSeconds: 3600, statusPollSeconds: 600 });
    expect(state.status).toBe('cancelled');
    expect(fake.calls.filter((c) => c === 'getPaymentStatus')).toHaveLength(6);
    expect(fake.calls.filter((c) => c !== 'recordPurchaseStatus').slice(-2)).toEqual(['cancelPayment', 'removeHotspotUser']);
  });

  it('never charges when the router cannot be reached', async () => {
    const fake = fakeActivities({
      reserveHotspotUser: async () => {
        throw ApplicationFailure.create({ type: 'ROUTER_UNREACHABLE', message: 'down' });
      },
    });
    const state = await run(fake, 'router-unreachable', (handle) => handle.result());
    expect(state.status).toBe('failed');
    expect(fake.calls).not.toContain('chargePayment');
    expect(fake.notices).toEqual(['router_unreachable']);
  });

  it('makes sure nothing stays charged when the gateway refuses the request', async () => {
    const fake = fakeActivities({
      chargePayment: async () => {
        throw ApplicationFailure.create({ type: 'PAYMENT_GATEWAY_REJECTED', message: 'Token inválido', nonRetryable: true });
      },
      cancelPayment: async () => null,
    });
    const state = await run(fake, 'charge-rejected', (handle) => handle.result());
    expect(state.status).toBe('failed');
    expect(fake.statuses.at(-1)).toMatchObject({ to: 'failed', reason: 'PAYMENT_GATEWAY_REJECTED', message: 'Token inválido' });
    expect(fake.calls.filter((c) => c !== 'recordPurchaseStatus').slice(-2)).toEqual(['cancelPayment', 'removeHotspotUser']);
  });

  it("adopts an imported customer's user without charging, and removes it at the imported expiry", async () => {
    const fake = fakeActivities();
    const expiresAt = new Date(Date.now() + 2 * DAY * 1000).toISOString();
    const state = await run(
      fake,
      'adopted-expired',
      async (handle) => {
        await env.sleep('1 day');
        expect(await handle.query(purchaseStateQuery)).toMatchObject({ status: 'active', expiresAt });
        return handle.result();
      },
      {},
      { adopted: { expiresAt } },
    );
    expect(state).toMatchObject({ status: 'expired', expiresAt });
    expect(toStatuses(fake)).toEqual(['expired']);
    expect(fake.calls.filter((c) => !c.startsWith('record'))).toEqual(['adoptHotspotUser', 'revokeHotspotAccess']);
  });

  it('ends an imported purchase whose user is no longer on the router, touching nothing', async () => {
    const fake = fakeActivities({ adoptHotspotUser: async () => ({ adopted: false, reason: 'ROUTER_USER_MISSING' }) });
    const expiresAt = new Date(Date.now() + DAY * 1000).toISOString();
    const state = await run(fake, 'adopted-missing', (handle) => handle.result(), {}, { adopted: { expiresAt } });
    expect(state.status).toBe('expired');
    expect(fake.statuses).toEqual([expect.objectContaining({ to: 'expired', reason: 'ROUTER_USER_MISSING' })]);
    expect(fake.calls.filter((c) => !c.startsWith('record'))).toEqual(['adoptHotspotUser']);
  });

  it('refuses admin actions on a purchase that is not active', async () => {
    const fake = fakeActivities({ chargePayment: async () => pending, getPaymentStatus: async () => pending });
    await run(fake, 'refuse-admin-pending', async (handle) => {
      await env.sleep('1 minute');
      await expect(handle.executeUpdate(revokeUpdate, { args: [{ actor: { userId: 1, email: 'a@x.com' } }] })).rejects.toThrow();
      await handle.terminate('test over');
    });
  });
});
