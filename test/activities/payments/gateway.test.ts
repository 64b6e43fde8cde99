import { gatewayFailure, waitingOutRateLimits } from '../../../activities/payments/gateway';

describe('waitingOutRateLimits', () => {
  const rateLimited = (retryAfter?: number) => gatewayFailure('conekta', 429, 'rate_limit_exceeded', undefined, retryAfter);

  it('waits as long as the gateway says, else 0.5 s, 1 s, 2 s…, and then succeeds', async () => {
    const waits: number[] = [];
    const answers = [rateLimited(2), rateLimited(), rateLimited(), rateLimited(5)];
    const result = await waitingOutRateLimits(
      async () => {
        const next = answers.shift();
        if (next) throw next;
        return 'page';
      },
      async (ms) => void waits.push(ms),
    );
    expect(result).toBe('page');
    expect(waits).toEqual([2_000, 1_000, 2_000, 5_000]);
  });

  it('gives up with the last 429 (retryable) once waiting longer would pass 20 s in all, and never retries anything else', async () => {
    const waits: number[] = [];
    const limited = waitingOutRateLimits(async () => {
      throw rateLimited(7);
    }, async (ms) => void waits.push(ms));
    await expect(limited).rejects.toMatchObject({ retryable: true, details: { httpStatus: 429, retryAfterSeconds: 7 } });
    expect(waits).toEqual([7_000, 7_000]);
    await expect(waitingOutRateLimits(async () => Promise.reject(rateLimited(60)), async () => undefined)).rejects.toMatchObject({ details: { httpStatus: 429 } });

    let calls = 0;
    const down = waitingOutRateLimits(async () => {
      calls += 1;
      throw gatewayFailure('mercado_pago', 503);
    }, async () => undefined);
    await expect(down).rejects.toMatchObject({ details: { httpStatus: 503 } });
    expect(calls).toBe(1);
  });
});
