/**
 * The workflows a weft worker registers. `weftTask` runs every template.
 */
export { weftTask } from './task.js';
