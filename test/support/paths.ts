/**
 * The repository root, for tests that run weft's commands in a checkout. Where the Temporal
 * executables are is `temporalPaths` of `src/testing` (the public `@weftworks/weft/testing`).
 */
import { fileURLToPath } from 'node:url';

/** The repository root (this file is `test/support/paths.ts`). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
