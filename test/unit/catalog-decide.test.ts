import { describe, expect, it } from 'vitest';
import { createDecideHandler, decide } from '../../catalog/decide.js';
import { expectHandlerFailure, runHandler } from '../support/handler-context.js';

const outcomes = ['escalate', 'review', 'auto_approve'];
const rules = [
  { when: 'total > 1000 and priority = "urgent"', outcome: 'escalate' },
  { when: 'invalid_count > 0', outcome: 'review' },
];

describe('decide', () => {
  it('picks the first rule that matches', async () => {
    const out = await runHandler(decide, {
      data: { total: 5000, priority: 'urgent', invalid_count: 3 },
      rules,
      default: 'auto_approve',
      outcomes,
    });
    expect(out).toEqual({ outcome: 'escalate', matched_rule: 0 });
    const second = await runHandler(decide, { data: { total: 5000, priority: 'low', invalid_count: 3 }, rules, default: 'auto_approve', outcomes });
    expect(second).toEqual({ outcome: 'review', matched_rule: 1 });
  });

  it('falls back to the default; a missing field counts as false', async () => {
    const out = await runHandler(decide, { data: { total: 10 }, rules: [...rules, { when: 'flags.vip', outcome: 'review' }], default: 'auto_approve', outcomes });
    expect(out).toEqual({ outcome: 'auto_approve', matched_rule: null });
  });

  it('works with no rules at all', async () => {
    await expect(runHandler(decide, { data: null, rules: [], default: 'review', outcomes })).resolves.toEqual({ outcome: 'review', matched_rule: null });
  });

  it('fails outcomes that are not declared, listing every one', async () => {
    const failure = await expectHandlerFailure(
      decide,
      { data: {}, rules: [...rules, { when: 'true', outcome: 'reject' }], default: 'ignore', outcomes },
      'DECIDE_OUTCOME_UNDECLARED',
    );
    expect(failure.message).toContain("rules[2].outcome 'reject', default 'ignore'");
    expect(failure.message).toContain('escalate, review, auto_approve');
  });

  it('fails conditions that do not parse, all of them at once, before evaluating any', async () => {
    const failure = await expectHandlerFailure(
      decide,
      {
        data: {},
        rules: [
          { when: 'true', outcome: 'review' },
          { when: 'total >', outcome: 'review' },
          { when: 'a ]', outcome: 'review' },
        ],
        default: 'review',
        outcomes,
      },
      'DECIDE_RULE_INVALID',
    );
    expect(failure.message).toContain('2 of 3 rule conditions do not parse');
    expect(failure.message).toContain('Rule 1 condition has a syntax error');
    expect(failure.message).toContain('Rule 2 condition has a syntax error');
  });

  it('fails a condition that errors on the data', async () => {
    const failure = await expectHandlerFailure(
      decide,
      { data: { total: 'lots' }, rules: [{ when: 'total * 2 > 10', outcome: 'review' }], default: 'review', outcomes },
      'DECIDE_RULE_FAILED',
    );
    expect(failure.message).toContain('Rule 0 condition failed while evaluating');
  });

  it('fails a condition that is not boolean, saying how to fix it', async () => {
    const failure = await expectHandlerFailure(
      decide,
      { data: { status: 'paid' }, rules: [{ when: 'status', outcome: 'review' }], default: 'review', outcomes },
      'DECIDE_RULE_FAILED',
    );
    expect(failure.message).toContain('returned a string ("paid"), not true or false');
    expect(failure.message).toContain('$boolean');
  });

  it('shares one time limit across all conditions', async () => {
    const quick = createDecideHandler({ timeoutMs: 200 });
    const slow = { when: '$count([1..50000][$ % 7 = 0]) > 0 and false', outcome: 'review' };
    const started = Date.now();
    const failure = await expectHandlerFailure(
      quick,
      { data: {}, rules: Array.from({ length: 20 }, () => slow), default: 'review', outcomes },
      'DECIDE_TIMEOUT',
    );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(failure.message).toContain('share 200 ms');
  });
});
