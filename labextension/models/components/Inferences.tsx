/** A version's serving report (requests, users, latency p50/p95) and its stored inferences, paged. */
import React, { useEffect, useState } from 'react';

import { useResource } from '../../components/useModel';
import { getReport, listInferences } from '../api';
import { IReport } from '../types';
import { Breakable, JsonBlock } from './Breakable';
import { formatDate, formatValue } from './format';

const PAGE = 10;

export interface IInferencesProps {
  name: string;
  version: number;
  /** Changes when the view reloads (new predictions may have arrived). */
  reloadKey: number;
}

const CELL_CHARS = 80;

/**
 * An inference's inputs or outputs: short JSON as is (wrapping at its commas), long JSON
 * cut to its first characters with a disclosure that shows it whole, pretty-printed.
 */
function JsonCell(props: { value: unknown }): JSX.Element {
  const text = JSON.stringify(props.value) ?? 'null';
  if (text.length <= CELL_CHARS) {
    return <Breakable text={text} />;
  }
  return (
    <details className="jp-MLHubModels-jsonCell">
      <summary title="Show all">
        <Breakable text={`${text.slice(0, CELL_CHARS - 1)}…`} />
      </summary>
      <JsonBlock value={props.value} />
    </details>
  );
}

function Report(props: { report: IReport }): JSX.Element {
  const r = props.report;
  const items: Array<[string, string]> = [
    ['requests', String(r.requests)],
    ['users', String(r.users)],
    ['latency p50', `${formatValue(r.latency_ms?.p50)} ms`],
    ['latency p95', `${formatValue(r.latency_ms?.p95)} ms`],
    ['last request', formatDate(r.last_at)]
  ];
  return (
    <dl className="jp-MLHubModels-scalars" aria-label="report">
      {items.map(([k, v]) => (
        <div key={k} data-report={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Inferences(props: IInferencesProps): JSX.Element {
  const { name, version, reloadKey } = props;
  const [offset, setOffset] = useState(0);
  useEffect(() => setOffset(0), [name, version]);
  const loaded = useResource(
    () => Promise.all([listInferences(name, version, PAGE, offset), getReport(name, version)]),
    [name, version, offset, reloadKey]
  );
  const [page, report] = loaded.value ?? [null, null];
  const error = loaded.error;

  const total = page?.total ?? 0;
  return (
    <section className="jp-MLHubModels-section" aria-label="inferences">
      <h3 className="jp-MLHubModels-subtitle">Serving report and inferences of v{version}</h3>
      {error && (
        <div className="jp-MLHub-error" role="alert">
          {error}
        </div>
      )}
      {report && <Report report={report} />}
      {page && page.inferences.length === 0 && <p className="jp-MLHub-empty">No stored inferences yet.</p>}
      {page && page.inferences.length > 0 && (
        <table className="jp-MLHubModels-table jp-MLHubModels-inferences" aria-label="inference results">
          <thead>
            <tr>
              <th>id</th>
              <th>time</th>
              <th>user</th>
              <th>stage</th>
              <th>latency</th>
              <th>inputs</th>
              <th>outputs</th>
            </tr>
          </thead>
          <tbody>
            {page.inferences.map(row => (
              <tr key={row.id} data-inference-id={row.id}>
                <td>{row.id}</td>
                <td>{formatDate(row.created_at)}</td>
                <td>{row.user}</td>
                <td>{row.stage ?? '–'}</td>
                <td>{formatValue(row.latency_ms)} ms</td>
                <td className="jp-MLHubModels-mono" data-col="inputs">
                  <JsonCell value={row.inputs} />
                </td>
                <td className="jp-MLHubModels-mono" data-col="outputs">
                  <JsonCell value={row.outputs} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {total > PAGE && (
        <div className="jp-MLHubModels-pager">
          <button
            className="jp-Button jp-mod-styled jp-MLHubModels-small"
            disabled={offset === 0}
            onClick={() => setOffset(Math.max(0, offset - PAGE))}
          >
            Newer
          </button>
          <span>
            {offset + 1}–{Math.min(offset + PAGE, total)} of {total}
          </span>
          <button
            className="jp-Button jp-mod-styled jp-MLHubModels-small"
            disabled={offset + PAGE >= total}
            onClick={() => setOffset(offset + PAGE)}
          >
            Older
          </button>
        </div>
      )}
    </section>
  );
}
