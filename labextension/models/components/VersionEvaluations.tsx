/**
 * A version's evaluations: the holdout one stored at training and every later one on
 * another dataset, one at a time in the plots, and a form that evaluates the version on a
 * dataset (a job on the cluster, followed until it ends; its error is shown verbatim).
 */
import React, { useEffect, useState } from 'react';

import { useModelState, useResource } from '../../components/useModel';
import { evaluateVersion, listEvaluations } from '../api';
import { JobModel } from '../jobModel';
import { defaultEvaluationDataset } from '../trainBody';
import { useDatasets } from '../trainInputs';
import { IEvaluation, IJob, IModelVersion, IStoredEvaluation } from '../types';
import { EvaluationPlots } from './EvaluationPlots';
import { formatDate } from './format';
import { JobRow } from './JobRow';

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
  const [loads, setLoads] = useState(0);
  // The evaluation job submitted from this form, followed until it ends.
  const [jobModel] = useState(() => new JobModel());
  useEffect(() => () => jobModel.dispose(), [jobModel]);
  const { job, error: jobError } = useModelState(jobModel);

  useEffect(() => {
    setShown(HOLDOUT);
    jobModel.clear();
  }, [name, version.version]);

  // Once the job ends, show what it stored.
  useEffect(() => {
    const onFinished = (_: JobModel, done: IJob): void => {
      if (done.state === 'finished') {
        const id = (done.result as { evaluation_id?: number } | null)?.evaluation_id;
        if (id !== undefined) {
          setShown(String(id));
        }
        setLoads(n => n + 1);
      }
    };
    jobModel.finished.connect(onFinished);
    return () => {
      jobModel.finished.disconnect(onFinished);
    };
  }, [jobModel]);

  const evaluations = useResource(() => listEvaluations(name, version.version), [name, version.version, loads]);
  const stored: IStoredEvaluation[] = evaluations.value?.evaluations ?? [];

  // Start from the version's holdout (or training) dataset, again for each version shown.
  useEffect(() => {
    setDatasetName(defaultEvaluationDataset(datasets, version));
  }, [datasets, name, version.version]);

  const submit = (event: React.FormEvent): void => {
    event.preventDefault();
    const body: { dataset: string; target?: string } = { dataset: datasetName };
    if (target.trim()) {
      body.target = target.trim();
    }
    void jobModel.submit(() => evaluateVersion(name, version.version, body));
  };

  const picked = stored.find(e => String(e.id) === shown);
  const evaluation: IEvaluation | null | undefined = picked ? picked.evaluation : version.evaluation;
  const running = jobModel.active;
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
      {(jobError || evaluations.error || listError) && (
        <div className="jp-MLHub-error" role="alert">
          {jobError || evaluations.error || listError}
        </div>
      )}
    </div>
  );
}
