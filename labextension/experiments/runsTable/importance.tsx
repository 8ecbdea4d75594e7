/**
 * The parameter importance panel: the server's table (random-forest importance as a bar,
 * Pearson correlation as a signed bar, runs counted), its errors word for word, and a
 * scatter of the metric against one param.
 */
import React, { useState } from 'react';

import { formatMetric } from '../../components/format';
import { IRun } from '../../tokens';
import { requestOpenRun } from '../events';
import { IInsights } from './api';
import { metricOf, makeAxis } from './parallel';

export interface IImportanceProps {
  insights: IInsights | null;
  loading: boolean;
  error: string | null;
  runs: IRun[];
  metric: string;
}

export function ImportancePanel(props: IImportanceProps): JSX.Element {
  const { insights, metric } = props;
  const [chosen, setChosen] = useState<string>('');
  const params = insights?.params ?? [];
  const param = params.some(p => p.param === chosen) ? chosen : (params[0]?.param ?? '');
  return (
    <div className="jp-MLHubRT-importance">
      {props.error && (
        <div className="jp-MLHub-error" role="alert">
          {props.error}
        </div>
      )}
      {!props.error && props.loading && !insights && <div className="jp-MLHub-empty">Computing…</div>}
      {insights && !props.error && (
        <>
          <div className="jp-MLHubRT-chartNote">
            Importance of each param for <strong>{insights.metric}</strong> over {insights.runs} runs
            {insights.skipped?.without_metric
              ? ` (${insights.skipped.without_metric} without the metric left out)`
              : ''}
          </div>
          <table className="jp-MLHubRT-importanceTable" aria-label="Parameter importance">
            <thead>
              <tr>
                <th>param</th>
                <th>importance</th>
                <th>correlation</th>
                <th className="jp-mod-numeric">n</th>
              </tr>
            </thead>
            <tbody>
              {params.map(p => (
                <tr
                  key={p.param}
                  data-param={p.param}
                  className={p.param === param ? 'jp-mod-selected' : ''}
                  onClick={() => setChosen(p.param)}
                  title="Click: scatter of the metric against this param"
                >
                  <td className="jp-MLHubRT-paramName">
                    {p.param}
                    {p.kind === 'category' ? <span className="jp-MLHubRT-kindTag">category</span> : null}
                  </td>
                  <td>
                    <span className="jp-MLHubRT-bar">
                      <span style={{ width: `${Math.round(p.importance * 100)}%` }} />
                    </span>
                    <span className="jp-MLHubRT-barValue">{p.importance.toFixed(2)}</span>
                  </td>
                  <td>
                    {p.correlation === null ? (
                      <span className="jp-MLHubRT-barValue">–</span>
                    ) : (
                      <>
                        <span className="jp-MLHubRT-signedBar">
                          <span
                            className={p.correlation < 0 ? 'jp-mod-negative' : 'jp-mod-positive'}
                            style={{
                              width: `${Math.round(Math.abs(p.correlation) * 50)}%`,
                              left: p.correlation < 0 ? `${50 - Math.round(Math.abs(p.correlation) * 50)}%` : '50%'
                            }}
                          />
                        </span>
                        <span className="jp-MLHubRT-barValue">{p.correlation.toFixed(2)}</span>
                      </>
                    )}
                  </td>
                  <td className="jp-mod-numeric">{p.n}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {param && <Scatter runs={props.runs} metric={metric} param={param} />}
        </>
      )}
    </div>
  );
}

const W = 520;
const H = 300;
const PAD = 48;

/** The metric (y) against one param (x) for the runs having both. */
export function Scatter(props: { runs: IRun[]; metric: string; param: string }): JSX.Element {
  const { metric, param } = props;
  const runs = props.runs.filter(r => r.params?.[param] !== undefined && metricOf(r, metric) !== undefined);
  const xAxis = makeAxis(`params.${param}`, param, runs.map(r => r.params[param]));
  const yAxis = makeAxis(`metrics.${metric}`, metric, runs.map(r => metricOf(r, metric)));
  const x = (t: number) => PAD + t * (W - PAD * 2);
  const y = (t: number) => H - PAD + -t * (H - PAD * 2);
  return (
    <figure className="jp-MLHubRT-scatter">
      <figcaption>
        {metric} against {param}
        {xAxis.kind === 'log' ? ' (log x)' : ''}
      </figcaption>
      <svg width={W} height={H} role="img" aria-label={`${metric} against ${param}`}>
        <line className="jp-MLHubRT-axisLine" x1={PAD} x2={W - PAD} y1={H - PAD} y2={H - PAD} />
        <line className="jp-MLHubRT-axisLine" x1={PAD} x2={PAD} y1={PAD} y2={H - PAD} />
        {xAxis.ticks.map(t => (
          <text key={`x${t.text}`} x={x(t.at)} y={H - PAD + 16} textAnchor="middle" className="jp-MLHubRT-pcTick">
            {t.text}
          </text>
        ))}
        {yAxis.ticks.map(t => (
          <text key={`y${t.text}`} x={PAD - 6} y={y(t.at) + 4} textAnchor="end" className="jp-MLHubRT-pcTick">
            {t.text}
          </text>
        ))}
        <text x={W / 2} y={H - 8} textAnchor="middle" className="jp-MLHubRT-pcLabel">
          {param}
        </text>
        <text x={12} y={PAD - 14} className="jp-MLHubRT-pcLabel">
          {metric}
        </text>
        {runs.map(run => {
          const tx = xAxis.place(run.params[param]);
          const ty = yAxis.place(metricOf(run, metric));
          if (tx === null || ty === null) {
            return null;
          }
          return (
            <circle
              key={run.id}
              className="jp-MLHubRT-dot"
              data-run-id={run.id}
              cx={x(tx)}
              cy={y(ty)}
              r={4}
              onClick={event => requestOpenRun(event.currentTarget as unknown as Element, run.id)}
            >
              <title>{`${run.name}: ${param} = ${String(run.params[param])}, ${metric} = ${formatMetric(
                metricOf(run, metric) ?? null
              )}`}</title>
            </circle>
          );
        })}
      </svg>
    </figure>
  );
}
