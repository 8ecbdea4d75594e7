/**
 * The Train form's feature columns: a checkbox per column of the dataset version (the
 * target left out), with "All" and "Numeric only". `picked` null means every column but
 * the target, which is what the spec's `features: null` means too.
 */
import React from 'react';

import { IColumn } from '../../datasets/types';
import { isNumericColumn } from '../trainBody';

export interface IFeaturePickerProps {
  /** The dataset version's columns, the target included. */
  columns: IColumn[];
  target: string;
  picked: string[] | null;
  onChange: (picked: string[] | null) => void;
}

/** The features to send: null for all, else the picked ones in the dataset's column order. */
export function chosenFeatures(columns: IColumn[], target: string, picked: string[] | null): string[] | null {
  if (picked === null) {
    return null;
  }
  const candidates = columns.filter(c => c.name !== target).map(c => c.name);
  const chosen = candidates.filter(n => picked.includes(n));
  return chosen.length === candidates.length ? null : chosen;
}

export function FeaturePicker(props: IFeaturePickerProps): JSX.Element {
  const { columns, target, picked } = props;
  const candidates = columns.filter(c => c.name !== target);
  const isPicked = (name: string): boolean => picked === null || picked.includes(name);
  const toggle = (name: string, on: boolean): void => {
    const current = candidates.map(c => c.name).filter(isPicked);
    const next = on ? [...current, name] : current.filter(n => n !== name);
    props.onChange(next.length === candidates.length ? null : next);
  };
  const numeric = candidates.filter(isNumericColumn).map(c => c.name);
  // Names a prefilled spec asked for that this dataset version lacks.
  const absent = (picked ?? []).filter(n => !columns.some(c => c.name === n));
  return (
    <fieldset className="jp-MLHubModels-features" aria-label="Feature columns">
      <legend className="jp-MLHubModels-fieldLabel">
        Feature columns ({candidates.filter(c => isPicked(c.name)).length} of {candidates.length})
      </legend>
      <div className="jp-MLHubModels-inline">
        <button type="button" className="jp-Button jp-mod-styled jp-MLHubModels-small" onClick={() => props.onChange(null)}>
          All
        </button>
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-MLHubModels-small"
          onClick={() => props.onChange(numeric.length === candidates.length ? null : numeric)}
        >
          Numeric only
        </button>
      </div>
      <div className="jp-MLHubModels-featureList">
        {candidates.map(c => (
          <label key={c.name} className="jp-MLHubModels-check" data-feature={c.name}>
            <input type="checkbox" checked={isPicked(c.name)} onChange={e => toggle(c.name, e.target.checked)} />
            {c.name} <span className="jp-MLHubModels-hint">({c.type})</span>
          </label>
        ))}
      </div>
      {absent.length > 0 && (
        <span className="jp-MLHubModels-hint jp-mod-error">Not in this dataset version: {absent.join(', ')}</span>
      )}
    </fieldset>
  );
}
