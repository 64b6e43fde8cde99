import { AdminSessionEntity } from './admin-session.entity';
import { AdminUserEntity } from './admin-user.entity';
import { AuditLogEntity } from './audit-log.entity';
import { CompanyEntity } from './company.entity';
import { ProcessedWebhookEventEntity } from './processed-webhook-event.entity';
import { ProductEntity } from './product.entity';
import { PurchaseEventEntity } from './purchase-event.entity';
import { PurchaseEntity } from './purchase.entity';
import { RouterApiKeyEntity } from './router-api-key.entity';
import { RouterEntity } from './router.entity';
import { TelegramTestEntity } from './telegram-test.entity';
import { VoucherBatchEntity } from './voucher-batch.entity';
import { VoucherEntity } from './voucher.entity';

export {
  AdminSessionEntity,
  AdminUserEntity,
  AuditLogEntity,
  CompanyEntity,
  ProcessedWebhookEventEntity,
  ProductEntity,
  PurchaseEventEntity,
  PurchaseEntity,
  RouterApiKeyEntity,
  RouterEntity,
  TelegramTestEntity,
  VoucherBatchEntity,
  VoucherEntity,
};

export const ENTITIES = [
  AdminSessionEntity,
  AdminUserEntity,
  AuditLogEntity,
  CompanyEntity,
  ProcessedWebhookEventEntity,
  ProductEntity,
  PurchaseEventEntity,
  PurchaseEntity,
  RouterApiKeyEntity,
  RouterEntity,
  TelegramTestEntity,
  VoucherBatchEntity,
  VoucherEntity,
];
