/**
 * A small typed model of the Grafana dashboard JSON weft ships (schema version 39, Grafana 10/11),
 * and the builders that turn it into importable JSON: a `datasource` variable (so the file imports
 * as-is into any Grafana with a Prometheus data source), a `template` variable from the metrics,
 * and panels laid out on the 24-column grid in the order given.
 * Plain data rather than `@grafana/grafana-foundation-sdk`: that package is pre-1.0 with
 * time-stamped versions; what weft needs is this much.
 * @example
 * const json = renderDashboard({ uid: 'weft-tasks', title: 'weft — Tasks', description: '…', panels: [timeseries('Parked steps', '…', [q('sum(weft_parked_steps)')])] });
 */

/** A PromQL query of a panel. `legend` is Grafana's legend format (`{{handler}}`). */
export interface Query {
  readonly expr: string;
  readonly legend?: string;
  /** `heatmap` for histogram buckets, `table` for instant tables; default `time_series`. */
  readonly format?: 'time_series' | 'heatmap' | 'table';
  readonly instant?: boolean;
}

/** Panel types weft uses. */
export type PanelType = 'timeseries' | 'heatmap' | 'barchart' | 'bargauge' | 'stat' | 'table' | 'piechart';

/** A panel: title, what it answers, its queries, unit and size. */
export interface PanelSpec {
  readonly type: PanelType;
  readonly title: string;
  readonly description: string;
  readonly queries: readonly Query[];
  readonly unit?: string;
  /** Width in grid columns (of 24) and height in rows; default 12 × 8. */
  readonly width?: number;
  readonly height?: number;
  readonly stack?: boolean;
}

/** A dashboard. */
export interface DashboardSpec {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly panels: readonly PanelSpec[];
  /** Extra custom variables (name → values). */
  readonly customVariables?: Readonly<Record<string, readonly string[]>>;
}

/** A query. */
export function q(expr: string, legend?: string, extra: Omit<Query, 'expr' | 'legend'> = {}): Query {
  return { expr, ...(legend === undefined ? {} : { legend }), ...extra };
}

/** Panel shorthands. */
export const timeseries = (title: string, description: string, queries: readonly Query[], more: Partial<PanelSpec> = {}): PanelSpec => ({ type: 'timeseries', title, description, queries, ...more });
export const panel = (type: PanelType, title: string, description: string, queries: readonly Query[], more: Partial<PanelSpec> = {}): PanelSpec => ({ type, title, description, queries, ...more });

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

function panelJson(p: PanelSpec, id: number, gridPos: { x: number; y: number; w: number; h: number }): Record<string, unknown> {
  const targets = p.queries.map((query, i) => ({
    refId: String.fromCharCode(65 + i),
    datasource: DATASOURCE,
    expr: query.expr,
    legendFormat: query.legend ?? '__auto',
    range: !query.instant,
    instant: query.instant ?? false,
    format: query.format ?? 'time_series',
    editorMode: 'code',
  }));
  const custom: Record<string, unknown> = p.type === 'timeseries' ? { drawStyle: 'line', lineWidth: 1, fillOpacity: p.stack ? 30 : 10, stacking: { mode: p.stack ? 'normal' : 'none', group: 'A' }, spanNulls: true } : {};
  const options: Record<string, unknown> =
    p.type === 'heatmap'
      ? { calculate: false, yAxis: { unit: p.unit ?? 'short' }, cellGap: 1, color: { mode: 'scheme', scheme: 'Oranges' } }
      : p.type === 'bargauge'
        ? { orientation: 'horizontal', displayMode: 'gradient', reduceOptions: { calcs: ['lastNotNull'], values: false } }
        : p.type === 'stat' || p.type === 'piechart'
          ? { reduceOptions: { calcs: ['lastNotNull'], values: false } }
          : p.type === 'table'
            ? { showHeader: true }
            : p.type === 'barchart'
              ? { xField: 'Time', orientation: 'auto', showValue: 'auto' }
              : { legend: { displayMode: 'table', placement: 'bottom', calcs: ['mean', 'lastNotNull'] }, tooltip: { mode: 'multi' } };
  return {
    id,
    type: p.type,
    title: p.title,
    description: p.description,
    datasource: DATASOURCE,
    gridPos,
    targets,
    fieldConfig: { defaults: { unit: p.unit ?? 'short', custom }, overrides: [] },
    options,
    ...(p.type === 'table' ? { transformations: [{ id: 'merge', options: {} }] } : {}),
  };
}

/** The dashboard as Grafana JSON (stable key order, so the committed file diffs cleanly). */
export function renderDashboard(d: DashboardSpec): Record<string, unknown> {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  const panels = d.panels.map((p, i) => {
    const w = p.width ?? 12;
    const h = p.height ?? 8;
    if (x + w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const json = panelJson(p, i + 1, { x, y, w, h });
    x += w;
    rowHeight = Math.max(rowHeight, h);
    return json;
  });
  const custom = Object.entries(d.customVariables ?? {}).map(([name, values]) => ({
    name,
    label: name,
    type: 'custom',
    query: values.join(','),
    multi: true,
    includeAll: true,
    current: { selected: true, text: ['All'], value: ['$__all'] },
    options: [],
  }));
  return {
    uid: d.uid,
    title: d.title,
    description: d.description,
    tags: ['weft'],
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-6h', to: 'now' },
    refresh: '1m',
    timezone: 'browser',
    links: [{ title: 'weft dashboards', type: 'dashboards', tags: ['weft'], asDropdown: true, includeVars: true, keepTime: true }],
    templating: {
      list: [
        { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {}, hide: 0 },
        {
          name: 'template',
          label: 'Template',
          type: 'query',
          datasource: DATASOURCE,
          query: { query: 'label_values(weft_steps_total, template)', refId: 'template' },
          definition: 'label_values(weft_steps_total, template)',
          refresh: 2,
          multi: true,
          includeAll: true,
          allValue: '.*',
          current: { selected: true, text: ['All'], value: ['$__all'] },
          sort: 1,
        },
        ...custom,
      ],
    },
    annotations: { list: [] },
    panels,
  };
}
