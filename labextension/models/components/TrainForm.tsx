/**
 * The "Train model" form: dataset and its version (holdouts never the default), target
 * column and feature columns (from that version's schema), the encoding of text columns,
 * the validation split and random seed, the task, a scikit-learn estimator by dotted path
 * (a pipeline with its steps) or a built-in torch model, params as JSON, and the model's
 * name; optionally a grid sweep (a search space and the metric that picks the best trial).
 * Every option a training error names is here. Submitting posts a job (or a sweep); the
 * server's validation message is shown verbatim, and the job's progress is shown until it
 * produces a version. "Train again" on a version fills the form from its spec (`prefill`).
 */
import React, { useEffect, useState } from 'react';

import {
  DEFAULT_SEED,
  DEFAULT_TEST_SIZE,
  defaultDataset,
  isHoldout,
  isNumericColumn,
  ITrainPrefill,
  parseParams,
  parseSpace,
  parseSteps,
  SWEEP_METRICS,
  trainBody
} from '../trainBody';
import {
  DEFAULT_PARAMS,
  DEFAULT_STEPS,
  ESTIMATORS,
  PIPELINE,
  TORCH_KINDS,
  useColumns,
  useDatasets
} from '../trainInputs';
import { IJob, ISweep, ITrainRequest } from '../types';
import { chosenFeatures, FeaturePicker } from './FeaturePicker';
import { JobRow } from './JobRow';

export interface ITrainFormProps {
  /** The submitted job as the sidebar model knows it now (live), if any. */
  job: IJob | null;
  /** With `sweep`, a grid sweep over the same body. */
  onSubmit: (body: ITrainRequest, sweep?: ISweep) => Promise<void>;
  onAbort: (job: IJob) => void;
  onOpenModel: (name: string, version?: number) => void;
  /** Settings to fill the form with ("train again"); applied whenever `prefillKey` changes. */
  prefill?: ITrainPrefill | null;
  prefillKey?: number;
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
  /** undefined: the dataset's latest version. */
  const [datasetVersion, setDatasetVersion] = useState<number | undefined>(undefined);
  const [target, setTarget] = useState('');
  const [picked, setPicked] = useState<string[] | null>(null);
  const [encode, setEncode] = useState('');
  const [impute, setImpute] = useState('');
  const [testSize, setTestSize] = useState(String(DEFAULT_TEST_SIZE));
  const [seed, setSeed] = useState(String(DEFAULT_SEED));
  const [task, setTask] = useState('');
  const [kind, setKind] = useState('sklearn');
  const [estimator, setEstimator] = useState(ESTIMATORS[0]);
  const [stepsText, setStepsText] = useState(DEFAULT_STEPS);
  const [imageColumn, setImageColumn] = useState('');
  const [paramsText, setParamsText] = useState(DEFAULT_PARAMS.sklearn);
  const [name, setName] = useState('');
  const [sweeping, setSweeping] = useState(false);
  const [spaceText, setSpaceText] = useState('{\n  "n_estimators": [50, 100],\n  "max_depth": [4, null]\n}');
  const [metric, setMetric] = useState(SWEEP_METRICS[0]);
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  const dataset = datasets.find(d => d.name === datasetName);
  const version = datasetVersion ?? dataset?.latest_version;
  const columns = useColumns(dataset?.name, version);
  useEffect(() => {
    if (!datasetName && datasets.length > 0) {
      setDatasetName(defaultDataset(datasets));
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
  useEffect(() => {
    const p = props.prefill;
    if (!p) {
      return;
    }
    setDatasetName(p.dataset);
    setDatasetVersion(p.version);
    setTarget(p.target);
    setPicked(p.features);
    setEncode(p.encode);
    setImpute(p.impute);
    setTestSize(String(p.testSize));
    setSeed(String(p.seed));
    setTask(p.task);
    setKind(p.kind);
    setEstimator(p.estimator || ESTIMATORS[0]);
    setStepsText(p.stepsText || DEFAULT_STEPS);
    setImageColumn(p.imageColumn);
    setParamsText(p.paramsText);
    setName(p.name);
    setSweeping(false);
    setError(null);
  }, [props.prefillKey]);

  const parsed = parseParams(paramsText);
  const parsedSpace = sweeping ? parseSpace(spaceText) : {};
  const pipeline = kind === 'sklearn' && estimator.trim() === PIPELINE;
  const parsedSteps = pipeline ? parseSteps(stepsText) : {};
  const features = chosenFeatures(columns, target, picked);
  const textFeatures = columns.filter(
    c => c.name !== target && !isNumericColumn(c) && (features === null || features.includes(c.name))
  );
  const tableDataset = dataset?.kind !== 'images';
  const submit = async (event: React.FormEvent): Promise<void> => {
    event.preventDefault();
    const problem =
      parsed.error ??
      parsedSpace.error ??
      parsedSteps.error ??
      (features !== null && features.length === 0 ? 'Pick at least one feature column' : undefined);
    if (problem) {
      setError(problem);
      return;
    }
    const body = trainBody({
      dataset: datasetName,
      version,
      target,
      kind,
      estimator,
      params: parsed.params ?? {},
      name,
      encode,
      impute,
      features: tableDataset ? features : null,
      // Sent as typed: the server names a value it refuses (e.g. "test_size must be >= 0.0 and <= 0.9").
      testSize: testSize.trim() === '' ? undefined : Number(testSize),
      seed: seed.trim() === '' ? undefined : Number(seed),
      task,
      steps: pipeline ? parsedSteps.steps : null,
      imageColumn
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
        <select
          className="jp-MLHubModels-select"
          aria-label="Dataset"
          value={datasetName}
          onChange={e => {
            setDatasetName(e.target.value);
            setDatasetVersion(undefined);
            setPicked(null);
          }}
        >
          {datasets.length === 0 && <option value="">no datasets: upload one first</option>}
          {datasets.length > 0 && !dataset && <option value="">{datasetName ? `${datasetName} (not available)` : 'choose a dataset'}</option>}
          {datasets.map(d => (
            <option key={d.name} value={d.name}>
              {d.name} (v{d.latest_version}){isHoldout(d) ? ' – holdout' : ''}
            </option>
          ))}
        </select>
      </Field>
      {dataset && dataset.latest_version > 1 && (
        <Field label="Dataset version">
          <select
            className="jp-MLHubModels-select"
            aria-label="Dataset version"
            value={String(version)}
            onChange={e => setDatasetVersion(Number(e.target.value))}
          >
            {Array.from({ length: dataset.latest_version }, (_, i) => dataset.latest_version - i).map(n => (
              <option key={n} value={String(n)}>
                v{n}
                {n === dataset.latest_version ? ' (latest)' : ''}
              </option>
            ))}
          </select>
        </Field>
      )}
      <Field label="Target column">
        <select className="jp-MLHubModels-select" aria-label="Target column" value={target} onChange={e => setTarget(e.target.value)}>
          {columns.map(c => (
            <option key={c.name} value={c.name}>
              {c.name} ({c.type})
            </option>
          ))}
        </select>
      </Field>
      {tableDataset && columns.length > 0 && (
        <FeaturePicker columns={columns} target={target} picked={picked} onChange={setPicked} />
      )}
      {tableDataset && (
        <Field label="Encoding of text columns">
          <select className="jp-MLHubModels-select" aria-label="Encoding" value={encode} onChange={e => setEncode(e.target.value)}>
            <option value="">none (numeric features only)</option>
            <option value="onehot">one-hot (a 0/1 column per value)</option>
          </select>
          {!encode && textFeatures.length > 0 && (
            <span className="jp-MLHubModels-hint jp-mod-warn" role="note">
              Text column(s) {textFeatures.map(c => c.name).join(', ')} need one-hot encoding, or leave them out of
              the feature columns.
            </span>
          )}
        </Field>
      )}
      {tableDataset && kind === 'sklearn' && (
        <Field label="Missing numbers" hint="Filled by a step the model keeps, so predictions may leave them out too">
          <select className="jp-MLHubModels-select" aria-label="Missing numbers" value={impute} onChange={e => setImpute(e.target.value)}>
            <option value="">not filled (the estimator must accept them, or there are none)</option>
            <option value="median">filled with the median</option>
            <option value="mean">filled with the mean</option>
            <option value="most_frequent">filled with the most frequent value</option>
          </select>
        </Field>
      )}
      <div className="jp-MLHubModels-inline jp-MLHubModels-optionsRow">
        <Field label="Validation split" hint="Fraction of rows held out to evaluate (0 to 0.9)">
          <input
            className="jp-MLHub-search"
            aria-label="Validation split"
            type="number"
            min={0}
            max={0.9}
            step={0.05}
            value={testSize}
            onChange={e => setTestSize(e.target.value)}
          />
        </Field>
        <Field label="Random seed" hint="Same seed, same split and initial weights">
          <input
            className="jp-MLHub-search"
            aria-label="Random seed"
            type="number"
            min={0}
            step={1}
            value={seed}
            onChange={e => setSeed(e.target.value)}
          />
        </Field>
        <Field label="Task">
          <select className="jp-MLHubModels-select" aria-label="Task" value={task} onChange={e => setTask(e.target.value)}>
            <option value="">inferred</option>
            <option value="classification">classification</option>
            <option value="regression">regression</option>
          </select>
        </Field>
      </div>
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
      {pipeline && (
        <JsonField
          label="Pipeline steps (JSON)"
          name="Pipeline steps"
          hint="[name, dotted path, params] per step; params above address a step as step__param"
          rows={4}
          value={stepsText}
          onChange={setStepsText}
          error={parsedSteps.error}
        />
      )}
      {kind === 'torch_cnn' && tableDataset && (
        <Field label="Image column">
          <select className="jp-MLHubModels-select" aria-label="Image column" value={imageColumn} onChange={e => setImageColumn(e.target.value)}>
            <option value="">found by itself (or pixel columns)</option>
            {columns
              .filter(c => c.name !== target)
              .map(c => (
                <option key={c.name} value={c.name}>
                  {c.name} ({c.type})
                </option>
              ))}
          </select>
        </Field>
      )}
      <JsonField
        label="Params (JSON)"
        name="Params"
        hint={
          kind === 'sklearn'
            ? 'The estimator\'s own parameters'
            : 'Network params (image_size for the CNN); epochs, batch_size, lr, optimizer, weight_decay are sent as training settings'
        }
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
      <button className="jp-Button jp-mod-styled jp-mod-accept" type="submit" disabled={submitting || !dataset || !target || columns.length === 0}>
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
