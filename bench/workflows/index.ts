/** Workflows the benchmarks register: weft's generic workflow and the hand-written baseline. */
export { weftTask } from '../../workflows/task.js';
export { staticDag } from './static-dag.js';
