/**
 * weft's activities, built by a factory so the worker injects handlers, templates and planner.
 * @example
 * const activities = createActivities({ handlers: [...builtinHandlers, ...mine], templates: [orderTriage], planner });
 * await Worker.create({ workflowsPath, activities, taskQueue });
 */
import { ApplicationFailure } from '@temporalio/common';
import { listChoices } from '../src/core/diagnostics.js';
import type { CompiledPlan } from '../src/core/plan.js';
import type { AnyHandler } from '../src/handler.js';
import type { Planner } from '../src/planner/types.js';
import { planningActivity, type LlmCallListener } from './planning.js';
import { handlerActivity } from './steps.js';
import type { BlobStore } from '../src/blob/store.js';
import { blobStoreFromEnv } from '../src/blob/from-env.js';
import { BlobCache } from '../src/blob/cache.js';
import { DEFAULT_BLOB_THRESHOLD_BYTES } from '../src/core/blob.js';
import { taskInputFor } from '../src/core/task-input.js';
import type { CountItemsRequest, CountItemsResult, JoinOutputsRequest, LoadedTemplate, LoadTemplateRequest, StoreValueRequest } from './types.js';
import type { BlobRef } from '../src/core/blob.js';
import { joinOutputsActivity, storeValueActivity } from './slices.js';
import { countItemsActivity } from './fan-out.js';

/** What the activities need. */
export interface ActivityDeps {
  readonly handlers: readonly AnyHandler[];
  /** Compiled templates this worker can start by name. */
  readonly templates: readonly CompiledPlan[];
  readonly planner: Planner;
  /** Where step results over `blobThresholdBytes` go (default: `blobStoreFromEnv()`: WEFT_BLOB_URL, WEFT_BLOB_DIR or `.weft/blobs`). */
  readonly blobStore?: BlobStore;
  readonly blobThresholdBytes?: number;
  /** Told of every planner provider call (metrics). */
  readonly onLlmCalls?: LlmCallListener;
}

/** Built-in activity names (camelCase, so they never collide with snake_case handler names). */
export interface WeftActivities {
  weftPlan: ReturnType<typeof planningActivity>;
  weftLoadTemplate(request: LoadTemplateRequest): Promise<LoadedTemplate>;
  weftCountItems(request: CountItemsRequest): Promise<CountItemsResult>;
  weftStoreValue(request: StoreValueRequest): Promise<BlobRef>;
  weftJoinOutputs(request: JoinOutputsRequest): Promise<BlobRef>;
}

/** Creates every activity: one per handler, plus planning and template loading. */
export function createActivities(deps: ActivityDeps): WeftActivities & Record<string, unknown> {
  const byName = new Map(deps.templates.map((t) => [t.name, t]));
  const out: Record<string, unknown> = {};
  const blobs = { store: deps.blobStore ?? blobStoreFromEnv(), thresholdBytes: deps.blobThresholdBytes ?? DEFAULT_BLOB_THRESHOLD_BYTES, cache: new BlobCache() };
  for (const h of deps.handlers) out[h.name] = handlerActivity(h, blobs);
  return {
    ...out,
    weftPlan: planningActivity(deps.planner, blobs.store, deps.onLlmCalls),
    weftCountItems: countItemsActivity(blobs.store),
    weftStoreValue: storeValueActivity(blobs.store),
    weftJoinOutputs: joinOutputsActivity(blobs.store),
    // eslint-disable-next-line @typescript-eslint/require-await
    async weftLoadTemplate({ name, input }: LoadTemplateRequest): Promise<LoadedTemplate> {
      const plan = byName.get(name);
      if (!plan) {
        throw ApplicationFailure.create({
          type: 'TEMPLATE_UNKNOWN',
          nonRetryable: true,
          message: `No template '${name}' is registered on this worker. Registered: ${listChoices([...byName.keys()])}.`,
        });
      }
      // The plan's pinned input schema, not the template's zod object: a worker given compiled
      // plans (`weft worker`) applies the same defaults as one given templates.
      const checked = taskInputFor(plan, input);
      if (!checked.ok) throw ApplicationFailure.create({ type: 'TASK_INPUT_INVALID', nonRetryable: true, message: checked.message });
      return { plan, input: checked.input };
    },
  };
}
