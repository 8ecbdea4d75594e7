/**
 * The "Train model" form: dataset (from /datasets), target column (from that dataset's
 * schema), a scikit-learn estimator by dotted path or a built-in torch model, params as
 * JSON, and the model's name; optionally a grid sweep (a search space and the metric that
 * picks the best trial). Submitting posts a job (or a sweep); the server's validation
 * message is shown verbatim, and the job's progress is shown until it produces a version.
 */
import React, { useEffect, useState } from 'react';

import { parseParams, parseSpace, SWEEP_METRICS, trainBody } from '../trainBody';
import { DEFAULT_PARAMS, ESTIMATORS, TORCH_KINDS, useColumns, useDatasets } from '../trainInputs';
import { IJob, ISweep, ITrainRequest } from '../types';
import { JobRow } from './JobRow';

export interface ITrainFormProps {
  /** The submitted job as the sidebar model knows it now (live), if any. */
  job: IJob | null;
  /** With `sweep`, a grid sweep over the same body. */
  onSubmit: (body: ITrainRequest, sweep?: ISweep) => Promise<void>;
  onAbort: (job: IJob) => void;
  onOpenModel: (name: string, version?: number) => void;
}

function Field(props: { label: string; children: React.ReactNode; hint?: string }): JSX.Element {
  return (
    <label className="jp-MLHubModels-field">
      <span className="jp-MLHubModels-fieldLabel">{props.label}</span>
      {props.children}
      {props.hint && <span className="jp-MLHubModels-hint">{props.hint}</span>}
    </label>
  );
}

/** A JSON editor field with the reason its text is not what the field takes. */
function JsonField(props: {
  label: string;
  name: string;
  hint: string;
  rows: number;
  value: string;
  onChange: (text: string) => void;
  error?: string;
}): JSX.Element {
  return (
    <Field label={props.label} hint={props.hint}>
      <textarea
        className="jp-MLHubModels-json"
        aria-label={props.name}
        spellCheck={false}
        rows={props.rows}
        value={props.value}
        onChange={e => props.onChange(e.target.value)}
      />
      {props.error && <span className="jp-MLHubModels-hint jp-mod-error">{props.error}</span>}
    </Field>
  );
}

export function TrainForm(props: ITrainFormProps): JSX.Element {
  const { datasets, error: listError } = useDatasets();
  const [datasetName, setDatasetName] = useState('');
  const [target, setTarget] = useState('');
  const [kind, setKind] = useState('sklearn');
  const [estimator, setEstimator] = useState(ESTIMATORS[0]);
  const [paramsText, setParamsText] = useState(DEFAULT_PARAMS.sklearn);
  const [name, setName] = useState('');
  const [sweeping, setSweeping] = useState(false);
  const [spaceText, setSpaceText] = useState('{\n  "n_estimators": [50, 100],\n  "max_depth": [4, null]\n}');
  const [metric, setMetric] = useState(SWEEP_METRICS[0]);
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  const dataset = datasets.find(d => d.name === datasetName);
  const columns = useColumns(dataset);
  useEffect(() => {
    if (!datasetName && datasets.length > 0) {
      setDatasetName(datasets[0].name);
    }
  }, [datasets]);
  useEffect(() => {
    // Image collections train the CNN; switch to it when one is chosen.
    if (dataset?.kind === 'images' && kind === 'sklearn') {
      setKind('torch_cnn');
      setParamsText(DEFAULT_PARAMS.torch_cnn);
    }
  }, [dataset?.name]);
  useEffect(() => {
    if (columns.length > 0 && !columns.some(c => c.name === target)) {
      setTarget(columns[columns.length - 1].name);
    }
  }, [columns]);

  const parsed = parseParams(paramsText);
  const parsedSpace = sweeping ? parseSpace(spaceText) : {};
  const submit = async (event: React.FormEvent): Promise<void> => {
    event.preventDefault();
    if (parsed.error || parsedSpace.error) {
      setError(parsed.error ?? parsedSpace.error ?? null);
      return;
    }
    const body = trainBody({
      dataset: datasetName,
      version: dataset?.latest_version,
      target,
      kind,
      estimator,
      params: parsed.params ?? {},
      name
    });
    setSubmitting(true);
    setError(null);
    try {
      await props.onSubmit(body, sweeping && parsedSpace.space ? { space: parsedSpace.space, metric } : undefined);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setSubmitting(false);
    }
  };

  return (
    <form className="jp-MLHubModels-train" aria-label="Train model" onSubmit={e => void submit(e)}>
      <h2 className="jp-MLHub-title">Train a model</h2>
      {listError && (
        <div className="jp-MLHub-error" role="alert">
          {listError}
        </div>
      )}
      <Field label="Dataset">
        <select className="jp-MLHubModels-select" aria-label="Dataset" value={datasetName} onChange={e => setDatasetName(e.target.value)}>
          {datasets.length === 0 && <option value="">no datasets: upload one first</option>}
          {datasets.map(d => (
            <option key={d.name} value={d.name}>
              {d.name} (v{d.latest_version})
            </option>
          ))}
        </select>
      </Field>
      <Field label="Target column">
        <select className="jp-MLHubModels-select" aria-label="Target column" value={target} onChange={e => setTarget(e.target.value)}>
          {columns.map(c => (
            <option key={c.name} value={c.name}>
              {c.name} ({c.type})
            </option>
          ))}
        </select>
      </Field>
      <Field label="Model">
        <select className="jp-MLHubModels-select" aria-label="Model kind" value={kind} onChange={e => {
            setKind(e.target.value);
            setParamsText(DEFAULT_PARAMS[e.target.value] ?? '{}');
          }}>
          <option value="sklearn">scikit-learn estimator</option>
          {TORCH_KINDS.map(([k, label]) => (
            <option key={k} value={k}>
              {label}
            </option>
          ))}
        </select>
      </Field>
      {kind === 'sklearn' && (
        <Field label="Estimator" hint="A dotted path to a scikit-learn estimator class">
          <input className="jp-MLHub-search" aria-label="Estimator" list="jp-MLHubModels-estimators" value={estimator} onChange={e => setEstimator(e.target.value)} />
          <datalist id="jp-MLHubModels-estimators">
            {ESTIMATORS.map(e => (
              <option key={e} value={e} />
            ))}
          </datalist>
        </Field>
      )}
      <JsonField
        label="Params (JSON)"
        name="Params"
        hint={kind === 'sklearn' ? 'The estimator\'s own parameters' : 'Network params; epochs, batch_size, lr, optimizer, weight_decay are sent as training settings'}
        rows={6}
        value={paramsText}
        onChange={setParamsText}
        error={parsed.error}
      />
      <Field label="Model name" hint="A new name creates the model; an existing one gets a new version">
        <input className="jp-MLHub-search" aria-label="Model name" value={name} placeholder={`${datasetName || 'dataset'}_model`} onChange={e => setName(e.target.value)} />
      </Field>
      <label className="jp-MLHubModels-check">
        <input type="checkbox" aria-label="Sweep over a grid" checked={sweeping} onChange={e => setSweeping(e.target.checked)} />
        Sweep over a grid (each combination a trial on the cluster; the best becomes the version)
      </label>
      {sweeping && (
        <>
          <JsonField
            label="Search space (JSON)"
            name="Search space"
            hint="Parameter names (step__param in pipelines; epochs, lr... for torch) to lists of values"
            rows={4}
            value={spaceText}
            onChange={setSpaceText}
            error={parsedSpace.error}
          />
          <Field label="Pick the best by">
            <select className="jp-MLHubModels-select" aria-label="Sweep metric" value={metric} onChange={e => setMetric(e.target.value)}>
              {SWEEP_METRICS.map(m => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </Field>
        </>
      )}
      {error && (
        <div className="jp-MLHub-error jp-MLHubModels-submitError" role="alert">
          {error}
        </div>
      )}
      <button className="jp-Button jp-mod-styled jp-mod-accept" type="submit" disabled={submitting || !datasetName || !target}>
        {sweeping ? 'Start sweep' : 'Train'}
      </button>
      {props.job && (
        <ul className="jp-MLHubModels-jobs" aria-label="submitted job">
          <JobRow job={props.job} onAbort={props.onAbort} onOpenModel={props.onOpenModel} />
        </ul>
      )}
    </form>
  );
}
