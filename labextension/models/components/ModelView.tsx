/**
 * The model view in the main area: the model's catalogue entry, its versions and stages,
 * the selected version's metadata, actions, evaluation plots (holdout or any dataset it
 * was evaluated on, and a form to evaluate it on another), a comparison of two
 * versions, the whole training spec with "train again", a "Try it" form that predicts
 * with the version, and the serving report with stored inferences.
 */
import React from 'react';

import { useModelState } from '../../components/useModel';
import { requestOpenRun } from '../../experiments/events';
import { cardFacts } from '../cardImport';
import { ModelDetailModel } from '../detailModel';
import { ITrainPrefill } from '../trainBody';
import { IModelVersion } from '../types';
import { Breakable, JsonBlock } from './Breakable';
import { CardSummary } from './CardSummary';
import { CompareVersions } from './CompareVersions';
import { formatBytes, formatDate } from './format';
import { Inferences } from './Inferences';
import { StagePanel } from './StagePanel';
import { TrainingSpec } from './TrainingSpec';
import { TryIt } from './TryIt';
import { VersionActions } from './VersionActions';
import { VersionEvaluations } from './VersionEvaluations';
import { VersionsTable } from './VersionsTable';

export interface IModelViewProps {
  /** The model's state; its owner reloads it (e.g. when a job trained a version). */
  model: ModelDetailModel;
  themeVersion: number;
  /** Opens the Train form filled from a version's settings. */
  onTrainAgain?: (prefill: ITrainPrefill) => void;
}

/** The run the version's training was tracked in: opens its page. */
function TrainedByRun(props: { runId: string; project: string | null }): JSX.Element {
  return (
    <button
      className="jp-MLHub-runLink"
      title={`Open run ${props.runId}, which trained this version`}
      onClick={event => requestOpenRun(event.currentTarget, props.runId)}
    >
      {props.project ? `${props.project} / ` : ''}
      {props.runId.slice(0, 8)}
    </button>
  );
}

function VersionMeta(props: { v: IModelVersion }): JSX.Element {
  const { v } = props;
  const rows: Array<[string, React.ReactNode]> = [
    ['estimator', <Breakable text={`${v.estimator} (${v.model_type})`} />],
    ['task', v.task],
    ['developer', v.developer],
    ['parameters', v.param_count === null ? '–' : v.param_count.toLocaleString()],
    ['dataset', v.dataset ? `${v.dataset.name} v${v.dataset.version}` : '–'],
    ['target', v.target ?? '–'],
    ['inputs', v.input_schema.map(c => `${c.name} (${c.dtype})`).join(', ')],
    ['classes', v.classes ? v.classes.map(String).join(', ') : '–'],
    ['run', v.run_id ? <TrainedByRun runId={v.run_id} project={v.project} /> : '–'],
    ['artifact', v.artifact ? formatBytes(v.artifact.size) : '–'],
    ['created', `${formatDate(v.created_at)} by ${v.created_by}`],
    ['tags', v.tags.join(', ') || '–'],
    ['params', <JsonBlock value={v.spec?.params ?? {}} label="params" />]
  ];
  return (
    <dl className="jp-MLHubModels-meta2" aria-label="version metadata">
      {rows.map(([k, value]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function ModelView(props: IModelViewProps): JSX.Element {
  const state = useModelState(props.model);
  const { model, versions, detail } = state;
  const name = props.model.name;
  // A version imported from a model card has no weights: its card, not evaluation or Try it.
  const card = detail ? cardFacts(detail) : null;
  // Bumped by each Try it prediction, so the inferences list shows the new row.
  const [tries, setTries] = React.useState(0);
  return (
    <div className="jp-MLHubModels-view" data-model={name}>
      <header className="jp-MLHub-header">
        <h2 className="jp-MLHub-title">Model {name}</h2>
        <button className="jp-Button jp-mod-styled jp-MLHubModels-small" onClick={() => void props.model.refresh()} disabled={state.busy}>
          Refresh
        </button>
      </header>
      {model && (
        <p className="jp-MLHubModels-summary">
          {model.description || 'No description.'} · owner {model.owner} · {model.visibility} ·{' '}
          {model.version_count} version(s)
          {model.tags.length > 0 && ` · tags: ${model.tags.join(', ')}`}
        </p>
      )}
      {state.error && (
        <div className="jp-MLHub-error" role="alert">
          {state.error}
        </div>
      )}
      <VersionsTable
        versions={versions}
        total={state.versionsTotal}
        query={state.versionsQuery}
        loading={state.loading}
        selected={state.selected}
        onSelect={v => void props.model.select(v)}
        onQuery={change => void props.model.setVersionsQuery(change)}
        onMore={() => void props.model.loadMore()}
      />
      <StagePanel aliases={state.aliases} version={detail} busy={state.busy} onPromote={(stage, v) => void props.model.promote(stage, v)} />
      {detail && (
        <section className="jp-MLHubModels-section" aria-label={`version ${detail.version}`}>
          <h3 className="jp-MLHubModels-subtitle">
            Version {detail.version}{' '}
            {detail.stages.map(s => (
              <span key={s} className="jp-MLHubModels-stage" data-stage={s}>
                {s}
              </span>
            ))}
          </h3>
          <VersionActions version={detail} busy={state.busy} onPatch={(v, patch) => void props.model.patch(v, patch)} />
          {card && <CardSummary version={detail} card={card} />}
          {!card && <h3 className="jp-MLHubModels-subtitle">Evaluation</h3>}
          {!card && <VersionEvaluations name={name} version={detail} themeVersion={props.themeVersion} />}
          {!card && <h3 className="jp-MLHubModels-subtitle">Try it</h3>}
          {!card && (
            <TryIt key={detail.version} name={name} version={detail} onPredicted={() => setTries(t => t + 1)} />
          )}
          <details className="jp-MLHubModels-details" open={!card}>
            <summary className="jp-MLHubModels-subtitle">Training spec</summary>
            <TrainingSpec version={detail} onTrainAgain={props.onTrainAgain} />
          </details>
          <details className="jp-MLHubModels-details" open>
            <summary className="jp-MLHubModels-subtitle">Catalogue metadata</summary>
            <VersionMeta v={detail} />
          </details>
        </section>
      )}
      {versions.length > 1 && <CompareVersions name={name} versions={versions} />}
      {state.selected !== null && (
        <Inferences name={name} version={state.selected} reloadKey={state.loads + tries} />
      )}
    </div>
  );
}
