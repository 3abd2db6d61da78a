import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineHandler, manifestEntry } from '../../src/handler.js';
import { DEFAULT_STEP_FAILURE, failurePolicy } from '../../src/template/defaults.js';

const handler = (heartbeats?: boolean) =>
  defineHandler({ name: 'h', description: 'A handler.', category: 'data', input: z.object({}), output: z.object({}), ...(heartbeats === undefined ? {} : { heartbeats }), run: () => Promise.resolve({}) });

describe('heartbeat settings (issue 12)', () => {
  it("keeps a failure policy's heartbeatTimeoutMs when set, and leaves it out (the 15 s default applies in the workflow) otherwise", () => {
    expect(failurePolicy({ heartbeatTimeoutMs: 5_000 }, DEFAULT_STEP_FAILURE)).toMatchObject({ heartbeatTimeoutMs: 5_000, timeoutMs: DEFAULT_STEP_FAILURE.timeoutMs });
    expect('heartbeatTimeoutMs' in failurePolicy({}, DEFAULT_STEP_FAILURE)).toBe(false);
  });

  it('puts heartbeats: false into the manifest only for a handler that declares it, so other manifests are unchanged', () => {
    expect('heartbeats' in manifestEntry(handler())).toBe(false);
    expect('heartbeats' in manifestEntry(handler(true))).toBe(false);
    expect(manifestEntry(handler(false)).heartbeats).toBe(false);
  });
});
