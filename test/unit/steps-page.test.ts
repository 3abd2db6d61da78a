/**
 * The step table by pages: a task with thousands of steps has a table larger than Temporal allows
 * one query result (2 MB), so the workflow answers `weft.steps.page` in pages cut by bytes and the
 * client reads them all, or the whole table from a worker that predates pages.
 */
import { QueryNotRegisteredError, WorkflowNotFoundError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { readStepTable } from '../../src/client/steps.js';
import { jsonByteLength } from '../../src/core/json.js';
import { newStepRecord, stepsPage, STEPS_PAGE_BYTES, type StepRecord } from '../../src/core/steps.js';
import { slicesQuery, stepsPageQuery, stepsQuery } from '../../workflows/definitions.js';

const child = (i: number): StepRecord => ({
  ...newStepRecord({
    name: `fan[${i}]`,
    kind: 'planned',
    handler: 'batch_echo',
    dependencies: [],
    spawnedBy: 'fan',
    provenance: { createdBy: 'batch_spawn', planningStep: 'plan', fragmentId: 'plan:p1:0123abcd', planningPhase: 1, planningReasoning: `partition ${i + 1} of 10000 of fan (item ${i})` },
  }),
  state: 'completed',
  executions: 1,
  startedAtMs: 1_700_000_000_000 + i,
  finishedAtMs: 1_700_000_000_050 + i,
  outputBytes: 40,
});
const table = Array.from({ length: 10_000 }, (_, i) => child(i));

/** A handle whose workflow answers the page query as `workflows/task.ts` does. */
function handleOf(records: readonly StepRecord[], pages = true) {
  const asked: unknown[] = [];
  return {
    asked,
    query: <R>(query: unknown, ...args: unknown[]): Promise<R> => {
      asked.push(query === stepsPageQuery ? args[0] : 'whole');
      if (query === stepsPageQuery) {
        if (!pages) return Promise.reject(new QueryNotRegisteredError('Workflow did not register a handler for weft.steps.page', 3));
        return Promise.resolve(stepsPage(records, args[0] as number) as R);
      }
      if (query === stepsQuery) return Promise.resolve(records as R);
      return Promise.reject(new Error('unexpected query'));
    },
  };
}

describe('stepsPage', () => {
  it('cuts 10,000 records into pages under the byte limit, in order, each starting where the last ended', () => {
    expect(jsonByteLength(table)).toBeGreaterThan(2 * 1024 * 1024); // the whole table would pass Temporal's limit
    const seen: StepRecord[] = [];
    let pages = 0;
    for (let from: number | null = 0; from !== null; pages++) {
      const page = stepsPage(table, from);
      expect(page.total).toBe(10_000);
      expect(jsonByteLength(page.records)).toBeLessThanOrEqual(STEPS_PAGE_BYTES);
      seen.push(...page.records);
      from = page.next;
    }
    expect(pages).toBeGreaterThan(2);
    expect(seen.map((r) => r.name)).toEqual(table.map((r) => r.name));
  });

  it('always moves on: a record larger than the page is a page of its own', () => {
    const big = { ...child(0), error: { type: 'X', message: 'm'.repeat(5000) } };
    expect(stepsPage([big, child(1)], 0, 1000)).toMatchObject({ records: [big], next: 1, total: 2 });
    expect(stepsPage([big, child(1)], 1, 1000)).toMatchObject({ records: [child(1)], next: null });
  });

  it('a small table is one page; past the end is an empty last page', () => {
    expect(stepsPage(table.slice(0, 3), 0)).toEqual({ records: table.slice(0, 3), total: 3, next: null });
    expect(stepsPage(table.slice(0, 3), 7)).toEqual({ records: [], total: 3, next: null });
  });
});

describe('readStepTable', () => {
  it('reads every page of a 10,000-step table', async () => {
    const handle = handleOf(table);
    const steps = await readStepTable(handle);
    expect(steps.map((s) => s.name)).toEqual(table.map((s) => s.name));
    expect(handle.asked.length).toBeGreaterThan(2);
    expect(handle.asked).not.toContain('whole');
  });

  it('reads the whole table from a worker that predates pages', async () => {
    const handle = handleOf(table.slice(0, 5), false);
    expect((await readStepTable(handle)).map((s) => s.name)).toEqual(['fan[0]', 'fan[1]', 'fan[2]', 'fan[3]', 'fan[4]']);
    expect(handle.asked).toEqual([0, 'whole']);
  });
});

describe('readStepTable with running slices', () => {
  const pendingChild = (i: number): StepRecord => ({ ...child(i), state: 'pending', executions: 0, startedAtMs: null, finishedAtMs: null, outputBytes: null });
  /** A workflow that answers pages, `weft.slices` (or not) and `weft.steps`. */
  function workflow(records: readonly StepRecord[], slices: string[] | 'unknown' | 'gone') {
    return {
      query: <R>(query: unknown, ...args: unknown[]): Promise<R> => {
        if (slices === 'gone') return Promise.reject(new WorkflowNotFoundError('workflow not found', 'x', undefined));
        if (query === stepsPageQuery) return Promise.resolve(stepsPage(records, args[0] as number) as R);
        if (query === stepsQuery) return Promise.resolve(records as R);
        if (query === slicesQuery) {
          if (slices === 'unknown') return Promise.reject(new QueryNotRegisteredError('Workflow did not register a handler for weft.slices', 3));
          return Promise.resolve(slices as R);
        }
        return Promise.reject(new Error('unexpected query'));
      },
    };
  }

  it("takes a running slice's records (and its own slices') over the task's stale copies", async () => {
    const task = workflow([child(0), pendingChild(1), pendingChild(2), pendingChild(3)], ['t/fan#0', 't/fan#1']);
    const slices: Record<string, ReturnType<typeof workflow>> = {
      't/fan#0': workflow([child(1), { ...pendingChild(2), state: 'running' }], ['t/fan#0/inner#0']),
      't/fan#0/inner#0': workflow([child(2)], []),
      't/fan#1': workflow([{ ...pendingChild(3), state: 'parked' }], []),
    };
    const steps = await readStepTable(task, (id) => slices[id]!);
    expect(steps.map((s) => [s.name, s.state])).toEqual([
      ['fan[0]', 'completed'],
      ['fan[1]', 'completed'],
      ['fan[2]', 'completed'],
      ['fan[3]', 'parked'],
    ]);
  });

  it("keeps the task's table from a worker without weft.slices, for a slice gone since, and when nothing runs", async () => {
    const table = [child(0), pendingChild(1)];
    const opened: string[] = [];
    const open = (id: string) => {
      opened.push(id);
      return workflow([], 'gone');
    };
    expect(await readStepTable(workflow(table, 'unknown'), open)).toEqual(table);
    expect(await readStepTable(workflow(table, ['t/fan#0']), open)).toEqual(table);
    expect(opened).toEqual(['t/fan#0']);
    expect(await readStepTable(workflow([child(0)], ['never-asked']), open)).toEqual([child(0)]);
    expect(opened).toEqual(['t/fan#0']);
  });
});
