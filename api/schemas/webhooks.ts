import { z } from 'zod';

/** Ids arrive as strings or numbers, depending on the gateway and its API version. */
const ResourceId = z.union([z.string(), z.number().int()]);

/** Query string of a Mercado Pago notification: `?data.id=…&type=payment` (older ones: `?id=…&topic=payment`). */
export const MercadoPagoNotificationQuery = z.object({
  'data.id': z.string().optional(),
  type: z.string().optional(),
  id: z.string().optional(),
  topic: z.string().optional(),
});

/** A Mercado Pago notification. Only the payment id and the type are used: the payment itself is read from the gateway. */
export const MercadoPagoNotification = z.looseObject({
  id: ResourceId.optional().describe('Notification id'),
  type: z.string().optional().describe('`payment` for payments'),
  action: z.string().optional().describe('`payment.created`, `payment.updated`…'),
  data: z.looseObject({ id: ResourceId.optional().describe('Payment id') }).optional(),
});

/** A Conekta event about an order: `data.object` is the order, or one of its charges (with `order_id`). */
export const ConektaEvent = z.looseObject({
  id: z.string().optional().describe('Event id'),
  type: z.string().optional().describe('`order.paid`, `order.declined`, `charge.refunded`…'),
  data: z
    .looseObject({
      object: z
        .looseObject({
          id: z.string().optional(),
          object: z.string().optional().describe('`order` or `charge`'),
          order_id: z.string().optional(),
          metadata: z.looseObject({ purchase_id: z.string().optional() }).optional(),
        })
        .optional(),
    })
    .optional(),
});

export const WebhookReceived = z.object({ status: z.enum(['received', 'duplicate', 'ignored']) });
