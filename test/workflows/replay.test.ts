import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { createLogger } from '../../shared/logger';
import { installTemporalLogger } from '../../worker/temporal-runtime';
import { CURRENT_RELEASE, HISTORIES, historiesOf, recordedReleases } from '../helpers/histories';
import { workflowBundle } from '../helpers/stack';

/**
 * Purchases live for days, so a deploy meets workflows started by the code of earlier releases. Histories of every
 * path, recorded by each release (test/fixtures/histories/<version>, by test/workflows/purchase.test.ts with
 * RECORD_HISTORIES=1), are replayed with the current workflow code: a change that would break them needs `patched()`
 * (docs/operations.md).
 */
const cases = recordedReleases().flatMap((release) => historiesOf(release).map((file) => [release, file] as const));

describe('recorded purchase histories', () => {
  beforeAll(() => installTemporalLogger(createLogger({ level: 'error' })));

  it(`has histories of every path recorded by the release being prepared (${CURRENT_RELEASE})`, () => {
    // A new version in package.json records its own: RECORD_HISTORIES=1 npx jest test/workflows/purchase
    expect(recordedReleases()).toContain(CURRENT_RELEASE);
    expect(historiesOf(CURRENT_RELEASE).length).toBeGreaterThanOrEqual(8);
  });

  it.each(cases)('%s/%s replays with the current workflow code', async (release, file) => {
    const history = historyFromJSON(JSON.parse(readFileSync(path.join(HISTORIES, release, file), 'utf8')));
    await expect(
      Worker.runReplayHistory({ workflowBundle: await workflowBundle(), replayName: `${release}/${file}` }, history, `replay-${release}-${file}`),
    ).resolves.toBeUndefined();
  });
});
