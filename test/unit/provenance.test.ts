import { describe, expect, it } from 'vitest';
import { canonicalJson, fnv1a, fragmentId } from '../../src/core/hash.js';
import { countByOrigin, memoRows, newStepRecord, summaryLine, TEMPLATE_PROVENANCE, truncate, type Provenance, type StepRecord } from '../../src/core/steps.js';

/** FNV-1a, 32 bit, written independently: BigInt arithmetic over the string's code units. */
function referenceFnv1a(text: string): string {
  let h = 0x811c9dc5n;
  for (const unit of Array.from({ length: text.length }, (_, i) => text.charCodeAt(i))) {
    h = ((h ^ BigInt(unit)) * 0x01000193n) % 0x1_0000_0000n;
  }
  return h.toString(16).padStart(8, '0');
}

const planned = (over: Partial<Provenance> = {}): Provenance => ({
  createdBy: 'planning_step',
  planningStep: 'plan_processing',
  fragmentId: 'plan_processing:p1:3f2a9c1e',
  planningPhase: 1,
  planningReasoning: 'normalize totals',
  ...over,
});

describe('summaryLine', () => {
  it('describes a template step by handler and kind', () => {
    expect(summaryLine({ handler: 'load_orders', kind: 'static', provenance: TEMPLATE_PROVENANCE })).toBe('load_orders · static step of the template');
    expect(summaryLine({ handler: 'compose_report', kind: 'convergence', provenance: TEMPLATE_PROVENANCE }, 'from 4 results')).toBe(
      'compose_report · convergence step of the template · from 4 results',
    );
    expect(summaryLine({ handler: null, kind: 'planning', provenance: TEMPLATE_PROVENANCE })).toBe('planner · planning step of the template');
  });

  it('describes a planned step with planning step, phase, fragment and reasoning', () => {
    expect(summaryLine({ handler: 'transform', kind: 'planned', provenance: planned() })).toBe(
      'transform · planned by plan_processing (phase 1, plan_processing:p1:3f2a9c1e) · normalize totals',
    );
    expect(summaryLine({ handler: 'transform', kind: 'planned', provenance: planned() }, 'attempt 2')).toBe(
      'transform · planned by plan_processing (phase 1, plan_processing:p1:3f2a9c1e) · attempt 2',
    );
    expect(summaryLine({ handler: 'validate', kind: 'planned', provenance: planned({ planningReasoning: null, planningPhase: 2 }) })).toBe(
      'validate · planned by plan_processing (phase 2, plan_processing:p1:3f2a9c1e)',
    );
  });

  it('says "spawned" for batch spawns and "?" for missing provenance', () => {
    expect(summaryLine({ handler: 'aggregate', kind: 'planned', provenance: planned({ createdBy: 'batch_spawn', planningReasoning: null }) })).toBe(
      'aggregate · spawned by plan_processing (phase 1, plan_processing:p1:3f2a9c1e)',
    );
    // the fan-out that spawned it, when known; a template's fan-out has no planning phase to name
    expect(summaryLine({ handler: 'aggregate', kind: 'planned', spawnedBy: 'score', provenance: planned({ createdBy: 'batch_spawn', planningReasoning: 'partition 2 of 9 of score (items 10–19)' }) })).toBe(
      'aggregate · spawned by score (phase 1, plan_processing:p1:3f2a9c1e) · partition 2 of 9 of score (items 10–19)',
    );
    expect(summaryLine({ handler: 'aggregate', kind: 'planned', spawnedBy: 'score', provenance: { ...TEMPLATE_PROVENANCE, createdBy: 'batch_spawn' } })).toBe(
      'aggregate · spawned by score',
    );
    expect(
      summaryLine({
        handler: 'decide',
        kind: 'planned',
        provenance: { createdBy: 'decision_point', planningStep: null, fragmentId: null, planningPhase: null, planningReasoning: null },
      }),
    ).toBe('decide · planned by ? (phase ?, ?)');
  });

  it('cuts long reasoning to one line of 80 characters', () => {
    const reasoning = `Normalize\n  the totals ${'very '.repeat(30)}carefully`;
    const line = summaryLine({ handler: 'transform', kind: 'planned', provenance: planned({ planningReasoning: reasoning }) });
    const tail = line.split(' · ')[2] ?? '';
    expect(tail).toHaveLength(80);
    expect(tail.startsWith('Normalize the totals very very')).toBe(true);
    expect(tail.endsWith('…')).toBe(true);
    expect(line).not.toContain('\n');
  });
});

describe('truncate', () => {
  it('collapses whitespace to one line and keeps short text whole', () => {
    expect(truncate('  a \n\t b  c ', 20)).toBe('a b c');
    expect(truncate('abcde', 5)).toBe('abcde');
  });

  it('cuts to exactly max characters, ending in an ellipsis', () => {
    expect(truncate('abcdefghij', 5)).toBe('abcd…');
    expect(truncate('abcdefghij', 5)).toHaveLength(5);
    expect(truncate('ab   cdefghij', 4)).toBe('ab …');
  });
});

describe('step records', () => {
  const records: StepRecord[] = [
    newStepRecord({ name: 'load_orders', kind: 'static', handler: 'load_orders', dependencies: [], provenance: TEMPLATE_PROVENANCE }),
    newStepRecord({ name: 'plan_processing', kind: 'planning', handler: null, dependencies: ['load_orders'], provenance: TEMPLATE_PROVENANCE }),
    newStepRecord({ name: 'clean', kind: 'planned', handler: 'validate', dependencies: [], provenance: planned() }),
    newStepRecord({ name: 'totals', kind: 'planned', handler: 'aggregate', dependencies: ['clean'], provenance: planned({ planningPhase: 2, fragmentId: 'plan_processing:p2:0badf00d' }) }),
  ];
  records[0]!.state = 'completed';
  records[2]!.state = 'parked';

  it('starts a record pending, with nothing run', () => {
    expect(newStepRecord({ name: 'x', kind: 'static', handler: 'h', dependencies: ['a'], provenance: TEMPLATE_PROVENANCE })).toEqual({
      name: 'x',
      kind: 'static',
      handler: 'h',
      dependencies: ['a'],
      provenance: TEMPLATE_PROVENANCE,
      spawnedBy: null,
      state: 'pending',
      executions: 0,
      startedAtMs: null,
      finishedAtMs: null,
      error: null,
      outputBytes: null,
      operatorAction: null,
    });
  });

  it('makes one memo row per step: name, origin, handler, fragment, phase, state', () => {
    expect(memoRows(records)).toEqual([
      ['load_orders', 'template', 'load_orders', null, null, 'completed'],
      ['plan_processing', 'template', null, null, null, 'pending'],
      ['clean', 'planning_step', 'validate', 'plan_processing:p1:3f2a9c1e', 1, 'parked'],
      ['totals', 'planning_step', 'aggregate', 'plan_processing:p2:0badf00d', 2, 'pending'],
    ]);
    expect(memoRows([])).toEqual([]);
  });

  it('counts steps by origin: template, or planned by any other creator, of which spawned by fan-outs', () => {
    expect(countByOrigin(records)).toEqual({ template: 2, planned: 2, spawned: 0 });
    const spawned = newStepRecord({ name: 's[0]', kind: 'planned', handler: 'transform', dependencies: [], spawnedBy: 's', provenance: planned({ createdBy: 'batch_spawn' }) });
    expect(spawned.spawnedBy).toBe('s');
    expect(countByOrigin([...records, spawned])).toEqual({ template: 2, planned: 3, spawned: 1 });
    expect(countByOrigin([])).toEqual({ template: 0, planned: 0, spawned: 0 });
  });
});

describe('canonicalJson', () => {
  it('sorts object keys at every depth, keeping array order', () => {
    const a = { b: 1, a: { d: [{ z: 1, y: 2 }, 3], c: null } };
    const b = { a: { c: null, d: [{ y: 2, z: 1 }, 3] }, b: 1 };
    expect(canonicalJson(a)).toBe('{"a":{"c":null,"d":[{"y":2,"z":1},3]},"b":1}');
    expect(canonicalJson(b)).toBe(canonicalJson(a));
    expect(canonicalJson({ d: [3, { y: 2, z: 1 }] })).not.toBe(canonicalJson({ d: [{ y: 2, z: 1 }, 3] }));
  });

  it('writes primitives as JSON does, and drops undefined members', () => {
    expect(canonicalJson('x')).toBe('"x"');
    expect(canonicalJson(1.5)).toBe('1.5');
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson({ b: undefined, a: 1 })).toBe('{"a":1}');
  });
});

describe('fnv1a', () => {
  it('matches the published FNV-1a 32-bit vectors', () => {
    expect(fnv1a('')).toBe('811c9dc5');
    expect(fnv1a('a')).toBe('e40c292c');
    expect(fnv1a('foobar')).toBe('bf9cf968');
  });

  it('agrees with an independent implementation and always gives 8 hex digits', () => {
    for (const text of ['b', 'weft', 'plan_processing:p1', '{"a":1}', 'x'.repeat(1000), 'order-triage@1.0.0']) {
      expect(fnv1a(text)).toBe(referenceFnv1a(text));
      expect(fnv1a(text)).toMatch(/^[0-9a-f]{8}$/);
    }
  });
});

describe('fragmentId', () => {
  const fragment = { fragment_version: '1', steps: [{ name: 'clean', handler: 'validate' }] };

  it('is <planning step>:p<phase>:<fnv1a of the canonical JSON>', () => {
    const id = fragmentId('plan_processing', 2, fragment);
    expect(id).toMatch(/^plan_processing:p2:[0-9a-f]{8}$/);
    expect(id).toBe(`plan_processing:p2:${referenceFnv1a(canonicalJson(fragment))}`);
  });

  it('ignores key order and changes with content', () => {
    const reordered = { steps: [{ handler: 'validate', name: 'clean' }], fragment_version: '1' };
    expect(fragmentId('plan', 1, reordered)).toBe(fragmentId('plan', 1, fragment));
    expect(fragmentId('plan', 1, { ...fragment, steps: [{ name: 'clean', handler: 'transform' }] })).not.toBe(fragmentId('plan', 1, fragment));
  });
});
