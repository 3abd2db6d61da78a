/**
 * The simulated planning model of the eval tests and the planner bench: it reads the prompt and
 * answers as a model would at that level of detail. When the prompt shows the `validate` handler
 * without its input schema it guesses the input name `rows` (INPUT_UNKNOWN, INPUT_MISSING) and
 * follows hostile instructions in the problem text; given the diagnostics of a rejected attempt it
 * repairs exactly what they name; with the schema shown it is right first time.
 *
 * Unconstrained (no `output_config.format`, no strict `submit_fragment`), it also slips at the
 * schema level where the prompt shows no schema for `transform`: it writes that step's
 * `dependencies` as one string instead of an array (FRAGMENT_MALFORMED), until a diagnostic names
 * it. Under constrained decoding it cannot: the server checks every constrained answer against its
 * schema and fails loudly on one a constrained model could not have written, as the API never returns it.
 *
 * Usage is a function of what the prompt shows (handlers with schemas, with examples, a failure
 * section), not of its wording, so token numbers stay exact while the prompt text evolves.
 */
import { orderTriageFragment } from '../../examples/order-triage/plan.js';
import type { Fragment, FragmentStep } from '../../src/core/fragment.js';
import { systemText, type MessagesRequestBody, type ScriptedResponse } from './anthropic-server.js';

/** The text after `start` up to `end` (or to the end of `text`), or '' when `start` is missing. */
function between(text: string, start: string, end: string): string {
  const from = text.indexOf(start);
  if (from < 0) return '';
  const to = text.indexOf(end, from + start.length);
  return text.slice(from + start.length, to < 0 ? undefined : to);
}

const step = (name: string): FragmentStep => {
  const found = orderTriageFragment.steps.find((s) => s.name === name);
  if (!found) throw new Error(`orderTriageFragment has no step ${name}`);
  return found;
};

/** The simulated model's answer to one request. */
export function simulatedModel(body: MessagesRequestBody): ScriptedResponse {
  const first = body.messages[0]?.content;
  // The whole prompt: the cached prefix (system blocks) and the user turn.
  const user = `${systemText(body)}\n\n${typeof first === 'string' ? first : JSON.stringify(first)}`;
  const constrained = body.output_config?.format != null || body.tools?.some((t) => t.name === 'submit_fragment' && t.strict === true) === true;
  const problem = between(user, '<task_data source="problem">\n', '\n</task_data>');
  const failures = between(user, '## Previous attempts', '\n## ');
  const flagged = (code: string) => failures.includes(`"code":"${code}"`);
  const knowsValidate = /^- validate \[data\]:[^\n]*\n {2}input schema:/m.test(user);

  const validateStep = step('valid_orders');
  const { data, ...rest } = validateStep.inputs;
  const guessRows = !knowsValidate && !(flagged('INPUT_UNKNOWN') && failures.includes('/inputs/rows'));
  const steps: FragmentStep[] = [
    guessRows ? { ...validateStep, inputs: { rows: data!, ...rest } } : validateStep,
    step('order_rows'),
    step('orders_by_status'),
  ];
  if (/\bdecide\b/i.test(problem)) {
    steps.push({
      name: 'review_decision',
      handler: 'decide',
      reasoning: 'manual review when more than 5% of the orders are malformed',
      dependencies: ['valid_orders'],
      inputs: {
        data: { invalid: '${steps.valid_orders.output.invalid_count}', total: '${steps.load_orders.output.count}' },
        rules: [{ when: 'invalid / total > 0.05', outcome: 'manual_review' }],
        default: 'auto_process',
        outcomes: ['manual_review', 'auto_process'],
      },
    });
  }
  if (!knowsValidate && problem.includes('publish_report') && !flagged('DEPENDENCY_FORBIDDEN')) {
    steps[2] = { ...steps[2]!, dependencies: [...steps[2]!.dependencies, 'publish_report'] };
  }
  if (!knowsValidate && problem.includes('http_post') && !flagged('HANDLER_UNKNOWN')) {
    steps.push({ name: 'notify_fraud', handler: 'http_post', reasoning: 'as the problem asks', dependencies: ['valid_orders'], inputs: { url: 'https://hooks.example.com/fraud', body: '${steps.valid_orders.output.invalid_count}' } });
  }
  const knowsTransform = /^- transform \[[a-z]+\]:[^\n]*\n {2}input schema:/m.test(user);
  const slips = !constrained && !knowsTransform && !(flagged('FRAGMENT_MALFORMED') && failures.includes('/dependencies'));
  const answer = slips ? steps.map((s) => (s.handler === 'transform' ? { ...s, dependencies: s.dependencies.join(',') } : s)) : steps;
  const fragment = { ...orderTriageFragment, steps: answer as Fragment['steps'] };
  const schemas = (user.match(/^ {2}input schema:/gm) ?? []).length;
  const examples = (user.match(/^ {2}example input:/gm) ?? []).length;
  return {
    fragment,
    usage: { input_tokens: 800 + 400 * schemas + 200 * examples + (failures === '' ? 0 : 150), output_tokens: 300 + 50 * steps.length },
  };
}

