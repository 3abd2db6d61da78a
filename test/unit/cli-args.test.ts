/**
 * The CLI's argument handling, in process: dispatch from the command table, usage errors with
 * exit 2 and the command's usage, help derived from the table, typed option values.
 */
import { describe, expect, it } from 'vitest';
import { parseCommandArgs } from '../../src/cli/args.js';
import { defineCommand, type CliContext } from '../../src/cli/command.js';
import { commandHelp, usageLine } from '../../src/cli/help.js';
import { COMMANDS, findCommand, processContext, runCli } from '../../src/cli/main.js';

interface Captured {
  readonly ctx: CliContext;
  readonly out: string[];
  readonly err: string[];
  connects: number;
}

/** A context that records output and fails any attempt to reach Temporal. */
function capture(env: Record<string, string | undefined> = {}): Captured {
  const c: Captured = {
    out: [],
    err: [],
    connects: 0,
    ctx: {
      env,
      cwd: process.cwd(),
      out: (t) => void c.out.push(t),
      err: (t) => void c.err.push(t),
      connect: () => {
        c.connects++;
        return Promise.reject(new Error('this test does not connect'));
      },
    },
  };
  return c;
}

describe('dispatch', () => {
  it('finds one- and two-word commands', () => {
    expect(findCommand(['run', 'order-triage'])?.command.name).toBe('run');
    expect(findCommand(['dlq', 'retry', 'id', 'step'])?.command.name).toBe('dlq retry');
    expect(findCommand(['dlq', 'retry', 'id', 'step'])?.rest).toEqual(['id', 'step']);
    expect(findCommand(['gate', 'approve', 'x', 'y'])?.command.name).toBe('gate approve');
    expect(findCommand(['nope'])).toBeNull();
  });

  it('has every command the design names', () => {
    expect(COMMANDS.map((c) => c.name)).toEqual([
      'worker', 'run', 'inspect', 'ui', 'validate', 'catalog', 'templates',
      'dlq list', 'dlq retry', 'dlq skip', 'dlq fail', 'gate approve', 'gate reject', 'blob get', 'eval', 'bundle',
      'dev-server build', 'dev-server start', 'dev-server stop', 'dev-server status', 'dev-server paths', 'replay',
    ]);
  });
});

describe('usage errors exit 2 with a one-line message and the usage', () => {
  const cases: [string[], RegExp][] = [
    [['run'], /^weft run: missing <template>$/],
    [['run', 'a', 'b'], /^weft run: unexpected argument 'b'$/],
    [['run', 'x', '--bogus'], /^weft run: unknown option '--bogus'$/],
    [['run', 'x', '--input'], /^weft run: option '--input <value>' needs a value$/],
    [['inspect', 'id', '--layer', '5'], /^weft inspect: --layer must be one of 1, 2, 3, 4 \(got '5'\)$/],
    [['catalog', '--tier', '0'], /^weft catalog: --tier must be one of 1, 2, 3 \(got '0'\)$/],
    [['validate', 'f.json'], /^weft validate: --template <name> is required$/],
    [['validate', 'f.json', '--template', 'order-triage', '--phase', 'two'], /^weft validate: --phase must be a whole number from 1 to 1000 \(got 'two'\)$/],
    [['dlq', 'skip', 'id', 'step'], /^weft dlq skip: --output <json> is required$/],
    [['gate', 'approve', 'id'], /^weft gate approve: missing <step>$/],
  ];
  for (const [argv, message] of cases) {
    it(`weft ${argv.join(' ')}`, async () => {
      const c = capture();
      expect(await runCli(argv, c.ctx)).toBe(2);
      expect(c.err[0]).toMatch(message);
      const command = findCommand(argv)!.command;
      expect(c.err[1]).toContain(`usage: ${usageLine(command)}`);
      expect(c.connects).toBe(0);
    });
  }

  it('names the subcommands of a group', async () => {
    const c = capture();
    expect(await runCli(['dlq'], c.ctx)).toBe(2);
    expect(c.err[0]).toBe('weft dlq: missing list|retry|skip|fail');
    expect(await runCli(['gate', 'maybe'], c.ctx)).toBe(2);
    expect(c.err.join('\n')).toContain("weft gate: unknown subcommand 'maybe', expected approve|reject");
  });

  it('rejects an unknown command, naming the commands', async () => {
    const c = capture();
    expect(await runCli(['launch'], c.ctx)).toBe(2);
    expect(c.err[0]).toContain("unknown command 'launch'");
    expect(c.err[0]).toContain('worker, run, inspect, ui, validate, catalog, templates, dlq, gate, blob');
  });

  it('reports a bad environment variable by name, exit 2', async () => {
    const c = capture();
    const real = processContext({ TEMPORAL_ADDRESS: 'nowhere' });
    expect(await runCli(['inspect', 'some-id'], { ...real, out: c.ctx.out, err: c.ctx.err })).toBe(2);
    expect(c.err[0]).toContain("TEMPORAL_ADDRESS='nowhere' is not host:port");
  });

  it('reports a bad --json for dlq skip before connecting', async () => {
    const c = capture();
    expect(await runCli(['dlq', 'skip', 'id', 'step', '--output', '{nope'], c.ctx)).toBe(2);
    expect(c.err[0]).toMatch(/^weft dlq skip: --output is not JSON/);
  });
});

describe('help is derived from the command table', () => {
  it('lists every command with its summary', async () => {
    const c = capture();
    expect(await runCli(['--help'], c.ctx)).toBe(0);
    for (const command of COMMANDS) {
      expect(c.out[0]).toContain(command.name);
      expect(c.out[0]).toContain(command.summary);
    }
  });

  it('with no arguments goes to stderr with exit 2', async () => {
    const c = capture();
    expect(await runCli([], c.ctx)).toBe(2);
    expect(c.err[0]).toContain('usage: weft <command>');
  });

  it('shows each option and positional of a command', async () => {
    for (const command of COMMANDS) {
      const c = capture();
      expect(await runCli([...command.name.split(' '), '--help'], c.ctx)).toBe(0);
      const help = c.out[0] ?? '';
      expect(help).toBe(commandHelp(command));
      expect(help).toContain(`usage: ${usageLine(command)}`);
      for (const name of Object.keys(command.options as object)) expect(help).toContain(`--${name}`);
      for (const p of command.positionals as { name: string }[]) expect(help).toContain(`<${p.name}>`);
    }
  });

  it('writes usage lines from the option specs', () => {
    expect(usageLine(findCommand(['run'])!.command)).toBe('weft run <template> [--input <file.json>] [--id <id>] [--no-wait]');
    expect(usageLine(findCommand(['inspect'])!.command)).toBe('weft inspect <workflowId> [--layer 1|2|3|4] [--json] [--prompt] [--step <name>] [--resolve]');
    expect(usageLine(findCommand(['dlq', 'skip'])!.command)).toBe('weft dlq skip <workflowId> <step> --output <json> [--reason <text>]');
  });
});

describe('parsed values', () => {
  const probe = defineCommand({
    name: 'probe',
    summary: 'A probe.',
    positionals: [{ name: 'a', description: 'a' }, { name: 'b', description: 'b', optional: true }],
    options: { flag: { type: 'boolean', description: 'f' }, name: { type: 'string', short: 'n', description: 'n' } },
    run: () => Promise.resolve(0),
  });

  it('sets booleans, strings, shorts and optional positionals', () => {
    expect(parseCommandArgs(probe, ['x', '-n', 'y', '--flag'])).toEqual({ help: false, options: { flag: true, name: 'y' }, positionals: { a: 'x', b: undefined } });
    expect(parseCommandArgs(probe, ['x', 'z'])).toEqual({ help: false, options: { flag: false, name: undefined }, positionals: { a: 'x', b: 'z' } });
    expect(parseCommandArgs(probe, ['--help'])).toEqual({ help: true });
  });
});
