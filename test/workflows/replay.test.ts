import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { createLogger } from '../../shared/logger';
import { installTemporalLogger } from '../../worker/temporal-runtime';
import { workflowBundle } from '../helpers/stack';

/**
 * Purchases live for days, so a deploy meets workflows started by the previous code. Replaying recorded histories of
 * every path (test/fixtures/histories, recorded by test/workflows/purchase.test.ts with RECORD_HISTORIES=1) with the
 * current workflow code catches a change that would break them; such a change needs `patched()` or a new version.
 */
const folder = path.join(__dirname, '../fixtures/histories');
const files = readdirSync(folder).filter((f) => f.endsWith('.json'));

describe('recorded purchase histories', () => {
  beforeAll(() => installTemporalLogger(createLogger({ level: 'error' })));

  it('has histories of every path to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
  });

  it.each(files)('%s replays with the current workflow code', async (file) => {
    const history = historyFromJSON(JSON.parse(readFileSync(path.join(folder, file), 'utf8')));
    await expect(
      Worker.runReplayHistory({ workflowBundle: await workflowBundle(), replayName: file }, history, `replay-${file}`),
    ).resolves.toBeUndefined();
  });
});
