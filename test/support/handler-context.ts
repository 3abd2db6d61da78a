/**
 * Test helpers for handlers: a fake `HandlerContext`, a runner that parses input the way the
 * activity does, and an assertion that a failure carries a declared error mode.
 */
import { ApplicationFailure } from '@temporalio/common';
import { expect } from 'vitest';
import type { AnyHandler, Handler, HandlerContext } from '../../src/handler.js';

/** A `HandlerContext` for tests, recording heartbeats. */
export interface FakeHandlerContext extends HandlerContext {
  readonly heartbeats: unknown[];
}

/** Builds a fake context; fields default to a first attempt of step `test_step`. */
export function fakeHandlerContext(overrides: Partial<Omit<HandlerContext, 'heartbeat'>> = {}): FakeHandlerContext {
  const heartbeats: unknown[] = [];
  return {
    workflowId: 'wf-test',
    runId: 'run-test',
    stepName: 'test_step',
    attempt: 1,
    idempotencyKey: 'wf-test.test_step',
    signal: new AbortController().signal,
    ...overrides,
    heartbeats,
    heartbeat(details?: unknown) {
      heartbeats.push(details);
    },
  };
}

/** Parses `raw` with the handler's input schema, then runs it: what the step activity does. */
export async function runHandler<I, O>(handler: Handler<I, O>, raw: unknown, ctx: HandlerContext = fakeHandlerContext()): Promise<O> {
  return handler.run(handler.input.parse(raw), ctx);
}

/**
 * Runs the handler and asserts that it fails with an `ApplicationFailure` of type `code`, that the
 * code is one of the handler's declared error modes, and that `nonRetryable` follows the mode.
 * Returns the failure for further checks on its message and details.
 */
export async function expectHandlerFailure(
  handler: AnyHandler,
  raw: unknown,
  code: string,
  ctx: HandlerContext = fakeHandlerContext(),
): Promise<ApplicationFailure> {
  let caught: unknown = undefined;
  try {
    await runHandler(handler, raw, ctx);
  } catch (err) {
    caught = err;
  }
  expect(caught, `${handler.name} should have failed with ${code}`).toBeInstanceOf(ApplicationFailure);
  const failure = caught as ApplicationFailure;
  expect(failure.type, failure.message).toBe(code);
  const mode = handler.errorModes.find((m) => m.code === failure.type);
  expect(mode, `${handler.name} throws ${String(failure.type)} but does not declare it`).toBeDefined();
  expect(failure.nonRetryable).toBe(!mode?.retryable);
  return failure;
}
