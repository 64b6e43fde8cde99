import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Recorded purchase workflow histories, one folder per release (`test/fixtures/histories/<version>/`): the replay
 * test replays every folder with the current workflow code, so a release never breaks the purchases its
 * predecessors left sleeping. Recording (RECORD_HISTORIES=1) writes the folder of package.json's version, the release
 * being prepared; a released version's folder is never recorded again (docs/operations.md).
 */
export const HISTORIES = path.resolve(__dirname, '../fixtures/histories');

export const CURRENT_RELEASE = (JSON.parse(readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as { version: string }).version;

/** Every release that recorded histories, oldest first. */
export function recordedReleases(): string[] {
  const parts = (release: string) => release.split(/[.-]/).map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  return readdirSync(HISTORIES, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort((a, b) => {
      const [x, y] = [parts(a), parts(b)];
      for (let i = 0; i < Math.max(x.length, y.length); i++) if (x[i] !== y[i]) return (x[i] ?? -1) < (y[i] ?? -1) ? -1 : 1;
      return 0;
    });
}

/** The histories a release recorded (file names). */
export function historiesOf(release: string): string[] {
  return readdirSync(path.join(HISTORIES, release)).filter((file) => file.endsWith('.json'));
}

/** Every string of a workflow history (as fetchHistory returns it), payload bytes decoded: what anyone with access to Temporal can read. */
export function historyText(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') return Object.values(value).map(historyText).join('\n');
  return '';
}
