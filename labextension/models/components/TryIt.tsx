/**
 * "Try it": a form built from a version's input schema (a number field per numeric
 * feature, a select per text feature whose categories the schema records, a text field
 * otherwise, or an image drop zone for image models). Submitting predicts with that
 * version (`POST /models/{name}/predictions` with `version`), shows the prediction and the
 * class probabilities as bars, and stores the request as an inference. The server's error
 * message is shown as it is.
 */
import React, { useState } from 'react';

import { predictVersion } from '../api';
import { IColumnSpec, IModelVersion, IPrediction } from '../types';
import { formatValue } from './format';

export interface ITryItProps {
  name: string;
  version: IModelVersion;
  /** Called after a prediction was stored (the inferences list reloads). */
  onPredicted: () => void;
}

const NUMERIC = ['float', 'int'];

/** The record a row of form values stands for, each value typed as its column's dtype. */
export function recordFromValues(schema: IColumnSpec[], values: Record<string, string>): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const col of schema) {
    const text = values[col.name] ?? '';
    if (NUMERIC.includes(col.dtype)) {
      // An empty field is sent as null, and the server names the feature it needs.
      record[col.name] = text.trim() === '' ? null : Number(text);
    } else if (col.dtype === 'bool') {
      record[col.name] = text === 'true';
    } else {
      record[col.name] = text;
    }
  }
  return record;
}

function categories(col: IColumnSpec): string[] | null {
  return col.categories && col.categories.length > 0 ? col.categories.map(String) : null;
}

function FeatureInput(props: { col: IColumnSpec; value: string; onChange: (value: string) => void }): JSX.Element {
  const { col, value, onChange } = props;
  const known = categories(col);
  let input: JSX.Element;
  if (NUMERIC.includes(col.dtype)) {
    input = (
      <input
        className="jp-MLHub-search"
        type="number"
        step={col.dtype === 'int' ? 1 : 'any'}
        aria-label={col.name}
        placeholder={col.nullable ? 'empty: missing' : undefined}
        value={value}
        onChange={e => onChange(e.target.value)}
      />
    );
  } else if (col.dtype === 'bool') {
    input = (
      <select className="jp-MLHubModels-select" aria-label={col.name} value={value || 'false'} onChange={e => onChange(e.target.value)}>
        <option value="false">false</option>
        <option value="true">true</option>
      </select>
    );
  } else if (known) {
    input = (
      <select className="jp-MLHubModels-select" aria-label={col.name} value={value} onChange={e => onChange(e.target.value)}>
        {known.map(c => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
    );
  } else {
    input = <input className="jp-MLHub-search" aria-label={col.name} value={value} onChange={e => onChange(e.target.value)} />;
  }
  return (
    <label className="jp-MLHubModels-field" data-input={col.name}>
      <span className="jp-MLHubModels-fieldLabel">
        {col.name} <span className="jp-MLHubModels-hint">({col.dtype})</span>
      </span>
      {input}
    </label>
  );
}

function ImageDrop(props: { col: IColumnSpec; image: string | null; onImage: (dataUrl: string) => void }): JSX.Element {
  const [over, setOver] = useState(false);
  const read = (file: File | undefined): void => {
    if (!file) {
      return;
    }
    const reader = new FileReader();
    reader.onload = () => props.onImage(String(reader.result));
    reader.readAsDataURL(file);
  };
  const shape = props.col.shape ? ` (${props.col.shape.join('×')}; resized to fit)` : '';
  return (
    <div
      className={`jp-MLHubModels-drop${over ? ' jp-mod-active' : ''}`}
      aria-label="Image drop zone"
      onDragOver={e => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={e => {
        e.preventDefault();
        setOver(false);
        read(e.dataTransfer.files[0]);
      }}
    >
      {props.image ? <img src={props.image} alt="the image to classify" /> : <span>Drop a PNG or JPEG image here{shape}</span>}
      <input type="file" accept="image/png,image/jpeg" aria-label="Image file" onChange={e => read(e.target.files?.[0])} />
    </div>
  );
}

function Answer(props: { result: IPrediction }): JSX.Element {
  const out = props.result.outputs[0];
  const probs = Object.entries(out?.probabilities ?? {}).sort((a, b) => b[1] - a[1]);
  return (
    <div className="jp-MLHubModels-answer" aria-label="prediction">
      <p>
        Prediction: <strong data-prediction="">{String(out?.prediction)}</strong>
        <span className="jp-MLHubModels-hint">
          {' '}
          · v{props.result.version} · {formatValue(props.result.latency_ms)} ms
          {props.result.inference_id !== null && ` · stored as inference ${props.result.inference_id}`}
        </span>
      </p>
      {probs.length > 0 && (
        <ul className="jp-MLHubModels-bars" aria-label="class probabilities">
          {probs.map(([label, p]) => (
            <li key={label} data-class={label} className={label === String(out?.prediction) ? 'jp-mod-selected' : ''}>
              <span className="jp-MLHubModels-barLabel">{label}</span>
              <span className="jp-MLHubModels-barTrack">
                <span className="jp-MLHubModels-bar" style={{ width: `${Math.max(0, Math.min(1, p)) * 100}%` }} />
              </span>
              <span className="jp-MLHubModels-barValue">{p.toFixed(3)}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function TryIt(props: ITryItProps): JSX.Element {
  const schema = props.version.input_schema;
  const image = schema.length === 1 && schema[0].dtype === 'image';
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(schema.map(c => [c.name, categories(c)?.[0] ?? (c.dtype === 'bool' ? 'false' : '')]))
  );
  const [picture, setPicture] = useState<string | null>(null);
  const [result, setResult] = useState<IPrediction | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: React.FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const inputs = image ? [picture] : [recordFromValues(schema, values)];
      setResult(await predictVersion(props.name, props.version.version, inputs));
      props.onPredicted();
    } catch (e) {
      setResult(null);
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="jp-MLHubModels-tryIt" aria-label="Try it" onSubmit={e => void submit(e)}>
      {schema.length === 0 && <p className="jp-MLHub-empty">This version records no input schema.</p>}
      {image ? (
        <ImageDrop col={schema[0]} image={picture} onImage={setPicture} />
      ) : (
        <div className="jp-MLHubModels-tryInputs">
          {schema.map(col => (
            <FeatureInput
              key={col.name}
              col={col}
              value={values[col.name] ?? ''}
              onChange={value => setValues(v => ({ ...v, [col.name]: value }))}
            />
          ))}
        </div>
      )}
      <div className="jp-MLHubModels-inline">
        <button
          className="jp-Button jp-mod-styled jp-mod-accept jp-MLHubModels-small"
          type="submit"
          disabled={busy || schema.length === 0 || (image && !picture)}
        >
          Predict with v{props.version.version}
        </button>
      </div>
      {error && (
        <div className="jp-MLHub-error" role="alert">
          {error}
        </div>
      )}
      {result && <Answer result={result} />}
    </form>
  );
}
