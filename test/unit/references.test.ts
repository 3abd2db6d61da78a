import { describe, expect, it } from 'vitest';
import {
  findReferences,
  formatPath,
  formatReference,
  getAtPath,
  lookupPath,
  parseTemplate,
  ReferenceResolutionError,
  resolveValue,
  type ReferenceScope,
} from '../../src/core/references.js';

describe('parseTemplate', () => {
  it('parses an exact step reference with dot keys and indexes', () => {
    expect(parseTemplate('${steps.load.output.orders[0].id}')).toEqual([
      { kind: 'reference', reference: { source: { kind: 'step', step: 'load' }, path: ['orders', 0, 'id'], text: '${steps.load.output.orders[0].id}' } },
    ]);
  });

  it('parses task input references, and an empty path as the whole value', () => {
    expect(parseTemplate('${task.input}')).toEqual([{ kind: 'reference', reference: { source: { kind: 'task' }, path: [], text: '${task.input}' } }]);
    expect(parseTemplate('${steps.a.output}')[0]).toMatchObject({ reference: { source: { kind: 'step', step: 'a' }, path: [] } });
    expect(parseTemplate('${task.input[2].x-y}')[0]).toMatchObject({ reference: { path: [2, 'x-y'] } });
  });

  it('splits interpolated text around references', () => {
    expect(parseTemplate('id=${task.input.id}, n=${steps.a.output.n}!').map((p) => p.kind)).toEqual(['text', 'reference', 'text', 'reference', 'text']);
  });

  it('treats $${ as a literal ${ and lone $ as text', () => {
    expect(parseTemplate('cost: $5, $${HOME}')).toEqual([{ kind: 'text', text: 'cost: $5, ${HOME}' }]);
  });

  it.each([
    ['${steps.a.outputs.x}', "after 'steps.a' comes '.output', not '.outputs'", '${steps.a.output.x}'],
    ['${step.a}', "a reference starts with 'task.input' or 'steps.<name>.output'", '${steps.a.output}'],
    ['${steps.a}', "'steps.a' must be followed by '.output'", '${steps.a.output}'],
    ['${task.inputs.x}', "a reference starts with 'task.input' or 'steps.<name>.output'", '${task.input.x}'],
    ['${steps.a.output.x[y]}', "'.x[y]' is not a path of .keys and [n] indexes", null],
    ['${steps.a.output.}', "'.' is not a path of .keys and [n] indexes", null],
    ['${steps.a-b.output}', "'a-b' is not a step name", null],
    ['${HOME}', "a reference starts with 'task.input' or 'steps.<name>.output'", null],
  ])('reports %s as malformed', (text, reason, suggestion) => {
    expect(parseTemplate(text)).toEqual([{ kind: 'malformed', text, reason, suggestion }]);
  });

  it('reports an unterminated reference', () => {
    expect(parseTemplate('x ${steps.a.output')).toEqual([
      { kind: 'text', text: 'x ' },
      { kind: 'malformed', text: '${steps.a.output', reason: "it has no closing '}'", suggestion: null },
    ]);
  });
});

describe('findReferences', () => {
  it('finds references with JSON Pointers, locations and exactness', () => {
    const scan = findReferences({
      data: '${steps.load.output.rows}',
      options: { 'a/b': ['x', 'n=${task.input.n}'] },
      plain: 'no references here',
      n: 3,
    });
    expect(scan.references).toEqual([
      { pointer: '/data', location: ['data'], exact: true, reference: { source: { kind: 'step', step: 'load' }, path: ['rows'], text: '${steps.load.output.rows}' } },
      { pointer: '/options/a~1b/1', location: ['options', 'a/b', 1], exact: false, reference: { source: { kind: 'task' }, path: ['n'], text: '${task.input.n}' } },
    ]);
    expect(scan.malformed).toEqual([]);
    expect(scan.templatePointers).toEqual(['/data', '/options/a~1b/1']);
  });

  it('reports malformed references with their location and keeps the valid ones of the same string', () => {
    const scan = findReferences({ text: '${steps.a.output.x} and ${steps.b.outputs}' });
    expect(scan.references).toHaveLength(1);
    expect(scan.references[0]?.exact).toBe(false);
    expect(scan.malformed).toEqual([
      { pointer: '/text', location: ['text'], text: '${steps.b.outputs}', reason: "after 'steps.b' comes '.output', not '.outputs'", suggestion: '${steps.b.output}' },
    ]);
  });

  it('scans a bare string at pointer ""', () => {
    expect(findReferences('${task.input}').references[0]).toMatchObject({ pointer: '', location: [], exact: true });
  });

  it('does not look into object keys', () => {
    expect(findReferences({ '${task.input.x}': 1 }).references).toEqual([]);
  });
});

describe('formatPath / formatReference', () => {
  it('writes paths and references the way they are parsed', () => {
    expect(formatPath(['orders', 0, 'id'])).toBe('orders[0].id');
    expect(formatPath([0, 'a'])).toBe('[0].a');
    expect(formatReference({ kind: 'step', step: 'a' }, ['x', 1])).toBe('${steps.a.output.x[1]}');
    expect(formatReference({ kind: 'task' }, [])).toBe('${task.input}');
    expect(formatReference({ kind: 'task' }, [0])).toBe('${task.input[0]}');
    const text = formatReference({ kind: 'step', step: 'b' }, ['rows', 3, 'k']);
    expect(parseTemplate(text)[0]).toMatchObject({ kind: 'reference', reference: { path: ['rows', 3, 'k'] } });
  });
});

describe('getAtPath / lookupPath', () => {
  const value = { orders: [{ id: 'a' }, { id: 'b' }], n: 0, nil: null };
  it('follows keys and indexes', () => {
    expect(getAtPath(value, ['orders', 1, 'id'])).toBe('b');
    expect(getAtPath(value, [])).toBe(value);
    expect(getAtPath(value, ['n'])).toBe(0);
    expect(getAtPath(value, ['nil'])).toBeNull();
  });
  it('returns undefined for absent paths, and never indexes objects with numbers or arrays with keys', () => {
    expect(getAtPath(value, ['orders', 2])).toBeUndefined();
    expect(getAtPath(value, ['orders', '0'])).toBeUndefined();
    expect(getAtPath({ 0: 'x' }, [0])).toBeUndefined();
    expect(getAtPath(value, ['constructor'])).toBeUndefined();
  });
  it('says where and why a lookup failed', () => {
    expect(lookupPath(value, ['orders', 0, 'name'])).toEqual({ found: false, failedAt: 2, reason: "there is no key 'name'" });
    expect(lookupPath(value, ['n', 'x'])).toEqual({ found: false, failedAt: 1, reason: 'it is a number, not an object' });
    expect(lookupPath(value, ['orders', 5])).toEqual({ found: false, failedAt: 1, reason: 'the array has 2 item(s)' });
  });
});

describe('resolveValue', () => {
  const scope: ReferenceScope = {
    taskInput: { region: 'eu', limit: 5 },
    stepOutputs: { load: { orders: [{ id: 'a', qty: 2 }], count: 1, ok: true, none: null } },
  };

  it('resolves exact references to the value with its type, deeply', () => {
    expect(
      resolveValue({ data: '${steps.load.output.orders}', first: ['${steps.load.output.orders[0].qty}'], all: '${task.input}', lit: 7 }, scope),
    ).toEqual({ data: [{ id: 'a', qty: 2 }], first: [2], all: { region: 'eu', limit: 5 }, lit: 7 });
  });

  it('interpolates strings as text and everything else as JSON text', () => {
    expect(resolveValue('r=${task.input.region} n=${steps.load.output.count} ok=${steps.load.output.ok} none=${steps.load.output.none}', scope)).toBe(
      'r=eu n=1 ok=true none=null',
    );
    expect(resolveValue('o=${steps.load.output.orders[0]}', scope)).toBe('o={"id":"a","qty":2}');
  });

  it('unescapes $${ and leaves strings without references alone', () => {
    expect(resolveValue('echo $${HOME}', scope)).toBe('echo ${HOME}');
    expect(resolveValue('$5', scope)).toBe('$5');
  });

  it('throws a typed error naming the step when its output is absent', () => {
    const run = () => resolveValue({ x: '${steps.enrich.output.rows}' }, scope);
    expect(run).toThrow(ReferenceResolutionError);
    expect(run).toThrow("step 'enrich' has no output");
    try {
      run();
    } catch (err) {
      expect(err).toMatchObject({ code: 'REFERENCE_UNRESOLVED', step: 'enrich', reference: '${steps.enrich.output.rows}', path: '' });
    }
  });

  it('throws naming step and path when the path is absent', () => {
    try {
      resolveValue('${steps.load.output.orders[0].name}', scope);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ReferenceResolutionError);
      expect(err).toMatchObject({ step: 'load', path: 'orders[0]' });
      expect((err as Error).message).toBe("Reference ${steps.load.output.orders[0].name} cannot be resolved: in the output of step 'load' at 'orders[0]', there is no key 'name'.");
    }
    expect(() => resolveValue('${task.input.zone}', scope)).toThrow("in the task input, there is no key 'zone'");
  });

  it('throws on malformed references at run time', () => {
    expect(() => resolveValue('${steps.load.outputs}', scope)).toThrow(ReferenceResolutionError);
  });
});

describe('resolveValue with optional fields left out', () => {
  const scope = { taskInput: { present: 'p', nested: { a: 1 } }, stepOutputs: { s: { x: 1 } } };

  it('omits an object property whose exact reference reaches a missing key', () => {
    expect(resolveValue({ path: '${task.input.orders_path}', keep: '${task.input.present}' }, scope)).toEqual({ keep: 'p' });
    expect(resolveValue({ y: '${steps.s.output.y}', x: '${steps.s.output.x}' }, scope)).toEqual({ x: 1 });
    expect(resolveValue({ deep: '${task.input.nested.b}' }, scope)).toEqual({});
  });

  it('still fails for a missing key inside an array, an interpolation, or a step with no output', () => {
    expect(() => resolveValue(['${task.input.orders_path}'], scope)).toThrow(ReferenceResolutionError);
    expect(() => resolveValue({ s: 'at ${task.input.orders_path}' }, scope)).toThrow(ReferenceResolutionError);
    expect(() => resolveValue({ v: '${steps.missing.output.x}' }, scope)).toThrow(/has no output/);
    expect(() => resolveValue({ v: '${task.input.present.deeper}' }, scope)).toThrow(ReferenceResolutionError);
  });
});
