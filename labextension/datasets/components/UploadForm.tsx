/**
 * The Upload form of the Datasets sidebar: what `mh.datasets.upload` takes besides the
 * file — name, description, tags, "add as a new version of" an existing dataset, and for
 * an Excel workbook the sheet to read. Shown after files are picked or dropped.
 */
import React, { useState } from 'react';

import { IDataset, IPendingUpload } from '../types';
import { IRegisterOptions, parseTags } from '../upload';

export interface IUploadFormProps {
  pending: IPendingUpload;
  /** The catalogue: datasets the caller may edit are offered for a new version. */
  datasets: IDataset[];
  onSubmit: (options: IRegisterOptions) => void;
  onCancel: () => void;
}

/** The dataset name the server derives from a file name (as `mlhub_ext.data.names.normalize_name`). */
export function defaultName(filename: string): string {
  const base = filename.split(/[\\/]/).pop() ?? filename;
  const stem = base.replace(/\.(csv|tsv|tab|txt|json|jsonl|ndjson|xlsx|xlsm|parquet|pq|zip)$/i, '');
  return stem
    .normalize('NFKD')
    .replace(/[^\x00-\x7f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

export function UploadForm(props: IUploadFormProps): JSX.Element {
  const { pending } = props;
  const single = pending.files.length === 1;
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [tags, setTags] = useState('');
  const [versionOf, setVersionOf] = useState('');
  const [sheet, setSheet] = useState('');
  const editable = props.datasets.filter(d => d.role !== null && d.role !== 'read');
  const placeholder = single ? defaultName(pending.files[0].name) : 'each file’s own name';

  const submit = (event: React.FormEvent): void => {
    event.preventDefault();
    const options: IRegisterOptions = { description: description.trim(), tags: parseTags(tags) };
    if (single && versionOf) {
      options.name = versionOf;
      options.newVersion = true;
    } else if (single && name.trim()) {
      options.name = name.trim();
    }
    if (single && sheet) {
      options.sheet = sheet;
    }
    props.onSubmit(options);
  };

  return (
    <form className="jp-MLHub-uploadForm" aria-label="upload dataset" onSubmit={submit}>
      <div className="jp-MLHub-uploadForm-files">
        {single ? 'Upload ' : `Upload ${pending.files.length} files: `}
        {pending.files.map(f => f.name).join(', ')}
      </div>
      {single && (
        <label>
          Name
          <input
            className="jp-mod-styled"
            aria-label="dataset name"
            value={versionOf || name}
            placeholder={placeholder}
            disabled={versionOf !== ''}
            onChange={event => setName(event.target.value)}
          />
        </label>
      )}
      {single && (
        <label>
          Add as a new version of
          <select
            aria-label="add as a new version of"
            value={versionOf}
            onChange={event => setVersionOf(event.target.value)}
          >
            <option value="">(no: a new dataset)</option>
            {editable.map(d => (
              <option key={d.name} value={d.name}>
                {d.name} (v{d.latest_version})
              </option>
            ))}
          </select>
        </label>
      )}
      {single && pending.sheets !== null && pending.sheets.length > 0 && (
        <label>
          Sheet
          <select
            aria-label="sheet"
            value={sheet}
            onChange={event => setSheet(event.target.value)}
          >
            <option value="">(the first sheet with rows)</option>
            {pending.sheets.map(s => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        Description
        <textarea
          className="jp-mod-styled"
          aria-label="description"
          rows={2}
          value={description}
          onChange={event => setDescription(event.target.value)}
        />
      </label>
      <label>
        Tags
        <input
          className="jp-mod-styled"
          aria-label="tags"
          placeholder="comma-separated, e.g. raw, 2024"
          value={tags}
          onChange={event => setTags(event.target.value)}
        />
      </label>
      <div className="jp-MLHub-uploadForm-actions">
        <button type="submit" className="jp-Button jp-mod-styled jp-mod-accept">
          Register
        </button>
        <button type="button" className="jp-Button jp-mod-styled jp-mod-reject" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
