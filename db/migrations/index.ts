import { InitialSchema1764300000000 } from './1764300000000-InitialSchema';
import { TelegramTests1764600000000 } from './1764600000000-TelegramTests';
import { PurchaseAttempts1764700000000 } from './1764700000000-PurchaseAttempts';
import { ImportedPurchases1764900000000 } from './1764900000000-ImportedPurchases';
import { RateLimitWindows1796095774043 } from './1796095774043-RateLimitWindows';
import { CompanyLogos1796095774044 } from './1796095774044-CompanyLogos';
import { Vouchers1796096657903 } from './1796096657903-Vouchers';
import { ReconciliationRuns1796097000000 } from './1796097000000-ReconciliationRuns';
import { RouterKeyCopies1796100000000 } from './1796100000000-RouterKeyCopies';
import { OperatorNotices1796200000000 } from './1796200000000-OperatorNotices';

/** Every migration, oldest first. */
export const MIGRATIONS = [
  InitialSchema1764300000000,
  TelegramTests1764600000000,
  PurchaseAttempts1764700000000,
  ImportedPurchases1764900000000,
  RateLimitWindows1796095774043,
  CompanyLogos1796095774044,
  Vouchers1796096657903,
  ReconciliationRuns1796097000000,
  RouterKeyCopies1796100000000,
  OperatorNotices1796200000000,
];
