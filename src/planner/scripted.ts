/**
 * The scripted planner: fragments given in code or files, for tests, demos and fallbacks.
 * It answers by (planning step, phase, attempt), so retries and replays give the same answer.
 */
import { readFile } from 'node:fs/promises';
import type { Planner, PlanningRequest, PlanningResult } from './types.js';

/** A script: per planning step, per phase (from 1), per attempt (from 1), the output to return. */
export type PlannerScript =
  | Readonly<Record<string, readonly (readonly unknown[])[]>>
  | ((request: PlanningRequest) => unknown);

/**
 * A planner that returns scripted outputs. When a phase has fewer entries than attempts, the last
 * entry repeats; a missing planning step or phase is an error naming what is scripted.
 * @example
 * const planner = scriptedPlanner({ plan_processing: [[invalidFragment, validFragment]] });
 */
export function scriptedPlanner(script: PlannerScript, name = 'scripted'): Planner {
  return {
    name,
    plan(request: PlanningRequest): Promise<PlanningResult> {
      const started = Date.now();
      const output = typeof script === 'function' ? script(request) : lookup(script, request);
      return Promise.resolve({
        output,
        planner: name,
        model: name,
        inputTokens: 0,
        outputTokens: 0,
        costUsd: 0,
        latencyMs: Date.now() - started,
        llmCalls: 0,
        prompt: null,
      });
    },
  };
}

function lookup(script: Readonly<Record<string, readonly (readonly unknown[])[]>>, req: PlanningRequest): unknown {
  const phases = script[req.planningStep];
  if (!phases) {
    throw new Error(`scriptedPlanner has no script for planning step '${req.planningStep}'; scripted: ${Object.keys(script).join(', ') || '(none)'}.`);
  }
  const attempts = phases[req.phase - 1];
  if (!attempts || attempts.length === 0) {
    throw new Error(`scriptedPlanner has no phase ${req.phase} for '${req.planningStep}' (it has ${phases.length}).`);
  }
  return attempts[Math.min(req.attempt, attempts.length) - 1];
}

/** Loads a script from a JSON file: `{ "<planning step>": [[<phase 1 attempt 1>, ...], ...] }`. */
export async function scriptedPlannerFromFile(path: string): Promise<Planner> {
  const text = await readFile(path, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`Planner script ${path} is not JSON: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`Planner script ${path} must be an object of planning step → phases → attempts.`);
  }
  return scriptedPlanner(parsed as Record<string, unknown[][]>, `scripted:${path}`);
}
