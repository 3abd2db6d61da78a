/**
 * weft as another repository uses it: `npm pack`, the tarball installed into a copy of
 * `test/consumer-project` (a service repository with its own strict tsconfig, a template, an
 * application handler, a registry, a service script and a template test), and from there, with no
 * access to weft's sources: `tsc` passes, `weft validate` works, `weft bundle` + `weft worker` with
 * the project's registry run a task that the service's compiled JavaScript starts through the
 * client API, and the project's template test passes in the time-skipping environment. publint
 * and arethetypeswrong check the package as a registry would see it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand, type CommandRun } from '../support/cli.js';
import { startDevServerEnv } from '../support/environments.js';
import { REPO_ROOT } from '../support/paths.js';

const FIXTURE = join(REPO_ROOT, 'test/consumer-project');

type Ran = CommandRun;

/** Runs a command in `cwd` with exactly `env`. */
function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env, timeoutMs = 300_000): Promise<Ran> {
  return runCommand(command, args, { cwd, env, timeoutMs });
}

/** `run`, expecting exit 0; fails with both streams otherwise. */
async function ok(command: string, args: readonly string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<Ran> {
  const r = await run(command, args, cwd, env);
  if (r.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

let work: string;
let project: string;
let tarball: string;
let files: string[];
/** The environment of the project's commands: no weft registry or repository variables of ours leak in. */
let projectEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'weft-consumer-'));
  const packed = await ok('npm', ['pack', '--json', '--pack-destination', work], REPO_ROOT);
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
  files = info!.files.map((f) => f.path);
  // Where the fixture's package.json expects it: "file:../weftworks-weft.tgz".
  tarball = join(work, 'weftworks-weft.tgz');
  renameSync(join(work, info!.filename), tarball);
  project = join(work, 'project');
  cpSync(FIXTURE, project, { recursive: true, filter: (source) => !/[/\\](node_modules|dist)$/.test(source) });
  const { WEFT_REGISTRY: _registry, WEFT_TASK_QUEUE: _queue, TEMPORAL_ADDRESS: _address, ...rest } = process.env;
  projectEnv = rest;
  await ok('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], project, projectEnv);
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('holds the compiled package, the bin and the servers script, and no tests, benches, eval problems or CI files', () => {
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'bin/weft.js', 'temporal-dev.sh', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/workflows/index.js', 'dist/src/testing/index.js']));
    const top = [...new Set(files.map((f) => f.split('/')[0]))].sort();
    expect(top).toEqual(['README.md', 'bin', 'dist', 'observability', 'package.json', 'temporal-dev.sh']);
    expect(files).toEqual(expect.arrayContaining(['observability/dashboards/weft-tasks.json', 'observability/alerts/weft.rules.yml']));
    expect(files.filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it('passes publint and arethetypeswrong (ESM only, by design)', async () => {
    const publint = await run(process.execPath, [join(REPO_ROOT, 'node_modules/publint/src/cli.js'), '--strict'], REPO_ROOT);
    expect(publint.stdout + publint.stderr).toContain('All good!');
    expect(publint.code).toBe(0);
    const attw = await run(process.execPath, [join(REPO_ROOT, 'node_modules/@arethetypeswrong/cli/dist/index.js'), tarball, '--profile', 'esm-only', '--format', 'table-flipped'], REPO_ROOT);
    expect(attw.code, attw.stdout + attw.stderr).toBe(0);
  });
});

describe('a consumer project with weft installed from the tarball', () => {
  it("type-checks and compiles with its own strict settings (weft's sources are not type-checked)", async () => {
    const tsc = await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--listFilesOnly'], project, projectEnv);
    expect(tsc.code).toBe(0);
    expect(tsc.stdout.split('\n').filter((f) => f.includes('@weftworks/weft/') && !f.endsWith('.d.ts'))).toEqual([]);
    await ok('npx', ['tsc', '-p', 'tsconfig.json'], project, projectEnv);
  });

  it('validates fragments with weft validate, finding the registry through package.json', async () => {
    const r = await run('npx', ['weft', 'validate', 'fragments/valid.json', 'fragments/unknown-handler.json', '--template', 'greetings'], project, projectEnv);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^valid: fragments\/valid\.json is a valid fragment for greetings \/ plan_greetings/m);
    expect(r.stdout).toMatch(/^HANDLER_UNKNOWN \/steps\/0\/handler: Step 'greet_ada' uses handler 'wave'.*\n {2}hint: Use one of: greet, transform\./m);
    const unknown = await run('npx', ['weft', 'validate', 'fragments/valid.json', '--template', 'order-triage'], project, projectEnv);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`unknown template 'order-triage' in the registry ${join(project, 'src/registry.ts')} (from ${join(project, 'package.json')})`);
  });

  it('builds and finds the Temporal servers with weft dev-server, whose messages name its own commands', async () => {
    const paths = await ok('npx', ['weft', 'dev-server', 'paths', '--json'], project, projectEnv);
    const { cli, test_server: testServer } = JSON.parse(paths.stdout) as { cli: string; test_server: string };
    expect(existsSync(cli) && existsSync(testServer)).toBe(true);
    const build = await ok('npx', ['weft', 'dev-server', 'build', 'test-server'], project, projectEnv);
    expect(build.stderr).toContain(`Ready: cli=${cli} test_server=${testServer}`);
    const usage = await run('npx', ['weft', 'dev-server', 'build', 'everything'], project, projectEnv);
    expect(usage.code).toBe(1);
    expect(usage.stderr).toContain("build takes cli, test-server or nothing (both), not 'everything'.");
    const help = await run('bash', [join(project, 'node_modules/@weftworks/weft/temporal-dev.sh'), 'help'], project, { ...projectEnv, WEFT_DEV_SERVER_COMMAND: 'npx weft dev-server' });
    expect(help.stdout).toContain('Usage: npx weft dev-server <command>');
  });

  describe('on a dev server', () => {
    let env: TestWorkflowEnvironment;
    let worker: ChildProcess | undefined;
    let workerOutput = '';
    let serverEnv: NodeJS.ProcessEnv;

    beforeAll(async () => {
      env = await startDevServerEnv();
      serverEnv = { ...projectEnv, TEMPORAL_ADDRESS: env.address, WEFT_TASK_QUEUE: `consumer-${randomUUID().slice(0, 8)}` };
    });

    afterAll(async () => {
      if (worker && worker.exitCode === null) {
        const exited = new Promise((resolve) => worker!.once('exit', resolve));
        worker.kill('SIGTERM');
        await exited;
      }
      await env?.teardown();
    });

    it("runs the service's task on a worker started with the project's registry and the package's prebuilt workflow bundle", async () => {
      // `weft bundle` still writes a bundle of its own (for `weft worker --workflow-bundle`).
      const bundled = await ok('npm', ['run', '--silent', 'bundle-workflows'], project, serverEnv);
      expect(bundled.stdout).toMatch(/weft bundle: wrote .*dist\/weft-workflows\.js/);
      worker = spawn('npm', ['run', '--silent', 'worker'], { cwd: project, env: serverEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: false });
      worker.stdout!.on('data', (chunk: Buffer) => (workerOutput += chunk.toString()));
      worker.stderr!.on('data', (chunk: Buffer) => (workerOutput += chunk.toString()));
      const deadline = Date.now() + 120_000;
      while (!workerOutput.includes('weft worker: running')) {
        if (worker.exitCode !== null || Date.now() > deadline) throw new Error(`the worker did not start:\n${workerOutput}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      // No bundling at start: the installed package's build wrote the bundle, checked against its code.
      expect(workerOutput).toContain(`loading ${join(project, 'node_modules/@weftworks/weft/dist/workflow-bundle.js')}`);
      expect(workerOutput).not.toContain('bundling the workflow code');
      expect(workerOutput).toMatch(/templates: greetings@1\.0\.0 · \d+ handlers · planner: scripted/);

      const service = await ok(process.execPath, ['dist/src/service.js'], project, serverEnv);
      const outcome = JSON.parse(service.stdout) as { result: unknown; steps: { total: number; template: number; planned: number } };
      expect(outcome.result).toEqual({ result: ['Hello, Ada.', 'Hello, Grace!'] });
      expect(outcome.steps).toMatchObject({ total: 4, template: 2, planned: 2 });
    });
  });

  it("passes the project's own template test in the time-skipping environment", async () => {
    const r = await run('npm', ['test'], project, projectEnv);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/# pass 2\b/);
    expect(r.stdout).toMatch(/# fail 0\b/);
  });
});
