/**
 * The compare view's panel grid: every metric a panel, several per row, with the
 * settings all panels share (metric filter, x axis, smoothing, panel size, legend
 * search, colour by a param) in one toolbar; the zoom and crosshair are shared too.
 * `system/…` metrics sit in their own section, collapsed until opened.
 */
import React, { useEffect, useMemo, useState } from 'react';

import { CompareModel } from '../compareModel';
import { colorRuns } from '../colorBy';
import { XAxis } from '../types';
import {
  DEFAULT_PANEL_SETTINGS,
  IPanelLine,
  IPanelSettings,
  Panel,
  PanelSize
} from './Panel';

export interface IPanelGridProps {
  model: CompareModel;
  version: number;
  themeVersion: number;
}

/** Whether JupyterLab's theme in force is a dark one. */
function isDarkTheme(): boolean {
  return document.body.dataset.jpThemeLight === 'false';
}

/** The grid's column widths (CSS px) and gap, as experiments.css lays panels out. */
const COLUMN_MIN: Record<PanelSize, number> = { S: 200, M: 300, L: 480 };
const COLUMN_GAP = 20;
/** A panel's border and padding either side of its plot. */
const PANEL_CHROME = 18;

/**
 * The plot width (CSS px) of one panel in a grid `gridWidth` wide: `repeat(auto-fill,
 * minmax(<min>, 1fr))` fits as many columns as it can and shares the rest. The series
 * are fetched at this resolution, not at the grid's whole width.
 */
export function panelPlotWidth(gridWidth: number, size: PanelSize = 'M'): number {
  const min = COLUMN_MIN[size];
  const columns = Math.max(1, Math.floor((gridWidth + COLUMN_GAP) / (min + COLUMN_GAP)));
  const column = (gridWidth - COLUMN_GAP * (columns - 1)) / columns;
  return Math.max(100, Math.floor(column - PANEL_CHROME));
}

/** The metric filter as a regex matched anywhere in the name, or the error it gives. */
export function metricFilter(text: string): { test: (key: string) => boolean; error: string | null } {
  const source = text.trim();
  if (!source) {
    return { test: () => true, error: null };
  }
  try {
    const re = new RegExp(source);
    return { test: key => re.test(key), error: null };
  } catch (error) {
    return { test: () => true, error: (error as Error).message };
  }
}

export function PanelGrid(props: IPanelGridProps): JSX.Element {
  const { model, version, themeVersion } = props;
  const [filter, setFilter] = useState('');
  const [smoothing, setSmoothing] = useState(0);
  const [size, setSize] = useState<PanelSize>('M');
  const [legendQuery, setLegendQuery] = useState('');
  const [colorBy, setColorBy] = useState('');
  const [hidden, setHidden] = useState<Set<string>>(new Set());
  // Few enough lines left shown in a panel: the model fetches their bands if it has not.
  useEffect(() => void model.setHidden(hidden), [model, hidden]);
  const [crosshair, setCrosshair] = useState<number | null>(null);
  const [settings, setSettings] = useState<Record<string, IPanelSettings>>({});
  const runs = model.runs;

  const params = useMemo(() => {
    const keys = new Set<string>();
    runs.forEach(run => Object.keys(run.params ?? {}).forEach(k => keys.add(k)));
    return [...keys].sort();
  }, [runs]);
  // The theme is read again when it changes (themeVersion): the scale's low end differs.
  const coloring = useMemo(
    () => colorRuns(model.runIds, runs, colorBy, isDarkTheme()),
    [runs, colorBy, model.runIds, themeVersion]
  );
  const match = metricFilter(filter);
  const keys = model.keys.filter(match.test);
  const user = keys.filter(k => !k.startsWith('system/'));
  const system = keys.filter(k => k.startsWith('system/'));

  const toggleRun = (id: string) => {
    const next = new Set(hidden);
    if (next.has(id)) {
      next.delete(id);
    } else {
      next.add(id);
    }
    setHidden(next);
  };
  const panel = (key: string) => {
    const series = model.series(key);
    const lines: IPanelLine[] = [];
    runs.forEach(run => {
      const buffer = series.get(run.id);
      if (buffer) {
        lines.push({ run, buffer, color: coloring.colors.get(run.id) ?? '#888888' });
      }
    });
    return (
      <Panel
        key={key}
        metric={key}
        lines={lines}
        hidden={hidden}
        onToggleRun={toggleRun}
        legendQuery={legendQuery}
        xAxis={model.xAxis}
        starts={model.starts}
        smoothing={smoothing}
        size={size}
        xRange={model.xRange}
        onZoom={(range, width) => void model.zoom(range, width * Math.min(window.devicePixelRatio || 1, 2))}
        crosshair={crosshair}
        onCrosshair={setCrosshair}
        settings={settings[key] ?? DEFAULT_PANEL_SETTINGS}
        onSettings={s => setSettings(all => ({ ...all, [key]: s }))}
        onWidth={width => void model.ensureResolution(width * Math.min(window.devicePixelRatio || 1, 2))}
        version={version}
        themeVersion={themeVersion}
      />
    );
  };

  return (
    <section className="jp-MLHubExp-panels" aria-label="Metric charts">
      <div className="jp-MLHubExp-gridTools" role="toolbar" aria-label="Chart settings">
        <label>
          Metrics{' '}
          <input
            className="jp-MLHubExp-metricFilter"
            aria-label="Filter metrics"
            placeholder="regex, e.g. val/.*"
            value={filter}
            onChange={e => setFilter(e.target.value)}
            aria-invalid={match.error ? 'true' : 'false'}
            title={match.error ?? 'A regular expression matched in the metric names'}
          />
        </label>
        <label>
          X axis{' '}
          <select
            aria-label="X axis"
            value={model.xAxis}
            onChange={e => void model.setXAxis(e.target.value as XAxis)}
          >
            <option value="step">step</option>
            <option value="wall">wall time</option>
            <option value="relative">relative time</option>
          </select>
        </label>
        <label className="jp-MLHubExp-smoothing">
          Smoothing{' '}
          <input
            type="range"
            aria-label="Smoothing"
            min={0}
            max={0.99}
            step={0.01}
            value={smoothing}
            onChange={e => setSmoothing(Number(e.target.value))}
          />
          <output>{smoothing.toFixed(2)}</output>
        </label>
        <label>
          Size{' '}
          <select
            aria-label="Panel size"
            value={size}
            onChange={e => setSize(e.target.value as PanelSize)}
          >
            <option value="S">S</option>
            <option value="M">M</option>
            <option value="L">L</option>
          </select>
        </label>
        <label>
          Colour by{' '}
          <select aria-label="Colour by" value={colorBy} onChange={e => setColorBy(e.target.value)}>
            <option value="">run</option>
            {params.map(p => (
              <option key={p} value={p}>
                params.{p}
              </option>
            ))}
          </select>
        </label>
        <input
          className="jp-MLHubExp-legendSearch"
          type="search"
          aria-label="Search runs in legends"
          placeholder="Search runs"
          value={legendQuery}
          onChange={e => setLegendQuery(e.target.value)}
        />
        {hidden.size > 0 && (
          <button className="jp-MLHub-runLink" onClick={() => setHidden(new Set())}>
            show {hidden.size} hidden
          </button>
        )}
        {model.xRange && (
          <button className="jp-MLHub-runLink" onClick={() => void model.zoom(null)}>
            reset zoom
          </button>
        )}
      </div>
      {coloring.range && (
        <div
          className="jp-MLHubExp-colorScale"
          aria-label={`Colour scale of params.${colorBy}`}
          data-scale={coloring.scale ?? undefined}
        >
          <span>{coloring.range[0]}</span>
          <span className="jp-MLHubExp-colorRamp" style={{ background: coloring.gradient }} />
          <span>{coloring.range[1]}</span>
          <span className="jp-MLHubExp-colorScaleKind">
            {coloring.scale === 'log' ? 'log scale' : 'linear scale'}
          </span>
        </div>
      )}
      {coloring.groups.length > 0 && (
        <ul className="jp-MLHubExp-legend jp-MLHubExp-groups" aria-label={`Groups by params.${colorBy}`}>
          {coloring.groups.map(([value, color]) => (
            <li key={value}>
              <span className="jp-MLHubExp-swatch" style={{ background: color }} />
              {value}
            </li>
          ))}
        </ul>
      )}
      {match.error && (
        <div className="jp-MLHub-error" role="alert">
          Metric filter: {match.error}
        </div>
      )}
      <div className={`jp-MLHubExp-grid jp-mod-size${size}`} data-size={size}>
        {user.map(panel)}
      </div>
      {system.length > 0 && (
        <details className="jp-MLHubExp-system">
          <summary>System ({system.length})</summary>
          <div className={`jp-MLHubExp-grid jp-mod-size${size}`} data-size={size}>
            {system.map(panel)}
          </div>
        </details>
      )}
    </section>
  );
}
