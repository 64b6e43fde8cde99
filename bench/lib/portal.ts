import { randomBytes } from 'node:crypto';
import type { Gateway } from '../../domain/purchase';
import type { Outcome } from './load';

/** Captive-portal requests as a portal sends them. */

export const GATEWAYS: Gateway[] = ['conekta', 'mercado_pago'];

export interface PurchaseTarget {
  apiUrl: string;
  apiKey: string;
  productId: number;
  /** The product's price in major units (Mercado Pago's `transaction_amount` must match it). */
  price: number;
}

/** A card token the simulators approve; each is accepted once, so every purchase gets a fresh one. */
export const approvingToken = () => `tok_test_approved_${randomBytes(8).toString('hex')}`;

function body(gateway: Gateway, target: PurchaseTarget): Record<string, unknown> {
  const customer = { product_id: target.productId, customer_name: 'Bench Customer', customer_email: 'bench@example.com' };
  return gateway === 'conekta'
    ? { ...customer, card_token: approvingToken() }
    : { ...customer, token: approvingToken(), payment_method_id: 'visa', transaction_amount: target.price };
}

const PATHS: Record<Gateway, string> = { conekta: 'pagar-conekta', mercado_pago: 'pagar-mercado-pago' };

/** One purchase with a fresh approving token; a success is a 200 carrying the hotspot credentials. */
export async function purchase(gateway: Gateway, target: PurchaseTarget): Promise<Outcome & { username?: string }> {
  const response = await fetch(`${target.apiUrl}/api/v1/payments/${PATHS[gateway]}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${target.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body(gateway, target)),
  });
  const answer = (await response.json()) as { usuario_hotspot?: { usuario?: string } };
  const username = answer.usuario_hotspot?.usuario;
  return { ok: response.status === 200 && Boolean(username), status: String(response.status), username };
}
