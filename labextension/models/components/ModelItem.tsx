/** One model of the catalogue: name, latest version, stages, type, developer, tags. */
import React from 'react';

import { IModel } from '../types';
import { formatValue, headlineMetrics } from './format';

export function ModelItem(props: { model: IModel; onOpen: () => void }): JSX.Element {
  const m = props.model;
  const stages = Object.entries(m.aliases ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return (
    <li className="jp-MLHubModels-item" data-model={m.name}>
      <button className="jp-MLHubModels-open" onClick={props.onOpen} title={m.description || m.name}>
        <span className="jp-MLHubModels-name">{m.name}</span>
        <span className="jp-MLHubModels-version">v{m.latest_version}</span>
      </button>
      <div className="jp-MLHubModels-meta">
        <span title="type">{m.model_type}</span>
        <span title="estimator">{m.estimator}</span>
        <span title="developer">{m.developer || m.owner}</span>
        {m.visibility === 'public' && <span>public</span>}
      </div>
      {stages.length > 0 && (
        <div className="jp-MLHubModels-stages">
          {stages.map(([stage, version]) => (
            <span key={stage} className="jp-MLHubModels-stage" data-stage={stage}>
              {stage}: v{version}
            </span>
          ))}
        </div>
      )}
      {m.latest && (
        <div className="jp-MLHubModels-metrics">
          {headlineMetrics(m.latest.metrics).map(([k, v]) => (
            <span key={k}>
              {k} {formatValue(v)}
            </span>
          ))}
        </div>
      )}
      {m.tags.length > 0 && (
        <div className="jp-MLHub-tags">
          {m.tags.map(tag => (
            <span key={tag} className="jp-MLHub-tag">
              {tag}
            </span>
          ))}
        </div>
      )}
    </li>
  );
}
