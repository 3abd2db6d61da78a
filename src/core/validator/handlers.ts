/**
 * Handlers: a step's handler must be in the catalog (HANDLER_UNKNOWN) and allowed for this
 * planning step (HANDLER_NOT_ALLOWED). Hints name the allowed handlers, the closest to what was
 * written first, because the usual mistake is a near miss (`http_get` for `http_request`).
 */
import { listChoices } from '../diagnostics.js';
import type { Analysis } from './analysis.js';
import { closestFirst } from './suggest.js';

/** Reports unknown and disallowed handlers. */
export function checkHandlers(a: Analysis): void {
  const usable = a.ctx.allowedHandlers.filter((h) => a.catalogEntry(h) !== undefined);
  for (const { step, at } of a.steps) {
    const h = step.handler;
    const inCatalog = a.catalogEntry(h) !== undefined;
    if (inCatalog && a.allowed.has(h)) continue;
    const hint = `Use one of: ${listChoices(closestFirst(h, usable))}.`;
    if (!inCatalog) {
      a.report('HANDLER_UNKNOWN', `${at}/handler`, `Step '${step.name}' uses handler '${h}', which is not in this planning step's catalog.`, hint);
    } else {
      a.report(
        'HANDLER_NOT_ALLOWED',
        `${at}/handler`,
        `Step '${step.name}' uses handler '${h}', which is in the catalog but not allowed for planning step '${a.ctx.planningStep}'.`,
        hint,
      );
    }
  }
}
