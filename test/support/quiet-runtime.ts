/**
 * Vitest setup: installs Temporal's runtime before any test creates a worker or connection, with
 * the TypeScript logger at WARN and SDK Core's own log at ERROR (the test server lacks capabilities
 * Core warns about on every worker start, and the replay test provokes a nondeterminism warning on
 * purpose). Set WEFT_TEST_LOG_LEVEL=INFO (or DEBUG) to see everything again.
 */
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

const chosen = process.env['WEFT_TEST_LOG_LEVEL'] as LogLevel | undefined;
Runtime.install({
  logger: new DefaultLogger(chosen ?? 'WARN'),
  telemetryOptions: { logging: { filter: { core: chosen ?? 'ERROR', other: chosen ?? 'ERROR' }, forward: {} } },
});
