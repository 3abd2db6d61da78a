/**
 * Usage lines and help texts, derived from the command table: nothing here is written per
 * command, so the help cannot drift from what the parser accepts.
 */
import type { AnyCommand, OptionSpec, PositionalSpec } from './command.js';

/** `weft run <template> [--input <file.json>] [--id <id>] [--no-wait]`. */
export function usageLine(command: AnyCommand): string {
  const parts = [`weft ${command.name}`];
  for (const p of command.positionals as readonly PositionalSpec[]) {
    const word = `<${p.name}>${p.variadic ? '...' : ''}`;
    parts.push(p.optional ? `[${word}]` : word);
  }
  for (const [name, spec] of Object.entries(command.options as Record<string, OptionSpec>)) {
    const flag = spec.type === 'boolean' ? `--${name}` : `--${name} ${valueHint(spec)}`;
    parts.push(spec.required ? flag : `[${flag}]`);
  }
  return parts.join(' ');
}

function valueHint(spec: OptionSpec): string {
  if (spec.choices && spec.choices.length <= 4) return spec.choices.join('|');
  return `<${spec.placeholder ?? 'value'}>`;
}

function column(rows: readonly (readonly [string, string])[], indent = '  '): string[] {
  const width = Math.min(32, Math.max(...rows.map(([left]) => left.length)));
  return rows.map(([left, right]) => (left.length > width ? `${indent}${left}\n${indent}${' '.repeat(width)}  ${right}` : `${indent}${left.padEnd(width)}  ${right}`));
}

/** The full help of one command. */
export function commandHelp(command: AnyCommand): string {
  const lines = [`usage: ${usageLine(command)}`, '', command.summary];
  if (command.description) lines.push('', command.description);
  const positionals = command.positionals as readonly PositionalSpec[];
  if (positionals.length > 0) {
    lines.push('', 'arguments:', ...column(positionals.map((p) => [`<${p.name}>`, p.description])));
  }
  const options = Object.entries(command.options as Record<string, OptionSpec>).map(([name, spec]): [string, string] => {
    const flag = `${spec.short ? `-${spec.short}, ` : ''}--${name}${spec.type === 'string' ? ` ${valueHint(spec)}` : ''}`;
    return [flag, spec.description];
  });
  options.push(['-h, --help', 'show this help']);
  lines.push('', 'options:', ...column(options));
  if (command.exitCodes && command.exitCodes.length > 0) lines.push('', 'exit status:', ...command.exitCodes.map((c) => `  ${c}`));
  return lines.join('\n');
}

/** Environment variables every command reads (DESIGN.md, "Interfaces"). */
const ENVIRONMENT: readonly (readonly [string, string])[] = [
  ['TEMPORAL_ADDRESS', 'Temporal frontend host:port (default 127.0.0.1:7233)'],
  ['TEMPORAL_NAMESPACE', 'namespace (default "default")'],
  ['WEFT_TASK_QUEUE', 'task queue of workers and tasks (default "weft")'],
  ['TEMPORAL_TLS, TEMPORAL_TLS_CA, TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY, TEMPORAL_TLS_SERVER_NAME', 'TLS and mTLS'],
  ['WEFT_REGISTRY', "registry module (default: the project's weft.config.json, or package.json's \"weft\": { \"registry\" })"],
  ['WEFT_UI_URL', 'Web UI base URL (default: the TEMPORAL_ADDRESS host, port $WEFT_TEMPORAL_UI_PORT or 8233)'],
  ['ANTHROPIC_API_KEY', 'plan with Claude (the example registry, weft eval); unset: the scripted planner'],
  ['ANTHROPIC_BASE_URL, WEFT_MODEL', 'Messages API endpoint (default https://api.anthropic.com) and model (default claude-sonnet-4-6)'],
  ['WEFT_BLOB_URL', 'a blob store all workers share: s3://bucket/prefix (AWS SDK configuration; wins over WEFT_BLOB_DIR)'],
  ['WEFT_S3_ENDPOINT', 'an S3-compatible server for WEFT_BLOB_URL (e.g. http://127.0.0.1:8333; path-style); or AWS_ENDPOINT_URL_S3'],
  ['WEFT_BLOB_DIR', 'where step results over 32 KiB and large prompts are stored (default .weft/blobs)'],
  ['WEFT_METRICS_ADDRESS', "worker's Prometheus endpoint host:port, e.g. 127.0.0.1:9464 (default off)"],
  ['OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_TRACES_EXPORTER, OTEL_*', 'traces of worker and weft run over OpenTelemetry (default off)'],
];

/** The top-level help: every command's usage and summary, grouped as the table orders them. */
export function mainHelp(commands: readonly AnyCommand[]): string {
  const lines = [
    'weft: LLM-planned workflows inside reviewed templates, on Temporal.',
    '',
    'usage: weft <command> [arguments] [options]    (weft <command> --help for details)',
    '',
    'commands:',
    ...column(commands.map((c) => [c.name, c.summary])),
    '',
    'environment:',
    ...column(ENVIRONMENT),
  ];
  return lines.join('\n');
}
