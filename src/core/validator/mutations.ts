/**
 * MUTATION_POLICY: what a planner may plan that changes the world. `forbid` — no mutating
 * handler; `require_gate` (the default) — every mutating step needs a `gate` step of the same
 * fragment upstream of it, so a human approves first (a rejected gate skips its dependents);
 * `allow` — no check. The template sets the policy per planning step; the planner cannot move it.
 */
import { listChoices } from '../diagnostics.js';
import { GATE_HANDLER } from '../gate.js';
import type { Analysis } from './analysis.js';
import { perPartitionEntry } from './fan-out.js';

/** Reports mutating steps the planning step's policy does not allow here. */
export function checkMutations(a: Analysis): void {
  const policy = a.ctx.mutationPolicy ?? 'require_gate';
  if (policy === 'allow') return;
  const gates = a.steps.filter((v) => v.step.handler === GATE_HANDLER && a.usableEntry(v) !== undefined);
  for (const v of a.steps) {
    const child = perPartitionEntry(a, v);
    if (!a.usableEntry(v)?.mutating && !child?.mutating) continue;
    const { name } = v.step;
    const uses = child?.mutating ? `'${v.step.handler}' to run '${child.name}' per partition` : `'${v.step.handler}'`;
    if (policy === 'forbid') {
      const safe = a.ctx.allowedHandlers.filter((h) => a.catalogEntry(h)?.mutating === false);
      a.report(
        'MUTATION_POLICY',
        child?.mutating ? `${v.at}/inputs/handler` : `${v.at}/handler`,
        `Step '${name}' uses ${uses}, which changes the world outside the task; planning step '${a.ctx.planningStep}' may not plan such steps.`,
        `Use a handler that changes nothing: ${listChoices(safe)}. The template performs changes in its own steps.`,
      );
      continue;
    }
    if (gates.some((g) => g.node !== v.node && a.isUpstream(v.node, g.node))) continue;
    const gateAllowed = a.allowed.has(GATE_HANDLER) && a.catalogEntry(GATE_HANDLER) !== undefined;
    a.report(
      'MUTATION_POLICY',
      `${v.at}/dependencies`,
      `Step '${name}' uses ${uses}, which changes the world outside the task, with no approval gate upstream of it.`,
      gateAllowed
        ? `Add a step with handler '${GATE_HANDLER}' (inputs: { "prompt": "…", "on_timeout": "reject" }) and list it in the dependencies of '${name}'${gates.length > 0 ? ` (or depend on ${listChoices(gates.map((g) => `'${g.step.name}'`))})` : ''}.`
        : `'${GATE_HANDLER}' is not allowed for planning step '${a.ctx.planningStep}', so no mutating step can be planned here; use one that changes nothing.`,
    );
  }
}
