/** The Models sidebar: counts, search and filters, the catalogue, and recent jobs. */
import { downloadIcon, refreshIcon, runIcon } from '@jupyterlab/ui-components';
import React from 'react';

import { HomeButton } from '../../components/HomeButton';
import { IconButton } from '../../components/IconButton';
import { IModelsState } from '../model';
import { IJob, IModel, IModelsQuery } from '../types';
import { Dashboard } from './Dashboard';
import { Filters } from './Filters';
import { JobRow } from './JobRow';
import { ModelItem } from './ModelItem';

export interface IModelsPanelProps {
  state: IModelsState;
  onQuery: (patch: Partial<IModelsQuery>) => void;
  onRefresh: () => void;
  onOpen: (model: IModel) => void;
  onOpenVersion: (name: string, version?: number) => void;
  onTrain: () => void;
  /** Open the "Import model card" dialog. */
  onImportCard: () => void;
  onAbort: (job: IJob) => void;
}

export function ModelsPanel(props: IModelsPanelProps): JSX.Element {
  const { state } = props;
  return (
    <div className="jp-MLHubModels-sidebar">
      <header className="jp-MLHub-header">
        <h2 className="jp-MLHub-title">Models</h2>
        <div className="jp-MLHub-headerActions">
          <HomeButton />
          <IconButton
            icon={runIcon}
            label="Train model"
            title="Train model: open the Train form"
            onClick={props.onTrain}
          />
          <IconButton
            icon={downloadIcon}
            label="Import card"
            title="Import card: catalogue a model from its Hugging Face model card (README.md), with no weights"
            onClick={props.onImportCard}
          />
          <IconButton
            icon={refreshIcon}
            label="Refresh"
            title="Reload the catalogue and jobs"
            onClick={props.onRefresh}
            disabled={state.loading}
            className="jp-MLHub-refresh"
          />
        </div>
      </header>
      {state.error && (
        <div className="jp-MLHub-error" role="alert">
          {state.error}
        </div>
      )}
      <Dashboard counts={state.counts} />
      <Filters query={state.query} counts={state.counts} onChange={props.onQuery} />
      <ul className="jp-MLHubModels-list" aria-label="models">
        {state.models.map(m => (
          <ModelItem key={m.name} model={m} onOpen={() => props.onOpen(m)} />
        ))}
      </ul>
      {state.models.length === 0 && !state.loading && (
        <p className="jp-MLHub-empty">
          No models{state.counts?.models ? ' match these filters' : ' yet: train one with "Train model"'}.
        </p>
      )}
      <h3 className="jp-MLHubModels-subtitle">Jobs</h3>
      {state.jobs.length === 0 ? (
        <p className="jp-MLHub-empty">No jobs.</p>
      ) : (
        <ul className="jp-MLHubModels-jobs" aria-label="jobs">
          {state.jobs.map(job => (
            <JobRow key={job.id} job={job} onAbort={props.onAbort} onOpenModel={props.onOpenVersion} />
          ))}
        </ul>
      )}
    </div>
  );
}
