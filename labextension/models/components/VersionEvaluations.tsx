/**
 * A version's evaluations: the holdout one stored at training and every later one on
 * another dataset, one at a time in the plots, and a form that evaluates the version on a
 * dataset (a job on the cluster, followed until it ends; its error is shown verbatim).
 */
import React, { useEffect, useState } from 'react';

import { useResource } from '../../components/useModel';
import { evaluateVersion, getJob, listEvaluations } from '../api';
import { defaultEvaluationDataset } from '../trainBody';
import { useDatasets } from '../trainInputs';
import { ACTIVE_STATES, IEvaluation, IJob, IModelVersion, IStoredEvaluation } from '../types';
import { EvaluationPlots } from './EvaluationPlots';
import { formatDate } from './format';
import { JobRow } from './JobRow';

const POLL_MS = 1000;
const HOLDOUT = 'holdout';

export interface IVersionEvaluationsProps {
  name: string;
  version: IModelVersion;
  themeVersion: number;
}

/** The label of a stored evaluation in the chooser. */
export function evaluationLabel(e: IStoredEvaluation): string {
  const v = e.dataset.version === null ? '' : ` v${e.dataset.version}`;
  return `${e.dataset.name}${v} (${formatDate(e.created_at)})`;
}

export function VersionEvaluations(props: IVersionEvaluationsProps): JSX.Element {
  const { name, version, themeVersion } = props;
  const { datasets, error: listError } = useDatasets();
  const [shown, setShown] = useState<string>(HOLDOUT);
  const [datasetName, setDatasetName] = useState('');
  const [target, setTarget] = useState('');
  const [job, setJob] = useState<IJob | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loads, setLoads] = useState(0);

  useEffect(() => {
    setShown(HOLDOUT);
    setJob(null);
    setError(null);
  }, [name, version.version]);

  const evaluations = useResource(() => listEvaluations(name, version.version), [name, version.version, loads]);
  const stored: IStoredEvaluation[] = evaluations.value?.evaluations ?? [];

  // Start from the version's holdout (or training) dataset, again for each version shown.
  useEffect(() => {
    setDatasetName(defaultEvaluationDataset(datasets, version));
  }, [datasets, name, version.version]);

  // Follow the submitted job until it ends, then show what it stored.
  useEffect(() => {
    if (!job || !ACTIVE_STATES.includes(job.state)) {
      return;
    }
    const timer = window.setTimeout(() => {
      getJob(job.id)
        .then(next => {
          setJob(next);
          if (next.state === 'finished') {
            const id = (next.result as { evaluation_id?: number } | null)?.evaluation_id;
            if (id !== undefined) {
              setShown(String(id));
            }
            setLoads(n => n + 1);
          }
        })
        .catch(e => setError((e as Error).message));
    }, POLL_MS);
    return () => window.clearTimeout(timer);
  }, [job]);

  const submit = (event: React.FormEvent): void => {
    event.preventDefault();
    setError(null);
    const body: { dataset: string; target?: string } = { dataset: datasetName };
    if (target.trim()) {
      body.target = target.trim();
    }
    evaluateVersion(name, version.version, body)
      .then(setJob)
      .catch(e => setError((e as Error).message));
  };

  const picked = stored.find(e => String(e.id) === shown);
  const evaluation: IEvaluation | null | undefined = picked ? picked.evaluation : version.evaluation;
  const running = !!job && ACTIVE_STATES.includes(job.state);
  return (
    <div className="jp-MLHubModels-evaluations">
      <label className="jp-MLHubModels-field jp-MLHubModels-inline">
        <span className="jp-MLHubModels-fieldLabel">Evaluated on</span>
        <select
          className="jp-mod-styled"
          aria-label="evaluation shown"
          value={picked ? shown : HOLDOUT}
          onChange={e => setShown(e.target.value)}
        >
          <option value={HOLDOUT}>the training holdout</option>
          {stored.map(e => (
            <option key={e.id} value={String(e.id)}>
              {evaluationLabel(e)}
            </option>
          ))}
        </select>
      </label>
      <EvaluationPlots evaluation={evaluation} themeVersion={themeVersion} />
      <form className="jp-MLHubModels-evaluate" aria-label="evaluate on a dataset" onSubmit={submit}>
        <label className="jp-MLHubModels-field jp-MLHubModels-inline">
          <span className="jp-MLHubModels-fieldLabel">Evaluate on</span>
          <select
            className="jp-mod-styled"
            aria-label="dataset to evaluate on"
            value={datasetName}
            onChange={e => setDatasetName(e.target.value)}
          >
            {datasets.map(d => (
              <option key={d.name} value={d.name}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
        <label className="jp-MLHubModels-field jp-MLHubModels-inline">
          <span className="jp-MLHubModels-fieldLabel">Target</span>
          <input
            className="jp-mod-styled"
            aria-label="target column to evaluate against"
            value={target}
            placeholder={version.target ?? ''}
            onChange={e => setTarget(e.target.value)}
          />
        </label>
        <button
          type="submit"
          className="jp-Button jp-mod-styled jp-mod-accept jp-MLHubModels-small"
          disabled={!datasetName || running}
        >
          Evaluate
        </button>
      </form>
      {job && (
        <ul className="jp-MLHubModels-jobs" aria-label="evaluation job">
          <JobRow job={job} />
        </ul>
      )}
      {(error || evaluations.error || listError) && (
        <div className="jp-MLHub-error" role="alert">
          {error || evaluations.error || listError}
        </div>
      )}
    </div>
  );
}
