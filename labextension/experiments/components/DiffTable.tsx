import React from 'react';

import { metricOrder } from '../../components/format';
import { IRun } from '../../tokens';
import { requestOpenRun } from '../events';
import { formatCell, formatParam } from './format';

interface IRow {
  field: string;
  cells: string[];
  differs: boolean;
}

/** Table rows: status, tags, every param, every latest metric; marks those that differ. */
export function diffRows(runs: IRun[]): IRow[] {
  const params = new Set<string>();
  const metrics = new Set<string>();
  runs.forEach(run => {
    Object.keys(run.params ?? {}).forEach(k => params.add(k));
    Object.keys(run.latest_metrics ?? {}).forEach(k => metrics.add(k));
  });
  const rows: Array<[string, string[]]> = [
    ['status', runs.map(r => r.status)],
    ['tags', runs.map(r => r.tags.join(', ') || '–')],
    ...[...params]
      .sort()
      .map((k): [string, string[]] => [
        `params.${k}`,
        runs.map(r => formatParam(r.params?.[k]))
      ]),
    ...metricOrder(metrics).map((k): [string, string[]] => [
      `metrics.${k}`,
      runs.map(r => formatCell(r.latest_metrics?.[k]))
    ])
  ];
  return rows.map(([field, cells]) => ({
    field,
    cells,
    differs: new Set(cells).size > 1
  }));
}

export interface IDiffTableProps {
  runs: IRun[];
  colors: string[];
  onlyDifferences: boolean;
}

/** Params and metrics of the compared runs side by side, differing rows highlighted. */
export function DiffTable(props: IDiffTableProps): JSX.Element {
  const { runs, colors, onlyDifferences } = props;
  const rows = diffRows(runs).filter(row => row.differs || !onlyDifferences);
  return (
    <div className="jp-MLHubExp-tableWrap">
      <table className="jp-MLHubExp-table" aria-label="Run comparison">
        <thead>
          <tr>
            <th scope="col">field</th>
            {runs.map((run, i) => (
              <th scope="col" key={run.id} data-run-id={run.id} title={`run ${run.id}`}>
                <span className="jp-MLHubExp-swatch" style={{ background: colors[i] }} />
                <button
                  className="jp-MLHub-runLink"
                  title={`Open run ${run.name}`}
                  onClick={event => requestOpenRun(event.currentTarget, run.id)}
                >
                  {run.name}
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(row => (
            <tr
              key={row.field}
              data-field={row.field}
              data-differs={row.differs ? 'true' : 'false'}
              className={row.differs ? 'jp-MLHubExp-differs' : undefined}
            >
              <th scope="row">{row.field}</th>
              {row.cells.map((cell, i) => (
                <td key={runs[i].id}>{cell}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
