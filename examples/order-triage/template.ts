/**
 * The `order-triage` example: load the orders (static), let the planner decide how to process
 * them (transform, validate, aggregate, decide), converge into a report, publish it.
 */
import { z } from 'zod';
import { convergenceStep, defineTemplate, finalizationStep, planningStep, staticStep } from '@weftworks/weft';

/** Task input: where the orders are and where the report goes (both optional). */
export const orderTriageInput = z.object({
  orders_path: z.string().optional().describe('Orders JSON file; default: the shipped example data.'),
  report_dir: z.string().optional().describe('Where to write the report; default: $WEFT_REPORT_DIR or .weft/reports.'),
  focus: z.string().default('Find malformed orders, totals by status and country, and which orders need manual review.'),
});

/** The order-triage template. */
export const orderTriage = defineTemplate({
  name: 'order-triage',
  version: '1.0.0',
  description: 'Triage a batch of orders: drop malformed rows, summarize, flag orders for review, publish a report.',
  input: orderTriageInput,
  budget: { maxSteps: 40, maxPlanningPhases: 2, maxLlmCalls: 8, maxCostUsd: 2, maxWallTimeMs: 30 * 60 * 1000 },
  steps: [
    staticStep('load_orders', {
      handler: 'load_orders',
      description: 'Load the orders file.',
      inputs: { path: '${task.input.orders_path}' },
    }),
    planningStep('plan_processing', {
      description: 'Plan how to process the loaded orders.',
      dependencies: ['load_orders'],
      sees: ['load_orders'],
      problem:
        'You are given a batch of e-commerce orders from step load_orders (its output has `orders`, `count`, `source`). ' +
        'Goal: ${task.input.focus} Use only the allowed handlers. Refer to the orders as $${steps.load_orders.output.orders}.',
      allow: { handlers: ['transform', 'validate', 'aggregate', 'decide'] },
      maxSteps: 12,
      maxDepth: 4,
      maxAttempts: 3,
      maxPhases: 2,
      convergence: 'summarize_results',
    }),
    convergenceStep('summarize_results', {
      handler: 'compose_report',
      description: 'Combine the planned results into a report.',
      dependencies: ['plan_processing'],
      inputs: {
        results: '${steps.plan_processing.output.results}',
        partial: '${steps.plan_processing.output.partial}',
        reason: '${steps.plan_processing.output.reason}',
      },
    }),
    finalizationStep('publish_report', {
      handler: 'write_report',
      description: 'Write the report as Markdown and JSON.',
      dependencies: ['summarize_results'],
      inputs: { report: '${steps.summarize_results.output}', dir: '${task.input.report_dir}' },
    }),
  ],
});
