import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Diagnostic } from '../../src/core/diagnostics.js';
import type { Fragment } from '../../src/core/fragment.js';
import type { HandlerManifest, HandlerManifestEntry } from '../../src/core/manifest.js';
import type { KnownStep, ValidationContext, ValidationResult } from '../../src/core/validation.js';
import { closestFirst, comparePointers, editDistance, validateFragment } from '../../src/core/validator/index.js';
import { plainJsonByteLength } from '../../src/core/validator/size.js';
import { utf8ByteLength } from '../../src/core/json.js';
import { toJsonSchema } from '../../src/handler.js';

// ---- a catalog built from real zod schemas, the way workers derive it ----

const Order = z.object({
  id: z.string(),
  qty: z.number().int().min(0).max(100),
  status: z.enum(['new', 'paid', 'void']),
  note: z.string().nullable(),
  tags: z.array(z.string()).optional(),
});

function entry(name: string, input: z.ZodType, output: z.ZodType, extra: Partial<HandlerManifestEntry> = {}): HandlerManifestEntry {
  return {
    name,
    description: `${name} handler`,
    category: 'data',
    mutating: false,
    inputSchema: toJsonSchema(input, 'input'),
    outputSchema: toJsonSchema(output, 'output'),
    errorModes: [],
    estimatedCostUsd: 0,
    ...extra,
  };
}

const catalog: HandlerManifest = {
  load_orders: entry(
    'load_orders',
    z.object({ source: z.string().describe('Where to load from.'), limit: z.number().int().min(1).max(1000).optional() }),
    z.object({ orders: z.array(Order), count: z.number().int(), meta: z.record(z.string(), z.string()) }),
  ),
  validate: entry(
    'validate',
    z.object({ data: z.array(z.json()).describe('The rows to check.'), schema: z.json(), on_invalid: z.enum(['fail', 'flag', 'filter']).default('fail') }),
    z.object({ valid: z.array(z.json()), invalid_count: z.number().int() }),
  ),
  http_request: entry(
    'http_request',
    z.strictObject({ url: z.string(), method: z.enum(['GET', 'POST']), headers: z.record(z.string(), z.string()).optional(), body: z.json().optional() }),
    z.object({ status: z.number().int(), body: z.json() }),
  ),
  transform: entry('transform', z.object({ data: z.json(), expression: z.string() }), z.json()),
  summarize: entry(
    'summarize',
    z.object({ text: z.string(), max_words: z.number().int().min(10).max(500).nullable().optional() }),
    z.object({ summary: z.string() }),
    { category: 'llm', estimatedCostUsd: 0.05 },
  ),
  notify: entry(
    'notify',
    z.object({ ids: z.array(z.string()), level: z.enum(['info', 'warn']), target: z.union([z.string(), z.array(z.string())]).optional() }),
    z.object({ sent: z.number().int() }),
  ),
  persist: entry('persist', z.object({ record: z.object({ id: z.string() }) }), z.object({ ok: z.boolean() }), { mutating: true }),
};

const known = (name: string, kind: KnownStep['kind'], availability: KnownStep['availability'], output: z.ZodType): KnownStep => ({
  name,
  kind,
  availability,
  outputSchema: toJsonSchema(output, 'output'),
});

const baseCtx: ValidationContext = {
  planningStep: 'plan_enrichment',
  allowedHandlers: ['load_orders', 'validate', 'http_request', 'transform', 'summarize', 'notify'],
  maxSteps: 10,
  maxDepth: 5,
  maxFragmentBytes: 64 * 1024,
  catalog,
  taskInputSchema: toJsonSchema(z.object({ region: z.string(), customer: z.object({ id: z.string(), vip: z.boolean().optional() }), ids: z.array(z.string()) }), 'input'),
  knownSteps: {
    load_config: known('load_config', 'static', 'complete', z.object({ endpoint: z.string(), retries: z.number().int() })),
    side_branch: known('side_branch', 'static', 'pending', z.object({ x: z.string() })),
    plan_enrichment: known('plan_enrichment', 'planning', 'forbidden', z.object({ fragment_id: z.string() })),
    converge: known('converge', 'convergence', 'forbidden', z.json()),
    earlier: known('earlier', 'planned', 'complete', z.object({ ids: z.array(z.string()) })),
  },
  remaining: { steps: 20, phases: 1, costUsd: 1 },
};

const ctxWith = (patch: Partial<ValidationContext>): ValidationContext => ({ ...baseCtx, ...patch });

function validFragment(): Fragment {
  return {
    fragment_version: '1',
    goal: 'Enrich paid orders and report them.',
    reasoning: 'Load, validate, post, summarize, notify.',
    steps: [
      { name: 'load', handler: 'load_orders', reasoning: 'get orders', dependencies: [], inputs: { source: '${task.input.region}', limit: 50 } },
      {
        name: 'check',
        handler: 'validate',
        reasoning: 'drop malformed rows',
        dependencies: ['load'],
        inputs: { data: '${steps.load.output.orders}', schema: { type: 'object' }, on_invalid: 'filter' },
      },
      {
        name: 'post',
        handler: 'http_request',
        reasoning: 'send them',
        dependencies: ['check', 'load_config'],
        inputs: {
          url: '${steps.load_config.output.endpoint}/orders?n=${steps.load.output.count}',
          method: 'POST',
          headers: { 'x-region': '${task.input.region}' },
          body: { ids: '${task.input.ids}', first: '${steps.load.output.orders[0].id}', valid: '${steps.check.output.valid}' },
        },
      },
      {
        name: 'summary',
        handler: 'summarize',
        reasoning: 'tell a human',
        dependencies: ['post'],
        inputs: { text: 'Status ${steps.post.output.status}: ${steps.post.output.body}', max_words: null },
      },
      { name: 'alert', handler: 'notify', reasoning: 'ping', dependencies: ['load'], inputs: { ids: '${steps.earlier.output.ids}', level: 'info', target: '${task.input.ids}' } },
    ],
    next: 'replan',
  };
}

/** A valid fragment with one change. */
function withChange(change: (f: Fragment & { steps: Fragment['steps'][number][] }) => void): Fragment {
  const f = structuredClone(validFragment()) as Fragment & { steps: Fragment['steps'][number][] };
  change(f);
  return f;
}

const step = (f: Fragment, name: string) => {
  const s = f.steps.find((x) => x.name === name);
  if (!s) throw new Error(`no step ${name}`);
  return s;
};

const codes = (r: ValidationResult): [string, string][] => r.diagnostics.map((d) => [d.code, d.path]);
const only = (r: ValidationResult): Diagnostic => {
  expect(r.diagnostics).toHaveLength(1);
  return r.diagnostics[0] as Diagnostic;
};

// ---- tests ----

describe('validateFragment: a valid fragment', () => {
  it('passes as a parsed value and as JSON text', () => {
    for (const raw of [validFragment(), JSON.stringify(validFragment())]) {
      const r = validateFragment(raw, baseCtx);
      expect(r.diagnostics).toEqual([]);
      expect(r.ok).toBe(true);
      expect(r.fragment).toEqual(validFragment());
    }
  });
});

describe('closest-first hints', () => {
  it('orders near misses by edit distance, then the rest as given', () => {
    expect(editDistance('http_get', 'http_request')).toBe(5);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('abc', 'xyz12345', 2)).toBe(3);
    expect(closestFirst('lod', ['alert', 'loads', 'lid', 'load'])).toEqual(['lid', 'load', 'loads', 'alert']);
    expect(closestFirst('http_get', ['transform', 'http_request', 'validate'])).toEqual(['http_request', 'transform', 'validate']);
  });
});

describe('the schema fast path', () => {
  it('is taken for plain JSON: inputs pass through uncopied', () => {
    const raw = validFragment();
    const r = validateFragment(raw, baseCtx);
    expect(r.ok).toBe(true);
    expect(r.fragment?.steps[1]?.inputs).toBe(raw.steps[1]?.inputs);
  });
});

describe('FRAGMENT_TOO_LARGE', () => {
  it('counts UTF-8 bytes of the text, before parsing', () => {
    const text = `{"goal":"${'é'.repeat(60)}"`; // not even JSON: size comes first
    expect(text.length).toBeLessThan(100);
    const d = only(validateFragment(text, ctxWith({ maxFragmentBytes: 100 })));
    expect(d).toMatchObject({ code: 'FRAGMENT_TOO_LARGE', path: '' });
    expect(d.message).toBe(`The fragment is ${text.length + 60} bytes of JSON; this planning step accepts at most 100.`);
    expect(d.hint).toContain('"next": "replan"');
  });

  it('measures a parsed value by its JSON', () => {
    expect(codes(validateFragment(validFragment(), ctxWith({ maxFragmentBytes: 200 })))).toEqual([['FRAGMENT_TOO_LARGE', '']]);
    const exact = utf8ByteLength(JSON.stringify(validFragment()));
    expect(validateFragment(validFragment(), ctxWith({ maxFragmentBytes: exact })).ok).toBe(true);
    expect(codes(validateFragment(validFragment(), ctxWith({ maxFragmentBytes: exact - 1 })))).toEqual([['FRAGMENT_TOO_LARGE', '']]);
  });

  it('sizes plain values exactly like UTF-8 of JSON.stringify, without serializing', () => {
    const samples: unknown[] = [
      validFragment(),
      'quote " backslash \\ newline \n control \u0001 \u001f accents é € emoji 😀 lone \ud800 \udc00',
      { a: [1, -0, 1e21, 1.5e-7, true, false, null, {}, []], 'k"ey': 'v' },
      Object.assign(Object.create(null) as object, { x: 1 }),
    ];
    for (const v of samples) expect(plainJsonByteLength(v)).toBe(utf8ByteLength(JSON.stringify(v)));
    for (const v of [{ a: undefined }, [Number.NaN], new Date(0), () => 1]) expect(plainJsonByteLength(v)).toBe(-1);
  });
});

describe('FRAGMENT_MALFORMED', () => {
  it('reports text that is not JSON at path ""', () => {
    const d = only(validateFragment('{"fragment_version": "1",', baseCtx));
    expect(d.code).toBe('FRAGMENT_MALFORMED');
    expect(d.path).toBe('');
    expect(d.message).toMatch(/^The fragment is not valid JSON: /);
    expect(d.hint).toContain('fragment_version, goal, reasoning, steps, next');
  });

  it('reports values that are not a fragment object', () => {
    for (const raw of [[], 42, null, undefined]) {
      const r = validateFragment(raw, baseCtx);
      expect(r.ok).toBe(false);
      expect(r.diagnostics[0]).toMatchObject({ code: 'FRAGMENT_MALFORMED', path: '' });
    }
  });

  it('turns every schema issue into a diagnostic with its pointer and the expected shape', () => {
    const raw = {
      ...validFragment(),
      fragment_version: '2',
      goal: 7,
      next: 'maybe',
      extra: true,
      steps: [{ ...validFragment().steps[0], dependencies: 'none', comment: 'x' }, 3],
    };
    const r = validateFragment(raw, baseCtx);
    expect(r.ok).toBe(false);
    expect(r.fragment).toBeNull();
    expect(codes(r)).toEqual([
      ['FRAGMENT_MALFORMED', '/extra'],
      ['FRAGMENT_MALFORMED', '/fragment_version'],
      ['FRAGMENT_MALFORMED', '/goal'],
      ['FRAGMENT_MALFORMED', '/next'],
      ['FRAGMENT_MALFORMED', '/steps/0/comment'],
      ['FRAGMENT_MALFORMED', '/steps/0/dependencies'],
      ['FRAGMENT_MALFORMED', '/steps/1'],
    ]);
    const by = (path: string) => r.diagnostics.find((d) => d.path === path) as Diagnostic;
    expect(by('/next').hint).toContain('Use one of: done, replan');
    expect(by('/fragment_version').hint).toBe('Set "fragment_version": "1".');
    expect(by('/steps/0/dependencies').message).toBe("Step 0 ('load') field 'dependencies': Invalid input: expected array, received string.");
    expect(by('/steps/0/dependencies').hint).toContain('Give \'dependencies\' as an array: Names of steps that must complete first');
    expect(by('/steps/0/comment').hint).toBe("Remove 'comment'; a step has exactly: name, handler, reasoning, dependencies, inputs.");
    expect(by('/steps/1').hint).toBe('Each step is an object with name, handler, reasoning, dependencies, inputs.');
  });

  it('reports input values that are not JSON with the real schema (the fast path falls back)', () => {
    const raw = withChange((f) => {
      step(f, 'load').inputs['limit'] = Number.NaN;
    });
    const r = validateFragment(raw, baseCtx);
    expect(codes(r)).toEqual([['FRAGMENT_MALFORMED', '/steps/0/inputs/limit']]);
    expect(r.diagnostics[0]?.hint).toContain('Each input value must be JSON');
  });

  it('still checks the steps that parse when the schema fails', () => {
    const raw = {
      ...validFragment(),
      goal: undefined,
      steps: [
        { name: 'load', handler: 'load_orders', reasoning: 'r', dependencies: [], inputs: { source: 'x' }, bogus: 1 },
        { name: 'use', handler: 'http_get', reasoning: 'r', dependencies: ['load', 'ghost'], inputs: { x: '${steps.load.output.orders}' } },
      ],
    };
    // 'load' failed the step schema, so naming it is not an error of its own; 'ghost' is.
    expect(codes(validateFragment(raw, baseCtx))).toEqual([
      ['FRAGMENT_MALFORMED', '/goal'],
      ['FRAGMENT_MALFORMED', '/steps/0/bogus'],
      ['DEPENDENCY_UNKNOWN', '/steps/1/dependencies/1'],
      ['HANDLER_UNKNOWN', '/steps/1/handler'],
    ]);
  });
});

describe('step names', () => {
  it('STEP_NAME_INVALID names the pattern and suggests a valid name', () => {
    const f = withChange((f) => {
      step(f, 'alert').name = 'Alert-Ops';
    });
    const d = only(validateFragment(f, baseCtx));
    expect(d).toMatchObject({ code: 'STEP_NAME_INVALID', path: '/steps/4/name', message: "Step 4 is named 'Alert-Ops', which is not a valid step name." });
    expect(d.hint).toContain('^[a-z][a-z0-9_]{0,62}$');
    expect(d.hint).toContain("e.g. 'alert_ops'");
  });

  it('STEP_NAME_DUPLICATE reports the later step and suggests a free name', () => {
    const f = withChange((f) => {
      step(f, 'alert').name = 'check';
    });
    const d = only(validateFragment(f, baseCtx));
    expect(d).toMatchObject({ code: 'STEP_NAME_DUPLICATE', path: '/steps/4/name' });
    expect(d.message).toBe("Step 4 is named 'check', like step 1; step names are unique within the task.");
    expect(d.hint).toContain("'check_2'");
  });

  it('STEP_NAME_RESERVED names the frame step and the taken names', () => {
    const f = withChange((f) => {
      step(f, 'alert').name = 'load_config';
    });
    const d = only(validateFragment(f, baseCtx));
    expect(d).toMatchObject({ code: 'STEP_NAME_RESERVED', path: '/steps/4/name' });
    expect(d.message).toBe("Step 'load_config' reuses the name of the frame step 'load_config'; step names are unique within the task.");
    expect(d.hint).toBe("Rename it, e.g. 'load_config_2'. Names already taken: load_config, side_branch, plan_enrichment, converge, earlier.");
  });
});

describe('handlers', () => {
  it('HANDLER_UNKNOWN names the closest allowed handler first', () => {
    const f = withChange((f) => {
      step(f, 'post').handler = 'http_get';
    });
    const d = only(validateFragment(f, baseCtx));
    expect(d).toEqual({
      code: 'HANDLER_UNKNOWN',
      path: '/steps/2/handler',
      message: "Step 'post' uses handler 'http_get', which is not in this planning step's catalog.",
      hint: 'Use one of: http_request, load_orders, validate, transform, summarize and 1 more.',
    });
  });

  it('HANDLER_NOT_ALLOWED names the planning step and the allowed handlers', () => {
    const f = withChange((f) => {
      step(f, 'alert').handler = 'persist';
    });
    const d = only(validateFragment(f, baseCtx));
    expect(d).toEqual({
      code: 'HANDLER_NOT_ALLOWED',
      path: '/steps/4/handler',
      message: "Step 'alert' uses handler 'persist', which is in the catalog but not allowed for planning step 'plan_enrichment'.",
      hint: 'Use one of: load_orders, validate, http_request, transform, summarize and 1 more.',
    });
  });
});

describe('inputs', () => {
  it('are not checked against a handler the step may not use (the handler must change first)', () => {
    const f = withChange((f) => {
      step(f, 'alert').handler = 'persist';
      step(f, 'alert').inputs['record'] = 7;
    });
    expect(codes(validateFragment(f, baseCtx))).toEqual([['HANDLER_NOT_ALLOWED', '/steps/4/handler']]);
  });

  it('INPUT_MISSING points at the missing key and names the accepted inputs', () => {
    const f = withChange((f) => {
      delete step(f, 'check').inputs['data'];
    });
    const d = only(validateFragment(f, baseCtx));
    expect(d).toEqual({
      code: 'INPUT_MISSING',
      path: '/steps/1/inputs/data',
      message: "Step 'check' does not give input 'data', which handler 'validate' requires.",
      hint: "Add 'data': array of any JSON value — The rows to check.. Inputs of 'validate': data (required), schema (required), on_invalid.",
    });
  });

  it('INPUT_UNKNOWN for strict schemas and for plain z.object inputs (which zod would strip)', () => {
    const f = withChange((f) => {
      step(f, 'post').inputs['header'] = { a: 'b' };
      step(f, 'load').inputs['limt'] = 5;
    });
    const r = validateFragment(f, baseCtx);
    expect(codes(r)).toEqual([
      ['INPUT_UNKNOWN', '/steps/0/inputs/limt'],
      ['INPUT_UNKNOWN', '/steps/2/inputs/header'],
    ]);
    expect(r.diagnostics[0]?.message).toBe("Step 'load' gives input 'limt', which handler 'load_orders' does not take.");
    // Every accepted input is already given, so the hint names them all, the closest first.
    expect(r.diagnostics[0]?.hint).toBe("Remove or rename 'limt'. 'load_orders' accepts: limit, source.");
    expect(r.diagnostics[1]?.hint).toBe("Remove or rename 'header'. 'http_request' accepts: headers, url, method, body.");
  });

  it('INPUT_INVALID quotes the schema issue and names the valid choices', () => {
    const f = withChange((f) => {
      step(f, 'load').inputs['limit'] = 5000;
      step(f, 'check').inputs['on_invalid'] = 'drop';
      step(f, 'post').inputs['headers'] = { 'x-region': 1 };
      step(f, 'summary').inputs['max_words'] = 12.5;
    });
    const r = validateFragment(f, baseCtx);
    expect(codes(r)).toEqual([
      ['INPUT_INVALID', '/steps/0/inputs/limit'],
      ['INPUT_INVALID', '/steps/1/inputs/on_invalid'],
      ['INPUT_INVALID', '/steps/2/inputs/headers/x-region'],
      ['INPUT_INVALID', '/steps/3/inputs/max_words'],
    ]);
    const [limit, onInvalid, header, words] = r.diagnostics as Diagnostic[];
    expect(limit?.message).toBe("Step 'load' input 'limit' must be ≤ 1000, got 5000.");
    expect(limit?.hint).toBe('Give a number ≤ 1000, or a reference to a value of that type.');
    expect(onInvalid?.message).toBe("Step 'check' input 'on_invalid' must be one of 'fail', 'flag', 'filter', got 'drop'.");
    expect(onInvalid?.hint).toContain("one of 'fail', 'flag', 'filter'");
    expect(header?.message).toBe("Step 'post' input 'headers' at /x-region must be string, got number.");
    expect(words?.message).toBe("Step 'summary' input 'max_words' must be integer | null, got 12.5.");
  });
});

describe('dependencies', () => {
  it('DEPENDENCY_UNKNOWN names close steps first', () => {
    const f = withChange((f) => {
      step(f, 'alert').dependencies = ['lod'];
    });
    const d = only(validateFragment(f, baseCtx));
    expect(d).toMatchObject({ code: 'DEPENDENCY_UNKNOWN', path: '/steps/4/dependencies/0' });
    expect(d.message).toBe("Step 'alert' depends on 'lod', which is neither a step of this fragment nor a step of the task.");
    expect(d.hint).toBe('Use one of: load, check, post, summary, load_config and 1 more.');
  });

  it('DEPENDENCY_CYCLE gives the cycle path', () => {
    const f = withChange((f) => {
      step(f, 'load').dependencies = ['summary'];
    });
    const d = only(validateFragment(f, baseCtx));
    expect(d.code).toBe('DEPENDENCY_CYCLE');
    expect(d.path).toBe('/steps/1/dependencies/0');
    expect(d.message).toBe('Steps depend on each other in a cycle: load → summary → post → check → load (each depends on the next).');
    expect(d.hint).toContain("'load' from the dependencies of 'check'");
  });

  it('DEPENDENCY_FORBIDDEN says why: convergence, this planning step, a pending branch', () => {
    const f = withChange((f) => {
      step(f, 'alert').dependencies = ['load', 'converge', 'plan_enrichment', 'side_branch'];
    });
    const r = validateFragment(f, baseCtx);
    expect(codes(r)).toEqual([
      ['DEPENDENCY_FORBIDDEN', '/steps/4/dependencies/1'],
      ['DEPENDENCY_FORBIDDEN', '/steps/4/dependencies/2'],
      ['DEPENDENCY_FORBIDDEN', '/steps/4/dependencies/3'],
    ]);
    const [conv, self, pending] = r.diagnostics as Diagnostic[];
    expect(conv?.message).toBe("Step 'alert' depends on 'converge', which is the convergence step, and runs after everything planned here.");
    expect(self?.message).toBe("Step 'alert' depends on 'plan_enrichment', which is this planning step itself.");
    expect(pending?.message).toBe(
      "Step 'alert' depends on 'side_branch', which has not finished when planning step 'plan_enrichment' runs (it is on a parallel branch of the frame).",
    );
    expect(pending?.hint).toContain('load, check, post, summary, load_config and 1 more');
  });
});

describe('references', () => {
  it('REFERENCE_MALFORMED suggests the corrected reference', () => {
    const f = withChange((f) => {
      step(f, 'check').inputs['data'] = '${steps.load.outputs.orders}';
    });
    const r = validateFragment(f, baseCtx);
    const d = r.diagnostics.find((x) => x.code === 'REFERENCE_MALFORMED') as Diagnostic;
    expect(d.path).toBe('/steps/1/inputs/data');
    expect(d.message).toBe(
      "Step 'check' input 'data' contains '${steps.load.outputs.orders}', which is not a valid reference: after 'steps.load' comes '.output', not '.outputs'.",
    );
    expect(d.hint).toMatch(/^Did you mean \$\{steps\.load\.output\.orders\}\? Write/);
    // The malformed string is not then also checked as a literal array.
    expect(codes(r)).toEqual([['REFERENCE_MALFORMED', '/steps/1/inputs/data']]);
  });

  it('REFERENCE_UNKNOWN_STEP names close steps first', () => {
    const f = withChange((f) => {
      step(f, 'check').inputs['data'] = '${steps.lod.output.orders}';
    });
    const d = only(validateFragment(f, baseCtx));
    expect(d).toMatchObject({ code: 'REFERENCE_UNKNOWN_STEP', path: '/steps/1/inputs/data' });
    expect(d.message).toBe("Step 'check' input 'data' reads ${steps.lod.output.orders}, but there is no step 'lod' in this fragment or the task.");
    expect(d.hint).toBe('Use one of: load, post, summary, alert, load_config and 1 more.');
  });

  it('REFERENCE_NOT_UPSTREAM: a fragment step that is not an ancestor, and a pending known step', () => {
    const f = withChange((f) => {
      step(f, 'alert').inputs['ids'] = '${steps.check.output.valid}';
      step(f, 'alert').inputs['target'] = '${steps.side_branch.output.x}';
    });
    const r = validateFragment(f, baseCtx);
    const ups = r.diagnostics.filter((d) => d.code === 'REFERENCE_NOT_UPSTREAM');
    expect(ups.map((d) => d.path)).toEqual(['/steps/4/inputs/ids', '/steps/4/inputs/target']);
    expect(ups[0]?.message).toBe(
      "Step 'alert' input 'ids' reads ${steps.check.output.valid}, but 'check' is not upstream of 'alert' through dependencies, so it may not have run yet.",
    );
    expect(ups[0]?.hint).toBe("Add 'check' to the dependencies of 'alert'.");
    expect(ups[1]?.message).toContain("which has not finished when planning step 'plan_enrichment' runs");
  });

  it('treats transitive ancestors and complete known steps as upstream', () => {
    const f = withChange((f) => {
      step(f, 'summary').inputs['text'] = '${steps.load.output.orders[0].id} at ${steps.load_config.output.endpoint}';
    });
    expect(validateFragment(f, baseCtx).diagnostics).toEqual([]);
  });

  it('REFERENCE_PATH_UNKNOWN against catalog outputs, known steps and the task input, naming the keys there', () => {
    const f = withChange((f) => {
      step(f, 'check').inputs['data'] = '${steps.load.output.order}';
      step(f, 'post').inputs['url'] = '${steps.load_config.output.endpont}';
      step(f, 'load').inputs['source'] = '${task.input.customer.name}';
    });
    const r = validateFragment(f, baseCtx);
    expect(codes(r)).toEqual([
      ['REFERENCE_PATH_UNKNOWN', '/steps/0/inputs/source'],
      ['REFERENCE_PATH_UNKNOWN', '/steps/1/inputs/data'],
      ['REFERENCE_PATH_UNKNOWN', '/steps/2/inputs/url'],
    ]);
    const [task, out, knownOut] = r.diagnostics as Diagnostic[];
    expect(task?.message).toBe("Step 'load' input 'source' reads ${task.input.customer.name}, but 'customer' of the task input has no 'name': there is no key 'name'.");
    expect(task?.hint).toBe("Use one of the keys of 'customer' of the task input: id, vip.");
    expect(out?.hint).toBe("Use one of the keys of the output of step 'load' (handler 'load_orders'): orders, count, meta.");
    expect(knownOut?.hint).toBe("Use one of the keys of the output of step 'load_config': endpoint, retries.");
  });

  it('REFERENCE_PATH_UNKNOWN through arrays says what is there', () => {
    const f = withChange((f) => {
      step(f, 'check').inputs['data'] = '${steps.load.output.orders.id}';
    });
    const d = only(validateFragment(f, baseCtx));
    expect(d.message).toBe(
      "Step 'check' input 'data' reads ${steps.load.output.orders.id}, but 'orders' of the output of step 'load' (handler 'load_orders') has no 'id': it is an array, not an object.",
    );
    expect(d.hint).toBe("Shorten the path to 'orders' or read another value: there, it is an array, not an object.");
  });

  it('REFERENCE_TYPE_MISMATCH names both types and the fitting alternatives', () => {
    const f = withChange((f) => {
      step(f, 'alert').inputs['ids'] = '${task.input.customer}';
    });
    const d = only(validateFragment(f, baseCtx));
    expect(d).toMatchObject({ code: 'REFERENCE_TYPE_MISMATCH', path: '/steps/4/inputs/ids' });
    expect(d.message).toBe(
      "Step 'alert' input 'ids' gets ${task.input.customer}, which is object, but handler 'notify' expects array of string there (object does not fit array of string).",
    );
    expect(d.hint).toBe(
      'If you meant the same value under another name, read ${task.input.ids} (type array of string); otherwise add a transform step that reshapes ${task.input.customer} into array of string.',
    );
  });

  it('REFERENCE_TYPE_MISMATCH for nullable producers, nested array items, and interpolation', () => {
    const f = withChange((f) => {
      step(f, 'summary').inputs['text'] = '${steps.post.output.status}';
      step(f, 'alert').inputs['ids'] = '${steps.load.output.orders}';
      step(f, 'check').inputs['schema'] = { type: 'object', title: 'rows of ${steps.load.output.orders}' };
      step(f, 'load').inputs['limit'] = '${task.input.region}';
    });
    const r = validateFragment(f, { ...baseCtx });
    expect(codes(r)).toEqual([
      ['REFERENCE_TYPE_MISMATCH', '/steps/0/inputs/limit'],
      ['REFERENCE_TYPE_MISMATCH', '/steps/1/inputs/schema/title'],
      ['REFERENCE_TYPE_MISMATCH', '/steps/3/inputs/text'],
      ['REFERENCE_TYPE_MISMATCH', '/steps/4/inputs/ids'],
    ]);
    const [limit, title, text, ids] = r.diagnostics as Diagnostic[];
    expect(limit?.message).toContain("gets ${task.input.region}, which is string, but handler 'load_orders' expects integer there");
    expect(title?.message).toBe(
      "Step 'check' input 'schema' interpolates ${steps.load.output.orders}, which is array of object, into text; an object or array would become JSON text.",
    );
    expect(text?.message).toContain('which is integer, but handler \'summarize\' expects string there');
    expect(ids?.message).toContain("(at '[*]', object does not fit string)");

    const nullable = withChange((f) => {
      step(f, 'summary').dependencies = ['post', 'load'];
      step(f, 'summary').inputs['text'] = '${steps.load.output.orders[0].note}';
    });
    expect(only(validateFragment(nullable, baseCtx)).message).toContain('(null does not fit string)');

    const textIntoNumber = withChange((f) => {
      step(f, 'load').inputs['limit'] = 'n=${task.input.region}';
    });
    const d = only(validateFragment(textIntoNumber, baseCtx));
    expect(d).toMatchObject({ code: 'REFERENCE_TYPE_MISMATCH', path: '/steps/0/inputs/limit' });
    expect(d.message).toBe("Step 'load' input 'limit' builds a string around ${task.input.region}, but handler 'load_orders' expects integer there.");
  });
});

describe('limits and budget', () => {
  it('LIMIT_STEPS', () => {
    const d = only(validateFragment(validFragment(), ctxWith({ maxSteps: 3 })));
    expect(d).toEqual({
      code: 'LIMIT_STEPS',
      path: '/steps',
      message: "The fragment has 5 steps; planning step 'plan_enrichment' allows at most 3.",
      hint: 'Merge or drop steps to at most 3, or plan the rest in another phase with "next": "replan".',
    });
  });

  it('LIMIT_DEPTH names the longest chain', () => {
    const d = only(validateFragment(validFragment(), ctxWith({ maxDepth: 3 })));
    expect(d.code).toBe('LIMIT_DEPTH');
    expect(d.path).toBe('/steps');
    expect(d.message).toBe("The longest dependency chain has 4 steps (load → check → post → summary); planning step 'plan_enrichment' allows a depth of at most 3.");
  });

  it('BUDGET_STEPS, BUDGET_COST and BUDGET_PHASES', () => {
    const r = validateFragment(validFragment(), ctxWith({ remaining: { steps: 4, phases: 0, costUsd: 0.01 } }));
    expect(codes(r)).toEqual([
      ['BUDGET_PHASES', '/next'],
      ['BUDGET_COST', '/steps'],
      ['BUDGET_STEPS', '/steps'],
    ]);
    const [phases, cost, steps] = r.diagnostics as Diagnostic[];
    expect(phases?.hint).toBe('Set "next": "done" and finish the work with the steps of this fragment.');
    expect(cost?.message).toBe("The fragment's estimated cost is $0.05, but only $0.01 remain in the task's cost budget.");
    expect(cost?.hint).toContain('summarize');
    expect(steps?.message).toBe("The fragment has 5 steps, but only 4 remain in the task's step budget.");
  });

  it('does not charge cost rounding: 0.05 fits a remaining 0.05', () => {
    expect(validateFragment(validFragment(), ctxWith({ remaining: { steps: 5, phases: 1, costUsd: 0.05 } })).ok).toBe(true);
  });
});

describe('many problems at once', () => {
  const messy = (): Fragment =>
    withChange((f) => {
      step(f, 'load').handler = 'load_order';
      step(f, 'check').inputs['on_invalid'] = 'drop';
      step(f, 'check').dependencies = ['load', 'ghost'];
      step(f, 'post').inputs['url'] = '${steps.load.outputs.url}';
      step(f, 'summary').name = 'check';
      step(f, 'alert').inputs['ids'] = '${steps.post.output.status}';
      f.next = 'replan';
    });

  it('reports all of them, ordered by path then code', () => {
    const r = validateFragment(messy(), ctxWith({ remaining: { steps: 20, phases: 0, costUsd: 1 } }));
    expect(codes(r)).toEqual([
      ['BUDGET_PHASES', '/next'],
      ['HANDLER_UNKNOWN', '/steps/0/handler'],
      ['DEPENDENCY_UNKNOWN', '/steps/1/dependencies/1'],
      ['INPUT_INVALID', '/steps/1/inputs/on_invalid'],
      ['REFERENCE_MALFORMED', '/steps/2/inputs/url'],
      ['STEP_NAME_DUPLICATE', '/steps/3/name'],
      ['REFERENCE_NOT_UPSTREAM', '/steps/4/inputs/ids'],
      ['REFERENCE_TYPE_MISMATCH', '/steps/4/inputs/ids'],
    ]);
  });

  it('is deterministic: same input, deep-equal output, whether text or value', () => {
    const a = validateFragment(messy(), baseCtx);
    const b = validateFragment(JSON.stringify(messy()), baseCtx);
    const c = validateFragment(messy(), baseCtx);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it('orders /steps/2 before /steps/10', () => {
    expect(comparePointers('/steps/2/name', '/steps/10/name')).toBeLessThan(0);
    expect(comparePointers('/steps', '/steps/0')).toBeLessThan(0);
    const many = withChange((f) => {
      for (let i = 0; i < 8; i++) f.steps.push({ name: `extra_${i}`, handler: 'transform', reasoning: 'r', dependencies: [], inputs: { data: 1, expression: '$' } });
      (f.steps[2] as { handler: string }).handler = 'nope';
      (f.steps[10] as { handler: string }).handler = 'nope';
    });
    expect(codes(validateFragment(many, baseCtx)).map(([, p]) => p)).toEqual(['/steps', '/steps/2/handler', '/steps/10/handler']);
  });
});
