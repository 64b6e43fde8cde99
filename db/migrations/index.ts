import { InitialSchema1764300000000 } from './1764300000000-InitialSchema';

/** Every migration, oldest first. */
export const MIGRATIONS = [InitialSchema1764300000000];
