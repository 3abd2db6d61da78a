/**
 * `weft validate <fragment.json>... --template <name>`: validates fragment files against a
 * template's planning step exactly as the workflow would, and prints every diagnostic, one
 * result per file. Many files in one process: a CI job or an eval pays the start-up once.
 * Exit 0 all valid, 1 any invalid, 2 usage or I/O error (unreadable file, unknown template or step).
 */
import type { Diagnostic } from '../../core/diagnostics.js';
import { defineCommand, CliError } from '../command.js';
import { readText } from '../files.js';
import { formatDiagnostic, json } from '../format.js';
import { intOption } from '../args.js';
import { loadCompiledRegistry, registryOption, templateNamed } from '../registry-option.js';

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
  positionals: [{ name: 'fragment', description: 'a fragment JSON file; give several to validate each in one run', variadic: true }],
  options: {
    template: { type: 'string', placeholder: 'name', required: true, description: 'the template whose planning step the fragment is for' },
    step: { type: 'string', placeholder: 'planning step', description: "the planning step (default: the template's only one)" },
    phase: { type: 'string', placeholder: 'n', description: 'the planning phase, from 1 (default 1)' },
    json: { type: 'boolean', description: 'print the result as JSON (one object; an array of them for several files)' },
    registry: registryOption,
  },
  exitCodes: [
    '0  every fragment is valid',
    '1  a fragment is invalid (diagnostics printed)',
    '2  usage or I/O error: an unreadable file, unknown template or step (the other files are still checked)',
  ],
  async run({ positionals, options }, ctx) {
    const phase = intOption(options.phase, 'phase', 1, 1000, 1);
    const registry = await loadCompiledRegistry(options.registry, ctx);
    const plan = templateNamed(registry, options.template);
    const [{ fragmentContext, planningStepOf }, { validateFragment }] = await Promise.all([
      import('../validation-context.js'),
      import('../../core/validator/index.js'),
    ]);
    const step = planningStepOf(plan, options.step);
    const context = fragmentContext(plan, step, phase);
    const reports: ValidateReport[] = [];
    let unreadable = 0;
    for (const file of positionals.fragment) {
      let text: string;
      try {
        text = await readText(file, ctx.cwd, 'fragment file');
      } catch (err) {
        if (!(err instanceof CliError)) throw err;
        unreadable++;
        ctx.err(`weft validate: ${err.message}`);
        continue;
      }
      const result = validateFragment(text, context);
      const report: ValidateReport = {
        file,
        template: plan.name,
        planningStep: step.name,
        phase,
        valid: result.ok,
        steps: result.fragment ? result.fragment.steps.length : null,
        diagnostics: result.diagnostics,
      };
      reports.push(report);
      if (options.json) continue;
      if (result.ok) {
        ctx.out(`valid: ${file} is a valid fragment for ${plan.name} / ${step.name} (phase ${phase}): ${report.steps} steps, next "${result.fragment.next}"`);
      } else {
        ctx.out(`invalid: ${file} for ${plan.name} / ${step.name} (phase ${phase}): ${result.diagnostics.length} diagnostic${result.diagnostics.length === 1 ? '' : 's'}`);
        for (const d of result.diagnostics) ctx.out(formatDiagnostic(d));
      }
    }
    if (options.json) ctx.out(json(positionals.fragment.length === 1 && reports.length === 1 ? reports[0] : reports));
    if (unreadable > 0) return 2;
    return reports.every((r) => r.valid) ? 0 : 1;
  },
});
