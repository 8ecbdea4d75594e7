/** What a version imported from a model card states: license, base model, datasets, results. */
import React from 'react';

import { ICardFacts } from '../cardImport';
import { IModelVersion } from '../types';
import { formatValue } from './format';

function list(values: string[] | undefined): string {
  return values && values.length ? values.join(', ') : '–';
}

export function CardSummary(props: { version: IModelVersion; card: ICardFacts }): JSX.Element {
  const { version: v, card } = props;
  const rows: Array<[string, string]> = [
    ['license', card.license_name ?? card.license ?? '–'],
    ['task', card.pipeline_tag ?? '–'],
    ['library', card.library_name ?? '–'],
    ['base model', list(card.base_model)],
    ['datasets', list(card.datasets)],
    ['language', list(card.language)],
    ['parameters', v.param_count ? v.param_count.toLocaleString() : 'not stated'],
    ['developer', v.developer || '–']
  ];
  const results = card.results ?? [];
  return (
    <section className="jp-MLHubModels-card" aria-label="model card">
      <p className="jp-MLHubModels-cardHint">
        Imported from a model card: this version has no weights, so it cannot be evaluated or predicted with.
      </p>
      <dl className="jp-MLHubModels-meta2" aria-label="card facts">
        {rows.map(([k, value]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <h4 className="jp-MLHubModels-subtitle">Reported results</h4>
      {results.length === 0 ? (
        <p className="jp-MLHub-empty">The card reports no results (no model-index).</p>
      ) : (
        <table className="jp-MLHubModels-table" aria-label="reported results">
          <thead>
            <tr>
              <th>dataset</th>
              <th>split</th>
              <th>metric</th>
              <th>value</th>
            </tr>
          </thead>
          <tbody>
            {results.map((r, i) => (
              <tr key={i}>
                <td>{r.dataset ?? r.dataset_type ?? '–'}</td>
                <td>{r.split ?? '–'}</td>
                <td>{r.metric_name ?? r.metric ?? '–'}</td>
                <td>{typeof r.value === 'number' ? formatValue(r.value) : String(r.value ?? '–')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
