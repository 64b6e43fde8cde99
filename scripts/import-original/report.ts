import type { OriginalTable } from './source';
import { ORIGINAL_TABLES } from './source';

/** This service's table each original table goes to. */
const TARGET: Record<OriginalTable, string> = {
  empresas: 'companies',
  usuarios: 'admin_users',
  routers: 'routers',
  api_keys_tracking: 'router_api_keys',
  productos: 'products',
  transacciones: 'purchases',
};

export interface TableCounts {
  /** Written by this run (a dry run: would be written). */
  imported: number;
  /** Already in this database (an earlier run, or the same row made here): left as it is. */
  skipped: number;
  refused: number;
}

/** A row of the original database and what happened to it. */
export interface RowMessage {
  table: OriginalTable;
  id: string;
  text: string;
}

export interface AdoptionCounts {
  /** Sales still active, whose hotspot user the purchase workflow takes over (a dry run: would). */
  candidates: number;
  /** Purchase workflows started by this run. */
  started: number;
  /** Purchase workflows an earlier run had started. */
  alreadyStarted: number;
  /** Dry run only: paid sales whose status waits for the validity read on the router at import. */
  undecided: number;
}

/** Everything an import did (or would do): counts per table, every refusal with its reason, notes, to-dos. */
export class ImportReport {
  readonly counts = Object.fromEntries(ORIGINAL_TABLES.map((t) => [t, { imported: 0, skipped: 0, refused: 0 }])) as Record<OriginalTable, TableCounts>;
  readonly refused: RowMessage[] = [];
  readonly notes: RowMessage[] = [];
  readonly adoption: AdoptionCounts = { candidates: 0, started: 0, alreadyStarted: 0, undecided: 0 };
  readonly todo: string[] = [];

  constructor(readonly dryRun: boolean) {}

  refuse(table: OriginalTable, id: string | number, reason: string): void {
    this.counts[table].refused += 1;
    this.refused.push({ table, id: String(id), text: reason });
  }

  skip(table: OriginalTable): void {
    this.counts[table].skipped += 1;
  }

  imported(table: OriginalTable, count = 1): void {
    this.counts[table].imported += count;
  }

  note(table: OriginalTable, id: string | number, text: string): void {
    this.notes.push({ table, id: String(id), text });
  }

  /** Whether this run wrote (or would write) anything. */
  get changed(): boolean {
    return ORIGINAL_TABLES.some((t) => this.counts[t].imported > 0) || this.adoption.started > 0;
  }

  /** The report as printed at the end of a run. */
  format(): string {
    const lines: string[] = [];
    lines.push(this.dryRun ? 'Dry run: nothing was written. This is what the import would do.' : 'Import finished.');
    lines.push('');
    const head = ['original table → table', this.dryRun ? 'would import' : 'imported', 'skipped', 'refused'];
    const rows = ORIGINAL_TABLES.map((t) => [`${t} → ${TARGET[t]}`, ...Object.values(this.counts[t]).map(String)]);
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    for (const row of [head, ...rows]) lines.push(`  ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('   ')}`);
    lines.push('  (skipped: already in this database, left unchanged)');
    lines.push('');

    const a = this.adoption;
    lines.push('Customers still active on their routers (adopted: their purchase workflow tags the hotspot user and removes it at expiry):');
    if (this.dryRun) {
      lines.push(`  ${a.candidates} would be adopted${a.undecided ? `; ${a.undecided} more paid sales are decided at import, once their product's validity is read on the router` : ''}`);
    } else {
      lines.push(`  ${a.candidates} active; workflows started now: ${a.started}, started by an earlier run: ${a.alreadyStarted}`);
    }
    lines.push('');

    lines.push(this.refused.length ? `Refused rows (${this.refused.length}):` : 'Refused rows: none');
    for (const r of this.refused) lines.push(`  ${r.table} ${r.id}: ${r.text}`);
    if (this.notes.length) {
      lines.push('');
      lines.push(`Notes (${this.notes.length}):`);
      for (const n of this.notes) lines.push(`  ${n.table} ${n.id}: ${n.text}`);
    }
    if (this.todo.length) {
      lines.push('');
      lines.push('What you must still do:');
      this.todo.forEach((item, i) => lines.push(`  ${i + 1}. ${item}`));
    }
    return lines.join('\n');
  }
}
