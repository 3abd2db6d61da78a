/**
 * The workflows a weft worker registers. `weftTask` runs every template; `weftSlice` runs part
 * of a plan too large for one history, as a child workflow of its task.
 */
export { weftTask } from './task.js';
export { weftSlice } from './slices.js';
