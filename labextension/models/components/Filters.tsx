/** Search and filters of the catalogue: text, tag, stage, type, developer. */
import React, { useEffect, useState } from 'react';

import { ICounts, IModelsQuery } from '../types';

const DEBOUNCE_MS = 300;

export interface IFiltersProps {
  query: IModelsQuery;
  counts: ICounts | null;
  onChange: (patch: Partial<IModelsQuery>) => void;
}

/** A text input that reports its value after the user pauses typing. */
function DebouncedInput(props: {
  value: string;
  label: string;
  hint: string;
  onChange: (value: string) => void;
}): JSX.Element {
  const [text, setText] = useState(props.value);
  useEffect(() => {
    if (text === props.value) {
      return;
    }
    const timer = setTimeout(() => props.onChange(text), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text]);
  return (
    <input
      className="jp-MLHub-search"
      type="search"
      aria-label={props.label}
      placeholder={props.hint}
      value={text}
      onChange={e => setText(e.target.value)}
    />
  );
}

function Choice(props: {
  label: string;
  value: string;
  options: string[];
  onChange: (value: string) => void;
}): JSX.Element {
  const options = props.value && !props.options.includes(props.value)
    ? [...props.options, props.value]
    : props.options;
  return (
    <select
      className="jp-MLHubModels-select"
      aria-label={props.label}
      value={props.value}
      onChange={e => props.onChange(e.target.value)}
    >
      <option value="">any {props.label}</option>
      {options.map(o => (
        <option key={o} value={o}>
          {o}
        </option>
      ))}
    </select>
  );
}

export function Filters(props: IFiltersProps): JSX.Element {
  const { query, counts, onChange } = props;
  const stages = Array.from(
    new Set(['dev', 'staging', 'production', ...Object.keys(counts?.by_stage ?? {})])
  );
  const types = Array.from(new Set(['sklearn', 'torch', 'custom', ...Object.keys(counts?.by_type ?? {})]));
  return (
    <div className="jp-MLHubModels-filters">
      <DebouncedInput
        label="Search models"
        hint="Search name, description, estimator"
        value={query.q}
        onChange={q => onChange({ q })}
      />
      <div className="jp-MLHubModels-filterRow">
        <Choice label="stage" value={query.stage} options={stages} onChange={stage => onChange({ stage })} />
        <Choice label="type" value={query.type} options={types} onChange={type => onChange({ type })} />
      </div>
      <div className="jp-MLHubModels-filterRow">
        <DebouncedInput label="Filter by tag" hint="tag" value={query.tag} onChange={tag => onChange({ tag })} />
        <DebouncedInput
          label="Filter by developer"
          hint="developer"
          value={query.developer}
          onChange={developer => onChange({ developer })}
        />
      </div>
    </div>
  );
}
