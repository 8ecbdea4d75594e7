/** Lumino hosts of the Models sidebar, the model view and the Train form. */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { LabIcon, ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import React, { useEffect, useRef, useState } from 'react';

import { useModelState } from '../components/useModel';
import { submitSweep, submitTrain } from './api';
import { ModelsPanel } from './components/ModelsPanel';
import { ModelView } from './components/ModelView';
import { TrainForm } from './components/TrainForm';
import { ModelDetailModel } from './detailModel';
import { ModelsModel } from './model';
import { ITrainPrefill } from './trainBody';
import { IJob, ISweep, ITrainRequest } from './types';

export const MODELS_ID = 'mlhub-models';
export const TRAIN_ID = 'mlhub-train-model';

const modelsSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M12 2l9 5v10l-9 5-9-5V7zm0 2.3L5.3 8 12 11.7 18.7 8zM5 9.7v6.1l6 3.4v-6.2zm14 0l-6 3.3v6.2l6-3.4z"/>
  </g>
</svg>`;

export const modelsIcon = new LabIcon({ name: 'mlhub-ext:models', svgstr: modelsSvg });

/** Callbacks from the models views to the plugin (opening tabs). */
export interface IModelsOpeners {
  openModel: (name: string, version?: number) => void;
  /** Open the Train form, filled from `prefill` when given ("train again"). */
  openTrain: (prefill?: ITrainPrefill) => void;
  /** Ask for a model card, import it and open the model it made. */
  importCard: () => void;
}

function ConnectedPanel(props: { model: ModelsModel; open: IModelsOpeners }): JSX.Element {
  const { model, open } = props;
  const state = useModelState(model);
  return (
    <ModelsPanel
      state={state}
      onQuery={patch => model.setQuery(patch)}
      onRefresh={() => void model.refresh()}
      onOpen={m => open.openModel(m.name)}
      onOpenVersion={open.openModel}
      onTrain={() => open.openTrain()}
      onImportCard={() => open.importCard()}
      onAbort={job => void model.abort(job)}
    />
  );
}

/** The Models sidebar (left area). */
export class ModelsSidebar extends ReactWidget {
  constructor(
    private readonly _model: ModelsModel,
    private readonly _open: IModelsOpeners
  ) {
    super();
    this.id = MODELS_ID;
    this.addClass('jp-MLHub-panel');
    this.title.icon = modelsIcon;
    this.title.caption = 'Models';
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    void this._model.refresh();
  }

  protected render(): JSX.Element {
    return <ConnectedPanel model={this._model} open={this._open} />;
  }
}

/** The model view's content: its model reloads on demand; re-rendered on theme change. */
export class ModelContent extends ReactWidget {
  constructor(
    readonly modelName: string,
    version?: number,
    private readonly _onTrainAgain?: (prefill: ITrainPrefill) => void
  ) {
    super();
    this.addClass('jp-MLHub-panel');
    this.addClass('jp-MLHubModels-viewPanel');
    this.model = new ModelDetailModel(modelName, { version });
    void this.model.refresh();
  }

  /** The model, its versions and the one shown. */
  readonly model: ModelDetailModel;

  /** Load again, showing `version` if given. */
  reload(version?: number): void {
    void this.model.show(version);
  }

  themeChanged(): void {
    this._themeVersion++;
    this.update();
  }

  dispose(): void {
    this.model.dispose();
    super.dispose();
  }

  protected render(): JSX.Element {
    return <ModelView model={this.model} themeVersion={this._themeVersion} onTrainAgain={this._onTrainAgain} />;
  }

  private _themeVersion = 0;
}

export function createModelWidget(
  name: string,
  version?: number,
  onTrainAgain?: (prefill: ITrainPrefill) => void
): MainAreaWidget<ModelContent> {
  const content = new ModelContent(name, version, onTrainAgain);
  const widget = new MainAreaWidget({ content });
  widget.id = `mlhub-model-${name}`;
  widget.title.label = `Model: ${name}`;
  widget.title.icon = modelsIcon;
  widget.title.closable = true;
  return widget;
}

function ConnectedTrain(props: {
  model: ModelsModel;
  open: IModelsOpeners;
  prefill: ITrainPrefill | null;
  prefillKey: number;
}): JSX.Element {
  const { model, open } = props;
  const state = useModelState(model);
  const [jobId, setJobId] = useState<string | null>(null);
  const opened = useRef<string | null>(null);
  const job = state.jobs.find(j => j.id === jobId) ?? null;

  useEffect(() => {
    // Open the produced version once, the first time the job is seen finished.
    if (job && job.state === 'finished' && job.model && job.version !== null && opened.current !== job.id) {
      opened.current = job.id;
      open.openModel(job.model, job.version);
    }
  }, [job?.state, job?.version]);

  const submit = async (body: ITrainRequest, sweep?: ISweep): Promise<void> => {
    const created = sweep ? await submitSweep(body, sweep) : await submitTrain(body);
    setJobId(created.id);
    model.mergeJob(created);
  };
  return (
    <TrainForm
      job={job}
      onSubmit={submit}
      onAbort={(j: IJob) => void model.abort(j)}
      onOpenModel={open.openModel}
      prefill={props.prefill}
      prefillKey={props.prefillKey}
    />
  );
}

/** The Train form's content (main area). */
export class TrainContent extends ReactWidget {
  constructor(
    private readonly _model: ModelsModel,
    private readonly _open: IModelsOpeners
  ) {
    super();
    this.addClass('jp-MLHub-panel');
    this.addClass('jp-MLHubModels-trainPanel');
  }

  /** Fill the form from a version's settings ("train again"). */
  prefill(prefill: ITrainPrefill): void {
    this._prefill = prefill;
    this._prefillKey++;
    this.update();
  }

  protected render(): JSX.Element {
    return (
      <ConnectedTrain model={this._model} open={this._open} prefill={this._prefill} prefillKey={this._prefillKey} />
    );
  }

  private _prefill: ITrainPrefill | null = null;
  private _prefillKey = 0;
}

export function createTrainWidget(model: ModelsModel, open: IModelsOpeners): MainAreaWidget<TrainContent> {
  const widget = new MainAreaWidget({ content: new TrainContent(model, open) });
  widget.id = TRAIN_ID;
  widget.title.label = 'Train model';
  widget.title.icon = modelsIcon;
  widget.title.closable = true;
  return widget;
}
