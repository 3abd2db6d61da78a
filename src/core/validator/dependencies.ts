/**
 * Dependencies: each names a step of this fragment or a known step (DEPENDENCY_UNKNOWN); a
 * known step must be complete when planning runs (DEPENDENCY_FORBIDDEN: the convergence step,
 * anything after it, this planning step, or a parallel branch still running); and the graph
 * has no cycle (DEPENDENCY_CYCLE, with the cycle's path).
 */
import { listChoices } from '../diagnostics.js';
import type { KnownStep } from '../validation.js';
import type { Analysis } from './analysis.js';
import { closestFirst } from './suggest.js';

/** Why a known step may not be depended on or read, as a clause after its name. */
export function unavailableReason(a: Analysis, name: string, known: KnownStep): string {
  if (known.availability === 'pending') {
    return `which has not finished when planning step '${a.ctx.planningStep}' runs (it is on a parallel branch of the frame)`;
  }
  if (name === a.ctx.planningStep) return 'which is this planning step itself';
  if (known.kind === 'convergence') return 'which is the convergence step, and runs after everything planned here';
  return "which runs after this planning step's convergence";
}

/**
 * What `stepName` could depend on: known steps complete before planning, and steps of this
 * fragment whose handler this planning step may use and that do not already depend on
 * `stepName` (which would close a cycle). A step of a rejected fragment that cannot run is no
 * choice to offer.
 */
function dependableNames(a: Analysis, stepName: string): string[] {
  const dependents = new Set([stepName]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const { step } of a.steps) {
      if (!dependents.has(step.name) && step.dependencies.some((d) => dependents.has(d))) {
        dependents.add(step.name);
        grew = true;
      }
    }
  }
  const usable = a.steps.filter((v) => !dependents.has(v.step.name) && a.usableEntry(v) !== undefined).map((v) => v.step.name);
  const known = Object.entries(a.ctx.knownSteps).filter(([, k]) => k.availability === 'complete').map(([n]) => n);
  return [...new Set([...usable, ...known])];
}

function reportDependency(a: Analysis, stepName: string, dep: string, path: string): void {
  const known = a.known(dep);
  if (known?.availability === 'complete') return;
  const choices = closestFirst(dep, dependableNames(a, stepName));
  if (!known) {
    a.report(
      'DEPENDENCY_UNKNOWN',
      path,
      `Step '${stepName}' depends on '${dep}', which is neither a step of this fragment nor a step of the task.`,
      `Use one of: ${listChoices(choices)}.`,
    );
  } else {
    a.report(
      'DEPENDENCY_FORBIDDEN',
      path,
      `Step '${stepName}' depends on '${dep}', ${unavailableReason(a, dep, known)}.`,
      `Remove '${dep}': depend only on steps of this fragment or on steps complete before planning: ${listChoices(choices)}.`,
    );
  }
}

/** Reports unknown and forbidden dependencies and cycles. */
export function checkDependencies(a: Analysis): void {
  for (const { step, at } of a.steps) {
    for (let j = 0; j < step.dependencies.length; j++) {
      const dep = step.dependencies[j] as string;
      if (a.byName.has(dep) || a.unparsedNames.has(dep)) continue;
      reportDependency(a, step.name, dep, `${at}/dependencies/${j}`);
    }
  }
  for (const cycle of a.dag.cycles()) {
    const owner = a.steps[cycle.node];
    if (!owner) continue;
    const path = cycle.path;
    const from = path[path.length - 2] ?? '';
    const to = path[path.length - 1] ?? '';
    a.report(
      'DEPENDENCY_CYCLE',
      `${owner.at}/dependencies/${cycle.dependency}`,
      `Steps depend on each other in a cycle: ${path.join(' → ')} (each depends on the next).`,
      `Remove a dependency of the cycle, e.g. '${to}' from the dependencies of '${from}', so that every step depends only on steps that can finish before it.`,
    );
  }
}
