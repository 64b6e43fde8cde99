import type { DataSource } from 'typeorm';
import { conektaWebhookKeyOf } from '../../db/repositories/purchase-path';

/** How long a company's key is used without reading it again. */
const LIFETIME_MS = 60_000;
/** Companies whose key is kept at once; the least recently read goes first. */
const MAX_COMPANIES = 1_000;

/**
 * Conekta webhook public keys by company, kept a minute: every sale brings a notice, and its company's key rarely
 * changes. A key replaced meanwhile shows as a signature that does not verify, and the caller reads it again
 * (`reload`) before refusing. Public keys are not secrets.
 */
export class ConektaWebhookKeys {
  private readonly keys = new Map<string, { pem: string | null; readAt: number }>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly now: () => number = Date.now,
  ) {}

  /** The company's key (null when it has none), and whether it was kept from an earlier read. */
  async get(companyId: string): Promise<{ pem: string | null; kept: boolean }> {
    const entry = this.keys.get(companyId);
    if (entry && this.now() - entry.readAt < LIFETIME_MS) return { pem: entry.pem, kept: true };
    return { pem: await this.reload(companyId), kept: false };
  }

  /** Reads the company's key now. */
  async reload(companyId: string): Promise<string | null> {
    const pem = await conektaWebhookKeyOf(this.dataSource, companyId);
    this.keys.delete(companyId);
    if (this.keys.size >= MAX_COMPANIES) this.keys.delete(this.keys.keys().next().value!);
    this.keys.set(companyId, { pem, readAt: this.now() });
    return pem;
  }
}
