/**
 * Dashboard queries as Prometheus sees them: Grafana's variables replaced by concrete values,
 * and a PromQL syntax check with Prometheus's own grammar (`@prometheus-io/lezer-promql`).
 */
import { parser } from '@prometheus-io/lezer-promql';

/** Replaces Grafana's variables: every template and dimension, 1-minute rate windows, a 1-hour range. */
export function concreteQuery(expr: string, range = '1h'): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__range', range)
    .replaceAll('$template', '.*')
    .replaceAll('$dimension', '.*');
}

/** Syntax errors of a PromQL expression (empty when it parses), with their positions. */
export function promqlErrors(expr: string): string[] {
  const errors: string[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) errors.push(`syntax error at ${node.from}: '${expr.slice(Math.max(0, node.from - 10), node.to + 10)}'`);
    },
  });
  return errors;
}

/** Metric names an expression selects (identifiers followed by `{`, `[` or used bare as a vector selector). */
export function metricNames(expr: string): string[] {
  const names = new Set<string>();
  const tree = parser.parse(expr);
  tree.iterate({
    enter(node) {
      if (node.name === 'VectorSelector') {
        const m = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(expr.slice(node.from, node.to));
        if (m) names.add(m[0]);
      }
    },
  });
  return [...names];
}
