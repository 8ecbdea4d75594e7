/**
 * The Datasets sidebar: search, upload (button or drag-and-drop, then the Upload form)
 * with progress, the catalogue.
 */
import { fileUploadIcon, refreshIcon } from '@jupyterlab/ui-components';
import React, { useRef, useState } from 'react';

import { IDatasetsState } from '../model';
import { IDataset, IUploadProgress } from '../types';
import { IRegisterOptions } from '../upload';
import { formatBytes } from './format';
import { UploadForm } from './UploadForm';
import { HomeButton } from '../../components/HomeButton';
import { IconButton } from '../../components/IconButton';

export interface IDatasetsPanelProps {
  state: IDatasetsState;
  onQuery: (query: string) => void;
  onRefresh: () => void;
  onOpen: (dataset: IDataset) => void;
  /** Files picked or dropped: they wait for the Upload form. */
  onFiles: (files: File[]) => void;
  onSubmit: (options: IRegisterOptions) => void;
  onCancel: () => void;
  onDismiss: (id: string) => void;
  /** Register a refused upload ("already exists") as a new version of that dataset. */
  onAddAsNewVersion: (id: string) => void;
}

function UploadRow(props: {
  upload: IUploadProgress;
  onDismiss: () => void;
  onAddAsNewVersion: () => void;
}): JSX.Element {
  const { upload } = props;
  const pct = upload.size ? Math.round((100 * upload.sent) / upload.size) : 0;
  const label =
    upload.stage === 'failed'
      ? upload.error
      : upload.stage === 'registering'
        ? 'registering…'
        : upload.stage === 'done'
          ? 'registered'
          : `${formatBytes(upload.sent)} of ${formatBytes(upload.size)}`;
  return (
    <li className={`jp-MLHub-upload jp-MLHub-upload-${upload.stage}`} aria-label={`upload ${upload.filename}`}>
      <div className="jp-MLHub-upload-name">{upload.filename}</div>
      <progress max={100} value={pct} aria-label={`${upload.filename} progress`} />
      <div className="jp-MLHub-upload-status" role={upload.stage === 'failed' ? 'alert' : undefined}>
        {label}
      </div>
      {upload.stage === 'failed' && upload.conflictWith && upload.uploadId && (
        <button className="jp-Button jp-mod-styled jp-mod-accept jp-MLHub-action" onClick={props.onAddAsNewVersion}>
          Add as a new version of {upload.conflictWith}
        </button>
      )}
      {upload.stage === 'failed' && (
        <button className="jp-Button jp-mod-styled jp-mod-reject jp-MLHub-action" onClick={props.onDismiss}>
          Dismiss
        </button>
      )}
    </li>
  );
}

function DatasetItem(props: { dataset: IDataset; onOpen: () => void }): JSX.Element {
  const d = props.dataset;
  const latest = d.latest;
  return (
    <li className="jp-MLHub-dataset" data-dataset={d.name}>
      <button className="jp-MLHub-dataset-open" onClick={props.onOpen} title={d.description || d.name}>
        <span className="jp-MLHub-dataset-name">{d.name}</span>
        <span className="jp-MLHub-dataset-version">v{d.latest_version}</span>
      </button>
      <div className="jp-MLHub-dataset-meta">
        <span title="owner">{d.owner}</span>
        <span>{d.kind === 'images' ? 'images' : latest?.format}</span>
        {latest?.num_rows !== null && latest?.num_rows !== undefined && (
          <span>{latest.num_rows.toLocaleString()} rows</span>
        )}
        <span title="size of the original file">{formatBytes(latest?.size)}</span>
      </div>
      {d.tags.length > 0 && (
        <div className="jp-MLHub-tags">
          {d.tags.map(tag => (
            <span key={tag} className="jp-MLHub-tag">
              {tag}
            </span>
          ))}
        </div>
      )}
    </li>
  );
}

export function DatasetsPanel(props: IDatasetsPanelProps): JSX.Element {
  const { state } = props;
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const [query, setQuery] = useState(state.query);

  const onDrop = (event: React.DragEvent): void => {
    event.preventDefault();
    setDragging(false);
    const files = Array.from(event.dataTransfer.files);
    if (files.length) {
      props.onFiles(files);
    }
  };

  return (
    <div
      className={`jp-MLHub-datasets${dragging ? ' jp-mod-dropTarget' : ''}`}
      onDragOver={event => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
    >
      <div className="jp-MLHub-header">
        <span className="jp-MLHub-title">Datasets</span>
        <span className="jp-MLHub-headerActions">
          <HomeButton />
          <IconButton
            icon={fileUploadIcon}
            label="Upload"
            title="Upload files as datasets (or drop them on this panel)"
            onClick={() => input.current?.click()}
          />
          <IconButton
            icon={refreshIcon}
            label="Refresh"
            title="Reload the datasets from the registry"
            onClick={props.onRefresh}
          />
        </span>
      </div>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        aria-label="dataset files"
        onChange={event => {
          const files = Array.from(event.target.files ?? []);
          event.target.value = '';
          if (files.length) {
            props.onFiles(files);
          }
        }}
      />
      <input
        className="jp-MLHub-search"
        type="search"
        title="Search by name, description or tag (press Enter)"
        aria-label="search datasets"
        value={query}
        onChange={event => setQuery(event.target.value)}
        onKeyDown={event => {
          if (event.key === 'Enter') {
            props.onQuery(query);
          }
        }}
      />
      <div className="jp-MLHub-dropHint">Drop files here to register them (CSV, TSV, JSON, Excel, Parquet, zip of images)</div>
      {state.pending && (
        <UploadForm
          pending={state.pending}
          datasets={state.datasets}
          onSubmit={props.onSubmit}
          onCancel={props.onCancel}
        />
      )}
      {state.uploads.length > 0 && (
        <ul className="jp-MLHub-uploads">
          {state.uploads.map(u => (
            <UploadRow
              key={u.id}
              upload={u}
              onDismiss={() => props.onDismiss(u.id)}
              onAddAsNewVersion={() => props.onAddAsNewVersion(u.id)}
            />
          ))}
        </ul>
      )}
      {state.error && (
        <div className="jp-MLHub-error" role="alert">
          {state.error}
        </div>
      )}
      {!state.error && state.datasets.length === 0 && !state.loading && (
        <div className="jp-MLHub-empty">
          {state.query ? `No dataset matches “${state.query}”.` : 'No datasets yet: upload one.'}
        </div>
      )}
      <ul className="jp-MLHub-datasetList" aria-label="datasets">
        {state.datasets.map(d => (
          <DatasetItem key={d.name} dataset={d} onOpen={() => props.onOpen(d)} />
        ))}
      </ul>
    </div>
  );
}
