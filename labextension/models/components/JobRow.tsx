/** One job: its state, a progress bar, its message or error, and Abort while it is active. */
import React from 'react';

import { ACTIVE_STATES, IJob } from '../types';
import { formatDate, jobTitle, percent } from './format';

export interface IJobRowProps {
  job: IJob;
  onAbort?: (job: IJob) => void;
  onOpenModel?: (name: string, version?: number) => void;
}

/**
 * The line under the progress bar: the job's message and how far it got, without saying
 * again what the state badge or the error box already say ("finished finished 100%").
 */
export function progressText(job: IJob, pct: number): string {
  const message = (job.message ?? '').trim();
  const repeats = message === '' || message === job.state || message === (job.error ?? '').trim();
  return repeats ? `${pct}%` : `${message} · ${pct}%`;
}

export function JobRow(props: IJobRowProps): JSX.Element {
  const { job, onAbort, onOpenModel } = props;
  const active = ACTIVE_STATES.includes(job.state);
  const pct = job.state === 'finished' ? 100 : percent(job.progress);
  return (
    <li className="jp-MLHubModels-job" data-job-id={job.id} data-state={job.state}>
      <div className="jp-MLHubModels-jobHeader">
        <span className="jp-MLHubModels-jobTitle" title={`created ${formatDate(job.created_at)}`}>
          {jobTitle(job)}
        </span>
        <span className="jp-MLHub-status jp-MLHubModels-jobState" data-status={job.state}>
          {job.state}
        </span>
      </div>
      <progress
        className="jp-MLHubModels-progress"
        max={100}
        value={pct}
        aria-label={`${jobTitle(job)} progress`}
      />
      <div className="jp-MLHubModels-jobFooter">
        <span className="jp-MLHubModels-jobMessage">{progressText(job, pct)}</span>
        {active && onAbort && (
          <button
            className="jp-Button jp-mod-styled jp-mod-warn jp-MLHubModels-small"
            onClick={() => onAbort(job)}
          >
            Abort
          </button>
        )}
        {job.state === 'finished' && job.model && job.version !== null && onOpenModel && (
          <button
            className="jp-Button jp-mod-styled jp-MLHubModels-small"
            onClick={() => onOpenModel(job.model as string, job.version ?? undefined)}
          >
            Open v{job.version}
          </button>
        )}
      </div>
      {job.error && job.error !== job.state && (
        <div className="jp-MLHubModels-jobError" role="alert">
          {job.error}
        </div>
      )}
    </li>
  );
}
