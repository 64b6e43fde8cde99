import type { DataSource } from 'typeorm';
import type { Config } from '../shared/config';
import type { Logger } from '../shared/logger';
import type { SecretBox } from '../shared/secrets';
import type { Workflows } from './temporal/workflows';

/** Everything the HTTP app needs, built by api/server.ts (or by a test). */
export interface AppDeps {
  config: Config;
  dataSource: DataSource;
  secrets: SecretBox;
  logger: Logger;
  /** The API's only door to Temporal: start, signal and ask workflows. */
  workflows: Workflows;
}
