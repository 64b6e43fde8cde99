import type { Workflows } from '../../api/temporal/workflows';
import type { HotspotProfileInfo } from '../../domain/operations';

type Operations = Omit<Workflows, 'healthy' | 'close'>;
type OperationName = keyof Operations;
type Result<K extends OperationName> = Awaited<ReturnType<Operations[K]>>;

type Results = { [K in OperationName]: Result<K> | Error };

/** One recorded call: the operation and the arguments it got. */
export interface RecordedCall {
  name: OperationName;
  args: unknown[];
}

/** A hotspot profile as a probe would return it, every field filled. */
export function profile(values: Partial<HotspotProfileInfo> & { name: string }): HotspotProfileInfo {
  return {
    id: '*1',
    rateLimit: '2M/2M',
    sessionTimeout: '1h',
    idleTimeout: 'none',
    keepaliveTimeout: '2m',
    statusAutorefresh: '1m',
    sharedUsers: '1',
    addressList: 'clientes',
    macCookieTimeout: '3d',
    addMacCookie: true,
    ...values,
  };
}

/** What each operation answers until a test scripts otherwise: every call succeeds. */
function defaultResults(): Results {
  return {
    startPurchase: { kind: 'waiting' },
    notifyPayment: true,
    reconnectDevice: { requested: true, connected: true },
    probeRouter: {
      ok: true,
      identity: 'MikroTik-Lobby',
      version: '7.15.3',
      majorVersion: 7,
      latencyMs: 12,
      profiles: [profile({ id: '*1', name: 'default' }), profile({ id: '*2', name: '1hora', rateLimit: '5M/5M' })],
    },
    sendTelegramTest: { ok: true },
    registerConektaWebhookKey: { ok: true, keyId: 'webhk_test_1', publicKey: '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----' },
    startPaymentReconciliation: undefined,
    refundPurchase: { status: 'refunded' },
    revokePurchase: { status: 'revoked' },
    extendPurchase: { status: 'active', expiresAt: '2030-01-01T00:00:00.000Z' },
  };
}

/**
 * `Workflows` without Temporal, for route tests: every call is recorded, and each operation answers what the test
 * scripted (a value, or an Error to reject with). Typed against the real interface, so a changed contract fails to compile.
 */
export class FakeWorkflows implements Workflows {
  readonly calls: RecordedCall[] = [];
  readonly results: Results = defaultResults();

  /** Forgets the calls and restores the default results (call in `beforeEach`). */
  reset(): void {
    this.calls.length = 0;
    Object.assign(this.results, defaultResults());
  }

  /** Calls of one operation, oldest first. */
  callsOf(name: OperationName): unknown[][] {
    return this.calls.filter((c) => c.name === name).map((c) => c.args);
  }

  async healthy(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {}

  startPurchase(...args: Parameters<Operations['startPurchase']>) {
    return this.answer('startPurchase', args);
  }

  notifyPayment(...args: Parameters<Operations['notifyPayment']>) {
    return this.answer('notifyPayment', args);
  }

  reconnectDevice(...args: Parameters<Operations['reconnectDevice']>) {
    return this.answer('reconnectDevice', args);
  }

  probeRouter(...args: Parameters<Operations['probeRouter']>) {
    return this.answer('probeRouter', args);
  }

  sendTelegramTest(...args: Parameters<Operations['sendTelegramTest']>) {
    return this.answer('sendTelegramTest', args);
  }

  registerConektaWebhookKey(...args: Parameters<Operations['registerConektaWebhookKey']>) {
    return this.answer('registerConektaWebhookKey', args);
  }

  startPaymentReconciliation(...args: Parameters<Operations['startPaymentReconciliation']>) {
    return this.answer('startPaymentReconciliation', args);
  }

  refundPurchase(...args: Parameters<Operations['refundPurchase']>) {
    return this.answer('refundPurchase', args);
  }

  revokePurchase(...args: Parameters<Operations['revokePurchase']>) {
    return this.answer('revokePurchase', args);
  }

  extendPurchase(...args: Parameters<Operations['extendPurchase']>) {
    return this.answer('extendPurchase', args);
  }

  private async answer<K extends OperationName>(name: K, args: unknown[]): Promise<Result<K>> {
    this.calls.push({ name, args });
    const result = this.results[name];
    if (result instanceof Error) throw result;
    return structuredClone(result) as Result<K>;
  }
}
