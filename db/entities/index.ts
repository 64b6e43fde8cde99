// Every entity of the schema, and nothing else: the data source registers all that this module exports.
export * from './admin-session.entity';
export * from './admin-user.entity';
export * from './audit-log.entity';
export * from './company.entity';
export * from './processed-webhook-event.entity';
export * from './product.entity';
export * from './purchase-event.entity';
export * from './purchase.entity';
export * from './router-api-key.entity';
export * from './router.entity';
export * from './telegram-test.entity';
export * from './voucher-batch.entity';
export * from './voucher.entity';
