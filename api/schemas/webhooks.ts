import { z } from 'zod';

/** An id as gateways send it: text, or (Mercado Pago's event and payment ids) an integer. */
const GatewayId = z.union([z.string().min(1).max(200), z.number().int().nonnegative()]);
const EventWord = z.string().max(100);

/** Query string of a Mercado Pago notification: `?data.id=…&type=payment` (older ones: `?id=…&topic=payment`). */
export const MercadoPagoNotificationQuery = z.object({
  'data.id': z.string().max(200).optional().describe('Payment id'),
  type: EventWord.optional(),
  id: z.string().max(200).optional().describe('Payment id (older notifications)'),
  topic: EventWord.optional(),
});

/**
 * A Mercado Pago notification: the fields read, the rest left as sent. Only the payment id and the type are used: the
 * payment itself is read from the gateway.
 */
export const MercadoPagoNotification = z
  .looseObject({
    id: GatewayId.optional().describe('Notification id'),
    type: EventWord.optional().describe('`payment` for payments'),
    topic: EventWord.optional(),
    action: EventWord.optional().describe('`payment.created`, `payment.updated`…'),
    data: z.looseObject({ id: GatewayId.optional().describe('Payment id') }).optional(),
  })
  .nullish();

/** A Conekta event about an order: `data.object` is the order, or one of its charges (with `order_id`). */
export const ConektaEvent = z
  .looseObject({
    id: z.string().min(1).max(200).optional().describe('Event id'),
    type: EventWord.optional().describe('`order.paid`, `order.declined`, `charge.refunded`…'),
    data: z
      .looseObject({
        object: z
          .looseObject({
            id: z.string().max(200).optional(),
            object: z.string().max(50).optional().describe('`order` or `charge`'),
            order_id: z.string().max(200).nullish(),
            metadata: z.looseObject({ purchase_id: z.string().max(100).optional() }).nullish(),
          })
          .optional(),
      })
      .optional(),
  })
  .nullish();

export const WebhookReceived = z.object({ status: z.enum(['received', 'duplicate', 'ignored']) });
