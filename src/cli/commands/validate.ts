/**
 * `weft validate <fragment.json> --template <name>`: validates a fragment file against a
 * template's planning step exactly as the workflow would, and prints every diagnostic.
 * Exit 0 valid, 1 invalid, 2 usage or I/O error (unreadable file, unknown template or step).
 */
import type { Diagnostic } from '../../core/diagnostics.js';
import { validateFragment } from '../../core/validator/index.js';
import { defineCommand } from '../command.js';
import { readText } from '../files.js';
import { formatDiagnostic, json } from '../format.js';
import { intOption } from '../args.js';
import { loadCompiledRegistry, registryOption, templateNamed } from '../registry-option.js';
import { fragmentContext, planningStepOf } from '../validation-context.js';

/** What `--json` prints. */
export interface ValidateReport {
  readonly file: string;
  readonly template: string;
  readonly planningStep: string;
  readonly phase: number;
  readonly valid: boolean;
  readonly steps: number | null;
  readonly diagnostics: readonly Diagnostic[];
}

/** `weft validate`. */
export const validateCommand = defineCommand({
  name: 'validate',
  summary: "Validate a fragment file against a template's planning step, as the workflow would.",
  description:
    'Frame steps upstream of the planning step count as complete; the convergence step and everything after it ' +
    'are off limits; the budget is what remains at the start of the phase. Diagnostics print as ' +
    '"CODE path: message" with a "hint:" line.',
  positionals: [{ name: 'fragment', description: 'the fragment, a JSON file' }],
  options: {
    template: { type: 'string', placeholder: 'name', required: true, description: 'the template whose planning step the fragment is for' },
    step: { type: 'string', placeholder: 'planning step', description: "the planning step (default: the template's only one)" },
    phase: { type: 'string', placeholder: 'n', description: 'the planning phase, from 1 (default 1)' },
    json: { type: 'boolean', description: 'print the result as JSON' },
    registry: registryOption,
  },
  exitCodes: ['0  the fragment is valid', '1  the fragment is invalid (diagnostics printed)', '2  usage or I/O error: unreadable file, unknown template or step'],
  async run({ positionals, options }, ctx) {
    const phase = intOption(options.phase, 'phase', 1, 1000, 1);
    const registry = await loadCompiledRegistry(options.registry, ctx);
    const plan = templateNamed(registry, options.template);
    const step = planningStepOf(plan, options.step);
    const text = await readText(positionals.fragment, ctx.cwd, 'fragment file');
    const result = validateFragment(text, fragmentContext(plan, step, phase));
    const report: ValidateReport = {
      file: positionals.fragment,
      template: plan.name,
      planningStep: step.name,
      phase,
      valid: result.ok,
      steps: result.fragment ? result.fragment.steps.length : null,
      diagnostics: result.diagnostics,
    };
    if (options.json) ctx.out(json(report));
    else if (result.ok) {
      ctx.out(`valid: ${positionals.fragment} is a valid fragment for ${plan.name} / ${step.name} (phase ${phase}): ${report.steps} steps, next "${result.fragment.next}"`);
    } else {
      ctx.out(`invalid: ${positionals.fragment} for ${plan.name} / ${step.name} (phase ${phase}): ${result.diagnostics.length} diagnostic${result.diagnostics.length === 1 ? '' : 's'}`);
      for (const d of result.diagnostics) ctx.out(formatDiagnostic(d));
    }
    return result.ok ? 0 : 1;
  },
});
