/**
 * Vitest setup: installs Temporal's runtime with a WARN-level logger before any test creates a
 * worker or connection, so test output shows problems, not every worker state change.
 * Set WEFT_TEST_LOG_LEVEL=INFO (or DEBUG) to see everything again.
 */
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

const level = (process.env['WEFT_TEST_LOG_LEVEL'] ?? 'WARN') as LogLevel;
Runtime.install({ logger: new DefaultLogger(level) });
