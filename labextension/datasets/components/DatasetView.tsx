/**
 * A dataset in the main area: preview table, column types and statistics with small
 * histograms, versions with messages and Rollback, lineage, and for image collections the
 * counts per class, the size distribution and thumbnails.
 */
import React from 'react';

import { useModelState } from '../../components/useModel';
import { IColumnStats, IDatasetVersion, IPreview, IStats, IThumbnails } from '../types';
import { DatasetViewModel } from '../viewModel';
import { formatBytes, formatDate, formatExact, formatValue, isNumericType } from './format';
import { Histogram } from './Histogram';
import { ReadingNote } from './ReadingNote';

export interface IDatasetViewProps {
  /** The dataset's state; its owner reloads it (e.g. after an upload registered a new version). */
  model: DatasetViewModel;
  onInsertCode: (name: string, version: number) => void;
  /** Called after this view made a new version (the catalogue may reload). */
  onChanged?: () => void;
}

function PreviewTable(props: { preview: IPreview }): JSX.Element {
  const columns = props.preview.columns ?? [];
  return (
    <div className="jp-MLHub-tableWrap">
      <table className="jp-MLHub-table" aria-label="preview">
        <thead>
          <tr>
            {columns.map(c => (
              <th key={c.name} className={isNumericType(c.type) ? undefined : 'jp-mod-text'}>
                {c.name}
                <div className="jp-MLHub-colType">{c.type}</div>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {(props.preview.rows ?? []).map((row, i) => (
            <tr key={i}>
              {row.map((v, j) => (
                <td key={j} className={isNumericType(columns[j]?.type) ? undefined : 'jp-mod-text'}>
                  {formatExact(v)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const STAT_FIELDS: Array<keyof IColumnStats> = [
  'count', 'missing', 'unique', 'mean', 'std', 'min', 'p25', 'p50', 'p75', 'max'
];

function StatsTable(props: { columns: IColumnStats[] }): JSX.Element {
  return (
    <div className="jp-MLHub-tableWrap">
      <table className="jp-MLHub-table" aria-label="statistics">
        <thead>
          <tr>
            <th className="jp-mod-text">column</th>
            <th className="jp-mod-text">type</th>
            <th>histogram</th>
            {STAT_FIELDS.map(f => (
              <React.Fragment key={f}>
                <th>{f === 'p50' ? 'median' : f}</th>
                {f === 'unique' && (
                  <th className="jp-mod-text" title="The most frequent values of a text or boolean column, with their counts">
                    top values
                  </th>
                )}
              </React.Fragment>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.columns.map(c => (
            <tr key={c.name} data-column={c.name}>
              <th className="jp-mod-text">{c.name}</th>
              <td className="jp-mod-text">{c.type}</td>
              <td>{c.histogram ? <Histogram counts={c.histogram.counts} edges={c.histogram.edges} /> : null}</td>
              {STAT_FIELDS.map(f => (
                <React.Fragment key={f}>
                  <td>{f === 'min' || f === 'max' ? formatExact(c[f]) : formatValue(c[f])}</td>
                  {f === 'unique' && (
                    <td className="jp-mod-text" data-stat="top">
                      {(c.top ?? []).map(t => `${formatExact(t.value)} (${t.count})`).join(', ') || '–'}
                    </td>
                  )}
                </React.Fragment>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ImagesSummary(props: { stats: IStats; thumbnails: IThumbnails | null }): JSX.Element {
  const classes = props.stats.classes ?? {};
  const max = Math.max(1, ...Object.values(classes));
  return (
    <div className="jp-MLHub-images">
      <h3>Images per class ({props.stats.num_images ?? 0} in all)</h3>
      <table className="jp-MLHub-table" aria-label="classes">
        <tbody>
          {Object.entries(classes).map(([cls, n]) => (
            <tr key={cls}>
              <th>{cls}</th>
              <td>{n}</td>
              <td>
                <div className="jp-MLHub-bar" style={{ width: `${(100 * n) / max}%` }} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Image sizes</h3>
      <table className="jp-MLHub-table" aria-label="image sizes">
        <thead>
          <tr>
            <th>width × height</th>
            <th>images</th>
          </tr>
        </thead>
        <tbody>
          {(props.stats.size_distribution ?? []).map(s => (
            <tr key={`${s.width}x${s.height}`}>
              <td>{`${s.width} × ${s.height}`}</td>
              <td>{s.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Thumbnails</h3>
      {props.thumbnails &&
        Object.entries(props.thumbnails.thumbnails).map(([cls, thumbs]) => (
          <div key={cls} className="jp-MLHub-thumbRow">
            <span className="jp-MLHub-thumbClass">{cls}</span>
            {thumbs.map(t => (
              <img key={t.path} alt={t.path} title={t.path} src={`data:image/png;base64,${t.png_base64}`} />
            ))}
          </div>
        ))}
    </div>
  );
}

function lineageText(v: IDatasetVersion): string {
  const l = v.lineage ?? {};
  if (l.source === 'rollback') {
    return `rollback to version ${l.rollback_of}`;
  }
  if (l.source === 'process' && Array.isArray(l.ops)) {
    const ops = l.ops.map((op: { op: string; name?: string }) => (op.op === 'custom' ? `custom:${op.name}` : op.op));
    return `from version ${v.parent_version}: ${ops.join(' → ')}`;
  }
  return l.filename ? `uploaded ${l.filename}` : l.source ?? '';
}

function Versions(props: {
  versions: IDatasetVersion[];
  current: number;
  busy: boolean;
  onSelect: (v: number) => void;
  onRollback: (v: number) => void;
}): JSX.Element {
  const latest = props.versions[0]?.version;
  return (
    <ul className="jp-MLHub-versions" aria-label="versions">
      {props.versions.map(v => (
        <li key={v.version} className={v.version === props.current ? 'jp-mod-selected' : ''} data-version={v.version}>
          <button className="jp-MLHub-link" onClick={() => props.onSelect(v.version)}>
            v{v.version}
          </button>
          <span className="jp-MLHub-versionMessage">{v.message || '(no message)'}</span>
          <span className="jp-MLHub-versionMeta">
            {v.created_by} · {formatDate(v.created_at)} · {lineageText(v)}
          </span>
          {v.version !== latest && (
            <button
              className="jp-Button jp-mod-styled jp-mod-reject jp-MLHub-action"
              disabled={props.busy}
              onClick={() => props.onRollback(v.version)}
              aria-label={`Rollback to version ${v.version}`}
            >
              Rollback
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}

export function DatasetView(props: IDatasetViewProps): JSX.Element {
  const { model } = props;
  const { data, error, busy } = useModelState(model);
  const name = model.name;

  const doRollback = async (v: number): Promise<void> => {
    if (await model.rollback(v)) {
      props.onChanged?.();
    }
  };

  if (error) {
    return (
      <div className="jp-MLHub-datasetView">
        <div className="jp-MLHub-error" role="alert">
          {error}
        </div>
      </div>
    );
  }
  if (!data) {
    return <div className="jp-MLHub-datasetView">Loading {name}…</div>;
  }
  const v = data.current;
  return (
    <div className="jp-MLHub-datasetView" data-dataset={name}>
      <div className="jp-MLHub-header">
        <h2>
          {name} <span className="jp-MLHub-dataset-version">version {v.version}</span>
        </h2>
        <button className="jp-mod-styled jp-mod-accept" onClick={() => props.onInsertCode(name, v.version)}>
          Insert code to load
        </button>
      </div>
      <div className="jp-MLHub-dataset-meta">
        <span>{v.kind === 'images' ? 'image collection' : v.format}</span>
        {v.num_rows !== null && <span>{v.num_rows.toLocaleString()} rows</span>}
        <span>{formatBytes(v.size)}</span>
        <span>by {v.created_by}</span>
        <span className="jp-MLHub-lineage">{lineageText(v)}</span>
      </div>
      {v.kind === 'images' ? (
        <ImagesSummary stats={data.stats} thumbnails={data.thumbnails} />
      ) : (
        <>
          <ReadingNote reading={{ ...v.lineage?.reading, ...data.preview.reading }} />
          <h3>Preview</h3>
          <PreviewTable preview={data.preview} />
          <h3>Columns and statistics</h3>
          <StatsTable columns={data.stats.columns ?? []} />
        </>
      )}
      <h3>Versions</h3>
      <Versions
        versions={data.versions}
        current={v.version}
        busy={busy}
        onSelect={n => void model.select(n)}
        onRollback={n => void doRollback(n)}
      />
    </div>
  );
}
