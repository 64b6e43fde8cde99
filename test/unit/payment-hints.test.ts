import { mayReversePayment, worthNotifying } from '../../domain/temporal';

describe('which webhook notifications wake a purchase', () => {
  it('wakes a pending purchase for any notification', () => {
    for (const status of ['order.paid', 'payment.created', 'order.refunded', undefined]) {
      expect(worthNotifying('pending', { eventId: 'e', status })).toBe(true);
    }
  });

  it('wakes a purchase that is not waiting for a confirmation only for news that may reverse the payment, unknown news included', () => {
    expect(worthNotifying('active', { eventId: 'e', status: 'order.paid' })).toBe(false);
    expect(worthNotifying('paid', { eventId: 'e', status: 'charge.paid' })).toBe(false);
    // Charging, or already paid with its statuses not written yet: the charge's own answer came or comes first.
    expect(worthNotifying('created', { eventId: 'e', status: 'order.paid' })).toBe(false);
    expect(worthNotifying('charging', { eventId: 'e', status: 'payment.created' })).toBe(false);
    for (const status of ['order.refunded', 'charge.chargeback.created', 'payment.updated', 'something.new', undefined]) {
      expect(mayReversePayment({ eventId: 'e', status })).toBe(true);
      for (const purchase of ['created', 'charging', 'paid', 'active'] as const) expect(worthNotifying(purchase, { eventId: 'e', status })).toBe(true);
    }
  });
});
