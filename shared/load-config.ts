import { config as loadDotenv } from 'dotenv';
import { ConfigError, parseConfig, type Config } from './config';

/**
 * Reads `.env` from the working directory (never overriding real environment variables), validates, and on failure
 * prints one message listing every problem and exits with status 78 (EX_CONFIG) — no stack trace.
 */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  loadDotenv({ quiet: true });
  try {
    return parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}
