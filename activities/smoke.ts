/**
 * Activities of the smoke workflows (`workflows/smoke.ts`): just enough real work to prove that
 * a worker runs activities against the local Temporal servers.
 */

/** The smoke activities, built by a factory like weft's other activities. */
export function createSmokeActivities(): SmokeActivities {
  let calls = 0;
  return {
    greet(name: string): Promise<string> {
      calls += 1;
      return Promise.resolve(`hello, ${name} (call ${calls})`);
    },
  };
}

/** The activity interface the smoke workflows proxy. */
export interface SmokeActivities {
  /** Greets `name` and counts its calls, so a test sees each call really ran. */
  greet(name: string): Promise<string>;
}
