/**
 * Saved histories (the example; a fan-out that parks and is retried; a task with patch weft-10-operator-history that re-plans, parks, is skipped and passes a gate; a task running in slices and two of its slices; the first and last runs of a task continued as new) replay against today's workflow code; a deliberately changed
 * workflow fails to replay them with a determinism error.
 */
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { WORKFLOWS_PATH } from '../../src/worker.js';
import { bundlerOptions } from '../../src/bundler.js';
import { telemetrySinks } from '../../src/telemetry/sinks.js';

const dir = new URL('./histories/', import.meta.url);
let current: WorkflowBundleWithSourceMap;
let changed: WorkflowBundleWithSourceMap;
let files: string[];
/** Workflow IDs of histories whose commands name them (child workflow IDs are the task's ID and the slice). */
let workflowIds: Record<string, string>;

beforeAll(async () => {
  files = (await readdir(dir)).filter((f) => f.endsWith('.json') && f !== 'workflow-ids.json').sort();
  workflowIds = JSON.parse(await readFile(new URL('workflow-ids.json', dir), 'utf8')) as Record<string, string>;
  [current, changed] = await Promise.all([
    bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, ...bundlerOptions }),
    bundleWorkflowCode({ workflowsPath: fileURLToPath(new URL('./changed/index.ts', import.meta.url)), ...bundlerOptions }),
  ]);
});

async function load(file: string) {
  return historyFromJSON(JSON.parse(await readFile(new URL(file, dir), 'utf8')));
}

describe('replay of saved histories', () => {
  it('has saved histories to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it('replays every saved history with the current workflow code', async () => {
    for (const file of files) {
      const history = await load(file);
      expect(history.events?.length ?? 0).toBeGreaterThan(20);
      await expect(Worker.runReplayHistory({ workflowBundle: current, sinks: telemetrySinks() }, history, workflowIds[file] ?? file), file).resolves.toBeUndefined();
    }
  });

  it('fails with a determinism error when the workflow code changed', async () => {
    const history = await load(files[0]!);
    await expect(Worker.runReplayHistory({ workflowBundle: changed, sinks: telemetrySinks() }, history, files[0])).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
