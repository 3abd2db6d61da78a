/**
 * `weft replay`: would today's weft accept yesterday's tasks? For the tasks found by visibility
 * (`--workflow-id`, or `--template` and `--since`) or the histories exported to `--histories DIR`,
 * it re-validates every recorded planner output against today's templates, catalog and validator,
 * and replays every history against today's workflow code. Exit 0 when all are clean, 1 on any
 * finding (a deploy pipeline gates on it), 2 for usage and I/O errors.
 */
import type { HistoryReport, NamedHistory } from '../../replay/check.js';
import { intOption } from '../args.js';
import { CliError, defineCommand, UsageError, type CliContext } from '../command.js';
import { formatDiagnostic, json } from '../format.js';
import { loadCompiledRegistry, registryOption } from '../registry-option.js';

/** What `--json` prints. */
export interface ReplayReport {
  readonly source: string;
  readonly histories: readonly HistoryReport[];
  readonly clean: number;
  readonly withFindings: number;
}

const DURATION = /^(\d+)(m|h|d)$/;

/** `--since`: `90m`, `24h`, `7d`, or an ISO date-time; returned as an ISO date-time. */
export function sinceTime(value: string, now: number = Date.now()): string {
  const d = DURATION.exec(value);
  if (d) return new Date(now - Number(d[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[d[2] as 'm' | 'h' | 'd']).toISOString();
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new UsageError(`--since must be a duration (90m, 24h, 7d) or an ISO date-time (2026-12-01T00:00:00Z), not '${value}'`);
  return new Date(t).toISOString();
}

/** The visibility query for `--template` and `--since`. */
export function replayQuery(template: string | undefined, since: string): string {
  const parts = ["WorkflowType = 'weftTask'", `StartTime >= '${since}'`];
  if (template !== undefined) parts.push(`WeftTemplate = '${template.replace(/'/g, "\\'")}'`);
  return parts.join(' AND ');
}

async function fromDirectory(dir: string, ctx: CliContext): Promise<NamedHistory[]> {
  const fs = await import('node:fs/promises');
  const paths = await import('node:path');
  const { historyFromJSON } = await import('@temporalio/common/lib/proto-utils.js');
  const path = paths.resolve(ctx.cwd, dir);
  let files: string[];
  try {
    files = (await fs.readdir(path)).filter((f) => f.endsWith('.json')).sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(`cannot read --histories ${dir}: ${code === 'ENOENT' ? 'no such directory' : code === 'ENOTDIR' ? 'not a directory' : String(err)}`);
  }
  if (files.length === 0) throw new CliError(`--histories ${dir} holds no .json histories: export them with \`temporal workflow show --output json\` or WorkflowHandle.fetchHistory()`);
  const out: NamedHistory[] = [];
  for (const f of files) {
    try {
      out.push({ source: f, history: historyFromJSON(JSON.parse(await fs.readFile(paths.join(path, f), 'utf8'))) });
    } catch (err) {
      throw new CliError(`history ${paths.join(dir, f)} cannot be read: ${(err as Error).message}`);
    }
  }
  return out;
}

async function fromServer(ctx: CliContext, workflowId: string | undefined, query: string, limit: number): Promise<NamedHistory[]> {
  const weft = await ctx.connect();
  try {
    const ids = workflowId !== undefined ? [workflowId] : (await weft.list(query, limit)).map((t) => t.workflowId);
    const out: NamedHistory[] = [];
    for (const id of ids) out.push({ source: id, history: await weft.client.workflow.getHandle(id).fetchHistory() });
    return out;
  } finally {
    await weft.close();
  }
}

function printReport(r: HistoryReport, ctx: CliContext): void {
  const what = `${r.fragments} fragment${r.fragments === 1 ? '' : 's'} re-validated, ${r.replayed ? 'replayed' : 'not replayed'}`;
  ctx.out(`${r.findings.length === 0 ? 'ok  ' : 'FAIL'}  ${r.source}${r.template ? ` (${r.template})` : ''}: ${what}`);
  for (const f of r.findings) {
    switch (f.kind) {
      case 'now_rejected':
        ctx.out(`      ${f.planningStep} phase ${f.phase} attempt ${f.attempt}: accepted then, rejected today (${f.diagnostics.length} diagnostic${f.diagnostics.length === 1 ? '' : 's'}):`);
        for (const d of f.diagnostics) ctx.out(formatDiagnostic(d).replace(/^/gm, '        '));
        break;
      case 'template_gone':
      case 'step_gone':
        ctx.out(`      ${f.message}`);
        break;
      case 'not_replayable':
        ctx.out(`      today's workflow code cannot replay it: ${f.error}: ${f.message.split('\n')[0]}`);
        break;
    }
  }
}

/** `weft replay`. */
export const replayCommand = defineCommand({
  name: 'replay',
  summary: "Re-validate recorded fragments against today's catalog and replay histories against today's workflow code.",
  description:
    'Histories come from --histories DIR (exported JSON, what CI uses), --workflow-id, or visibility (--template, --since). ' +
    "Each planner output is validated against the plan the task pinned and against today's template: valid then and rejected " +
    'now is a finding, printed with the diagnostics. Each history is replayed with Temporal\'s replayer: a determinism error is a finding.',
  positionals: [],
  options: {
    histories: { type: 'string', placeholder: 'dir', description: 'a directory of exported histories (*.json), instead of the server' },
    'workflow-id': { type: 'string', placeholder: 'id', description: 'one task, read from the server' },
    template: { type: 'string', placeholder: 'name', description: "the template's tasks, read from the server (visibility)" },
    since: { type: 'string', placeholder: '24h|ISO', description: 'tasks started since (default 7d)' },
    limit: { type: 'string', placeholder: 'n', description: 'at most this many tasks from visibility (default 100)' },
    json: { type: 'boolean', description: 'print the report as JSON' },
    registry: registryOption,
  },
  exitCodes: ['0  every history is clean', '1  a recorded fragment today rejects, or a history today\'s code cannot replay', '2  usage or I/O error'],
  async run({ options }, ctx) {
    const fromServerOptions = options['workflow-id'] !== undefined || options.template !== undefined || options.since !== undefined;
    if (options.histories !== undefined && fromServerOptions) {
      throw new UsageError('--histories reads exported files; --workflow-id, --template and --since read the server: use one or the other');
    }
    const limit = intOption(options.limit, 'limit', 1, 10_000, 100);
    const since = sinceTime(options.since ?? '7d');
    const registry = await loadCompiledRegistry(options.registry, ctx);
    const source = options.histories !== undefined ? `--histories ${options.histories}` : options['workflow-id'] !== undefined ? `task ${options['workflow-id']}` : replayQuery(options.template, since);
    const histories = options.histories !== undefined ? await fromDirectory(options.histories, ctx) : await fromServer(ctx, options['workflow-id'], replayQuery(options.template, since), limit);
    const { revalidate } = await import('../../replay/check.js');
    const { replayHistories } = await import('../../replay/replayer.js');
    const replayFailures = await replayHistories(histories);
    const reports: HistoryReport[] = histories.map((h) => {
      const v = revalidate(h, registry.plans);
      const failure = replayFailures.get(h.source);
      return {
        source: h.source,
        template: v.template,
        fragments: v.fragments,
        replayed: true,
        findings: [...v.findings, ...(failure ? [{ kind: 'not_replayable' as const, ...failure }] : [])],
      };
    });
    const withFindings = reports.filter((r) => r.findings.length > 0).length;
    const report: ReplayReport = { source, histories: reports, clean: reports.length - withFindings, withFindings };
    if (options.json) ctx.out(json(report));
    else {
      ctx.out(`replay: ${reports.length} histor${reports.length === 1 ? 'y' : 'ies'} from ${source}, against today's registry ${registry.path}`);
      for (const r of reports) printReport(r, ctx);
      ctx.out(reports.length === 0 ? 'nothing matched: no task to check' : `${report.clean} clean, ${withFindings} with findings`);
    }
    return withFindings === 0 ? 0 : 1;
  },
});
