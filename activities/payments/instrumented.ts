import type { GatewayOperation, WorkerMetrics } from '../../shared/metrics';
import { PaymentGatewayError, type PaymentErrorCode, type PaymentGateway } from './gateway';

const KINDS: Record<PaymentErrorCode, string> = {
  PAYMENT_GATEWAY_UNAVAILABLE: 'unavailable',
  PAYMENT_GATEWAY_REJECTED: 'rejected',
  PAYMENT_NOT_CONFIGURED: 'not_configured',
  PAYMENT_NOT_FOUND: 'not_found',
};

/** A failure's kind for the metrics: the adapter's classification, `other` for anything it did not classify. */
function kindOf(error: unknown): string {
  return error instanceof PaymentGatewayError ? (KINDS[error.code as PaymentErrorCode] ?? 'other') : 'other';
}

/**
 * The same gateway, each call counted and timed in the worker's metrics (by gateway, operation and failure kind).
 * Wrapped once where a gateway client is built (activities/deps.ts), so no adapter knows about metrics.
 */
export function instrumented(gateway: PaymentGateway, metrics: Pick<WorkerMetrics, 'gatewayCall'>): PaymentGateway {
  const timed =
    <A extends unknown[], R>(operation: GatewayOperation, call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const started = performance.now();
      try {
        const result = await call(...args);
        metrics.gatewayCall(gateway.gateway, operation, (performance.now() - started) / 1000);
        return result;
      } catch (error) {
        metrics.gatewayCall(gateway.gateway, operation, (performance.now() - started) / 1000, kindOf(error));
        throw error;
      }
    };
  return {
    gateway: gateway.gateway,
    charge: timed('charge', gateway.charge.bind(gateway)),
    getStatus: timed('getStatus', gateway.getStatus.bind(gateway)),
    findByPurchaseId: timed('findByPurchaseId', gateway.findByPurchaseId.bind(gateway)),
    refund: timed('refund', gateway.refund.bind(gateway)),
    cancel: timed('cancel', gateway.cancel.bind(gateway)),
    searchPayments: timed('searchPayments', gateway.searchPayments.bind(gateway)),
  };
}
