// The template's test, in Temporal's time-skipping environment, with node's own test runner.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fragment, scriptedPlanner, step, WeftTestEnv } from '@weftworks/weft/testing';
import registry from '../src/registry.js';

let env: WeftTestEnv;
before(async () => {
  env = await WeftTestEnv.create();
});
after(async () => {
  await env?.teardown();
});

test('greets everyone the planner planned a step for', async () => {
  const run = await env.runTask({ ...registry, template: 'greetings', input: { names: ['Ada', 'Grace'] } });
  assert.equal(run.error, null);
  assert.deepEqual(run.result?.result, { result: ['Hello, Ada.', 'Hello, Grace!'] });
  assert.deepEqual(
    run.steps.map((s) => [s.name, s.state, s.provenance.createdBy]),
    [
      ['plan_greetings', 'completed', 'template'],
      ['collect', 'completed', 'template'],
      ['greet_ada', 'completed', 'planning_step'],
      ['greet_grace', 'completed', 'planning_step'],
    ],
  );
});

test('a blank name fails the step with its declared error mode', async () => {
  const planner = scriptedPlanner({ plan_greetings: [[fragment([step('greet_nobody', 'greet', { name: ' ' })])]] });
  const run = await env.runTask({ ...registry, planner, template: 'greetings' });
  assert.ok(run.error, 'the task fails');
  const failed = run.steps.find((s) => s.name === 'greet_nobody');
  assert.equal(failed?.state, 'failed');
  assert.equal(failed?.error?.type, 'GREETING_NAME_BLANK');
});
