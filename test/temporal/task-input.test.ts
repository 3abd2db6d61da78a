/**
 * Input defaults on every start path: by template name on a worker given compiled plans (what
 * `weft worker` does) and with a compiled plan passed directly (`startPlan`).
 */
import { describe, expect, it } from 'vitest';
import { scriptedPlanner } from '../../src/planner/scripted.js';
import { compileAll, createWeftWorker } from '../../src/worker.js';
import { weftTask } from '../../workflows/task.js';
import { fragment, runTask, step, testTemplate } from '../support/engine.js';
import { useTimeSkippingEngine } from '../support/suite.js';
import { testHandlers } from '../support/test-handlers.js';
import { gate } from '../../catalog/gate.js';
import { fanOut } from '../../catalog/fan-out.js';

const engine = useTimeSkippingEngine();
const planner = scriptedPlanner(() => fragment([step('twice', 'add', { values: ['${steps.seed.output.value}', '${task.input.n}'] }, ['seed'])]));

describe('task input defaults', () => {
  it('a plan passed directly gets its input defaults (n = 1)', async () => {
    const template = testTemplate();
    const [plan] = compileAll([template], [...testHandlers, gate, fanOut]);
    const { result, error } = await runTask({ ...engine, template, planner, plan: plan!, input: {} });
    expect(error).toBeNull();
    expect(result?.result).toMatchObject({ results: { twice: { value: 2 } } });
  });

  it('a plan passed directly with a wrong input fails with TASK_INPUT_INVALID naming the field', async () => {
    const template = testTemplate();
    const [plan] = compileAll([template], [...testHandlers, gate, fanOut]);
    const worker = await createWeftWorker({
      connection: engine.env.nativeConnection,
      taskQueue: 'task-input-invalid',
      handlers: [...testHandlers, gate, fanOut],
      templates: [template],
      planner,
      workflowBundle: engine.workflowBundle,
    });
    const error = await worker.runUntil(
      engine.env.client.workflow.execute(weftTask, { taskQueue: 'task-input-invalid', workflowId: `task-input-${Date.now()}`, args: [{ plan: plan!, input: { n: 'two' } }] }).then(
        () => null,
        (e: unknown) => e,
      ),
    );
    const cause = (error as Error & { cause?: { type?: string; message?: string } }).cause;
    expect(cause?.type).toBe('TASK_INPUT_INVALID');
    expect(cause?.message).toMatch(/\/n: .*number/);
  });
});
