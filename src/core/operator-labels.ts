/**
 * Labels the workflow puts on the timers operators must notice, and that the operator tools read
 * back from history: a parked step's wait and a gate's wait. One place, so writer and reader agree.
 */

/** Summary prefix of the timer a parked step waits on: `parked: <step> — <error type>; resolve with …`. */
export const PARKED_LABEL = 'parked: ';

/** Summary prefix of the timer a gate waits on: `gate: <step> waits for a decision …`. */
export const GATE_LABEL = 'gate: ';

/** The step a labelled timer is about, or null when the summary is not one of these labels. */
export function labelledStep(summary: string | null, prefix: string): string | null {
  if (summary === null || !summary.startsWith(prefix)) return null;
  const name = summary.slice(prefix.length).split(' ')[0];
  return name ? name : null;
}
