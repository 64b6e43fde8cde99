import { InitialSchema1764300000000 } from './1764300000000-InitialSchema';
import { PurchaseAttempts1764700000000 } from './1764700000000-PurchaseAttempts';

/** Every migration, oldest first. */
export const MIGRATIONS = [InitialSchema1764300000000, PurchaseAttempts1764700000000];
