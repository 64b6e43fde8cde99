import { gatewayFailure, waitingOutRateLimits } from '../../../activities/payments/gateway';

describe('waitingOutRateLimits', () => {
  const rateLimited = (retryAfter?: number) => gatewayFailure('conekta', 429, 'rate_limit_exceeded', undefined, retryAfter);

  it('waits as long as the gateway says (capped at 30 s), else 0.5 s, 1 s, 2 s…, and then succeeds', async () => {
    const waits: number[] = [];
    const answers = [rateLimited(2), rateLimited(), rateLimited(), rateLimited(120)];
    const result = await waitingOutRateLimits(
      async () => {
        const next = answers.shift();
        if (next) throw next;
        return 'page';
      },
      async (ms) => void waits.push(ms),
    );
    expect(result).toBe('page');
    expect(waits).toEqual([2_000, 1_000, 2_000, 30_000]);
  });

  it('gives up after six tries with the last 429 (retryable), and never retries anything else', async () => {
    let calls = 0;
    const limited = waitingOutRateLimits(async () => {
      calls += 1;
      throw rateLimited(1);
    }, async () => undefined);
    await expect(limited).rejects.toMatchObject({ retryable: true, details: { httpStatus: 429, retryAfterSeconds: 1 } });
    expect(calls).toBe(6);

    calls = 0;
    const down = waitingOutRateLimits(async () => {
      calls += 1;
      throw gatewayFailure('mercado_pago', 503);
    }, async () => undefined);
    await expect(down).rejects.toMatchObject({ details: { httpStatus: 503 } });
    expect(calls).toBe(1);
  });
});
