/**
 * Stages of a model: where each alias points, Promote buttons for the selected version
 * (dev, staging, production or any name), roll back to an alias's previous version,
 * and the history of moves.
 */
import React, { useState } from 'react';

import { DEFAULT_STAGES, IAliases, IModelVersion } from '../types';
import { formatDate } from './format';

export interface IStagePanelProps {
  aliases: IAliases | null;
  version: IModelVersion | null;
  busy: boolean;
  onPromote: (stage: string, version: number) => void;
}

/** The version an alias pointed at before its latest move, if any. */
function previousOf(aliases: IAliases, stage: string): number | null {
  const last = aliases.history.find(h => h.stage === stage);
  return last ? last.previous : null;
}

export function StagePanel(props: IStagePanelProps): JSX.Element {
  const { aliases, version, busy, onPromote } = props;
  const [custom, setCustom] = useState('');
  const current = aliases?.aliases ?? {};
  const stages = Array.from(new Set([...DEFAULT_STAGES, ...Object.keys(current)]));
  return (
    <section className="jp-MLHubModels-section" aria-label="stages">
      <h3 className="jp-MLHubModels-subtitle">Stages</h3>
      <ul className="jp-MLHubModels-aliasList">
        {stages.map(stage => {
          const prev = aliases ? previousOf(aliases, stage) : null;
          return (
            <li key={stage} data-stage={stage}>
              <span className="jp-MLHubModels-stage" data-stage={stage}>
                {stage}
              </span>{' '}
              <span className="jp-MLHubModels-aliasTarget">
                {current[stage] !== undefined ? `v${current[stage]}` : 'unset'}
              </span>
              {version && !version.archived && current[stage] !== version.version && (
                <button
                  className="jp-Button jp-mod-styled jp-MLHubModels-small"
                  disabled={busy}
                  onClick={() => onPromote(stage, version.version)}
                >
                  Promote v{version.version} to {stage}
                </button>
              )}
              {prev !== null && current[stage] !== undefined && prev < current[stage] && (
                <button
                  className="jp-Button jp-mod-styled jp-mod-warn jp-MLHubModels-small"
                  disabled={busy}
                  onClick={() => onPromote(stage, prev)}
                  title={`Move ${stage} back to the version it pointed at before`}
                >
                  Roll back {stage} to v{prev}
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {version && !version.archived && (
        <form
          className="jp-MLHubModels-inline"
          onSubmit={e => {
            e.preventDefault();
            if (custom.trim()) {
              onPromote(custom.trim(), version.version);
            }
          }}
        >
          <input
            className="jp-MLHub-search"
            aria-label="Stage name"
            placeholder="another stage, e.g. canary"
            value={custom}
            onChange={e => setCustom(e.target.value)}
          />
          <button className="jp-Button jp-mod-styled jp-MLHubModels-small" type="submit" disabled={busy || !custom.trim()}>
            Promote
          </button>
        </form>
      )}
      {aliases && aliases.history.length > 0 && (
        <details className="jp-MLHubModels-history">
          <summary>History ({aliases.history.length})</summary>
          <ul>
            {aliases.history.map(h => (
              <li key={h.id}>
                {formatDate(h.created_at)} · {h.user}: {h.stage}{' '}
                {h.previous !== null ? `v${h.previous}` : 'unset'} →{' '}
                {h.version !== null ? `v${h.version}` : 'removed'}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
