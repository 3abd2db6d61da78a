/**
 * The scripted plan of the order-triage example: the fragment a good planner would return for
 * `plan_processing`, given in code so that the demo and the tests run without an LLM. It uses only
 * the handlers the planning step allows (validate, transform, aggregate, decide) and reads the
 * orders through `${steps.load_orders.output.orders}`.
 *
 * The DAG (depth 4, 8 steps):
 * ```
 * valid_orders ─┬─ order_rows ─┬─ orders_by_status
 *               │              ├─ totals_by_currency
 *               │              └─ review_queue
 *               └─ mismatched_totals ── mismatch_count ── review_decision (also reads valid_orders)
 * ```
 */
import { KNOWN_CURRENCIES, ORDER_PRIORITIES, ORDER_STATUSES } from './data/generate.js';
import type { Fragment, JsonObject } from '@weftworks/weft';
import { scriptedPlanner, type Planner } from '@weftworks/weft/planner';

/** The JSON Schema one well-formed order satisfies (what the example data's malformed rows break). */
export const ORDER_SCHEMA: JsonObject = {
  type: 'object',
  required: ['id', 'customer', 'items', 'total', 'currency', 'status', 'created_at', 'priority'],
  properties: {
    id: { type: 'string', pattern: '^ORD-[0-9]{6}$' },
    customer: {
      type: 'object',
      required: ['id', 'email', 'country'],
      properties: {
        id: { type: 'string' },
        email: { type: 'string', format: 'email' },
        country: { type: 'string', pattern: '^[A-Z]{2}$' },
      },
    },
    items: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['sku', 'qty', 'unit_price'],
        properties: {
          sku: { type: 'string' },
          qty: { type: 'integer', minimum: 1 },
          unit_price: { type: 'number', minimum: 0 },
        },
      },
    },
    total: { type: 'number', minimum: 0 },
    currency: { enum: [...KNOWN_CURRENCIES] },
    status: { enum: [...ORDER_STATUSES] },
    created_at: { type: 'string', format: 'date-time' },
    priority: { enum: [...ORDER_PRIORITIES] },
  },
};

/** The fragment for phase 1 of `plan_processing` (the only phase: `"next": "done"`). */
export const orderTriageFragment: Fragment = {
  fragment_version: '1',
  goal: 'Drop malformed orders, summarize the rest by status and currency, and decide whether the batch needs manual review.',
  reasoning:
    'Validate first so that every later step sees well-formed orders; flatten them once for the aggregations; ' +
    'check totals against their items (a schema cannot); decide on review from the invalid and mismatched counts; ' +
    'list the largest high-priority orders for whoever reviews.',
  steps: [
    {
      name: 'valid_orders',
      handler: 'validate',
      reasoning: 'Drop rows that break the order schema (missing id, bad email, unknown currency, negative quantity, string totals).',
      dependencies: ['load_orders'],
      inputs: { data: '${steps.load_orders.output.orders}', schema: ORDER_SCHEMA, on_invalid: 'filter' },
    },
    {
      name: 'order_rows',
      handler: 'transform',
      reasoning: 'Flatten each valid order to the fields the summaries group by.',
      dependencies: ['valid_orders'],
      inputs: {
        data: '${steps.valid_orders.output.valid}',
        expression:
          '[$.{ "id": id, "status": status, "priority": priority, "currency": currency, "country": customer.country, ' +
          '"total": total, "items": $count(items) }]',
      },
    },
    {
      name: 'mismatched_totals',
      handler: 'transform',
      reasoning: 'Find valid orders whose total differs from the sum of their items by more than a cent.',
      dependencies: ['valid_orders'],
      inputs: {
        data: '${steps.valid_orders.output.valid}',
        expression:
          '[$[$abs(total - $sum(items.(qty * unit_price))) > 0.01].{ "id": id, "total": total, ' +
          '"items_total": $round($sum(items.(qty * unit_price)), 2) }]',
      },
    },
    {
      name: 'orders_by_status',
      handler: 'aggregate',
      reasoning: 'How many valid orders are in each status.',
      dependencies: ['order_rows'],
      inputs: { op: 'group', data: '${steps.order_rows.output.result}', by: 'status' },
    },
    {
      name: 'totals_by_currency',
      handler: 'aggregate',
      reasoning: 'Order value per currency (totals in different currencies must not be added together).',
      dependencies: ['order_rows'],
      inputs: { op: 'group', data: '${steps.order_rows.output.result}', by: 'currency', sum_field: 'total' },
    },
    {
      name: 'mismatch_count',
      handler: 'aggregate',
      reasoning: 'Count the orders whose total does not match their items.',
      dependencies: ['mismatched_totals'],
      inputs: { op: 'count', data: '${steps.mismatched_totals.output.result}' },
    },
    {
      name: 'review_decision',
      handler: 'decide',
      reasoning: 'Send the batch to manual review when more than 5% of the orders are malformed or mismatched.',
      dependencies: ['valid_orders', 'mismatch_count'],
      inputs: {
        data: {
          invalid: '${steps.valid_orders.output.invalid_count}',
          mismatched: '${steps.mismatch_count.output.result}',
          total: '${steps.load_orders.output.count}',
        },
        rules: [
          { when: 'total = 0', outcome: 'nothing_to_do' },
          { when: '(invalid + mismatched) / total > 0.05', outcome: 'manual_review' },
        ],
        default: 'auto_process',
        outcomes: ['manual_review', 'auto_process', 'nothing_to_do'],
      },
    },
    {
      name: 'review_queue',
      handler: 'transform',
      reasoning: 'The ten largest high or urgent priority orders, for the reviewer to look at first.',
      dependencies: ['order_rows'],
      inputs: {
        data: '${steps.order_rows.output.result}',
        expression: '[($[priority in ["high", "urgent"]]^(>total))[[0..9]].{ "id": id, "priority": priority, "total": total, "currency": currency }]',
      },
    },
  ],
  next: 'done',
};

/** The example's scripted planner: `plan_processing`, phase 1, every attempt → `orderTriageFragment`. */
export const orderTriagePlanner: Planner = scriptedPlanner({ plan_processing: [[orderTriageFragment]] }, 'scripted:examples/order-triage/plan.ts');
