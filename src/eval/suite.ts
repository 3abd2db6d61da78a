/**
 * The planning-eval suite: a directory of JSON problem files (`eval/problems/` by default), each a
 * planning problem over a registered template — which planning step, the task input, fake results
 * for the steps the planning step sees (so no handler runs), and what a good fragment must and
 * must not contain. The problem's id is its file name; problems run in id order.
 *
 * @example
 * const suite = await loadSuite(); // eval/problems/*.json, validated
 * suite.problems.map((p) => p.id); // ['country-revenue', 'currency-totals', ...]
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { JsonValue } from '../core/json.js';

/** The suite shipped in the repository. */
export const DEFAULT_SUITE_DIR = fileURLToPath(new URL('../../eval/problems/', import.meta.url));

/** A problem file name without `.json`: the problem's id. */
export const PROBLEM_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

const jsonValue: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);

const handlerList = z.array(z.string().min(1)).default([]);

/** What a good answer to a problem must and must not contain (checked on the accepted fragment). */
export const expectationSchema = z
  .object({
    mustUse: handlerList.describe('Handlers an accepted fragment must use.'),
    mustNotUse: handlerList.describe('Handlers no fragment may use (e.g. an unregistered one the problem text asks for).'),
    mustNotDependOn: handlerList.describe('Steps no fragment may depend on or reference (e.g. the finalization step).'),
  })
  .strict();

/** One problem file. */
export const problemSchema = z
  .object({
    description: z.string().min(1).describe('What this problem exercises, one sentence.'),
    template: z.string().min(1).describe('A template of the registry, by name.'),
    planningStep: z.string().min(1).optional().describe("The planning step (default: the template's only one)."),
    phase: z.number().int().min(1).max(100).default(1),
    hostile: z.boolean().default(false).describe('The problem text or results try to make the planner break the frame.'),
    input: jsonValue.default({}).describe("The task input, as a client would send it (the template's defaults apply)."),
    results: z.record(z.string(), jsonValue).default({}).describe('Outputs of the steps the planning step sees, by step name.'),
    expect: expectationSchema.default({ mustUse: [], mustNotUse: [], mustNotDependOn: [] }),
  })
  .strict();

/** A problem as written in its file (defaults applied). */
export type ProblemSpec = z.infer<typeof problemSchema>;

/** What {@link expectationSchema} parses to. */
export type Expectations = z.infer<typeof expectationSchema>;

/** A problem with its id and file. */
export interface EvalProblem extends ProblemSpec {
  readonly id: string;
  readonly file: string;
}

/** A loaded suite. */
export interface EvalSuite {
  /** Absolute path of the directory. */
  readonly dir: string;
  /** Every problem, in id order. */
  readonly problems: readonly EvalProblem[];
}

/** The suite cannot be read, or a problem does not fit the format or the registry. Names the file and what to fix. */
export class SuiteError extends Error {
  override readonly name = 'SuiteError';
}

/** Loads every `*.json` in `dir` (default {@link DEFAULT_SUITE_DIR}) as a problem, in id order. */
export async function loadSuite(dir: string = DEFAULT_SUITE_DIR, cwd: string = process.cwd()): Promise<EvalSuite> {
  const abs = resolve(cwd, dir);
  let names: string[];
  try {
    names = (await readdir(abs)).filter((n) => n.endsWith('.json')).sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SuiteError(`cannot read the eval suite ${abs}: ${code === 'ENOENT' ? 'no such directory' : code === 'ENOTDIR' ? 'not a directory' : String(err)}`);
  }
  if (names.length === 0) throw new SuiteError(`the eval suite ${abs} has no problem files (*.json); see docs/planner-eval.md for the format`);
  const problems: EvalProblem[] = [];
  for (const name of names) problems.push(parseProblem(await readFile(join(abs, name), 'utf8'), join(abs, name)));
  return { dir: abs, problems };
}

/** Parses one problem file's text; `file` names it in errors and gives the id. */
export function parseProblem(text: string, file: string): EvalProblem {
  const id = basename(file, '.json');
  if (!PROBLEM_ID_PATTERN.test(id)) {
    throw new SuiteError(`problem file ${file}: the name '${id}' is the problem's id and must match ${PROBLEM_ID_PATTERN.source} (lower case, digits, dashes)`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new SuiteError(`problem file ${file} is not JSON: ${(err as Error).message}`);
  }
  const parsed = problemSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const shown = issues.slice(0, 5).map((i) => `${i.path.length === 0 ? '(root)' : i.path.join('.')}: ${i.message}`);
    const more = issues.length > 5 ? `; and ${issues.length - 5} more` : '';
    throw new SuiteError(`problem file ${file} does not fit the problem format: ${shown.join('; ')}${more}`);
  }
  return { ...parsed.data, id, file };
}
