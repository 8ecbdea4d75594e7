/** Lumino hosts of the Datasets sidebar and of the dataset view in the main area. */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { ReactWidget, spreadsheetIcon } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import React from 'react';

import { useModelState } from '../components/useModel';
import { DatasetsPanel } from './components/DatasetsPanel';
import { DatasetView } from './components/DatasetView';
import { DatasetsModel } from './model';
import { IDataset } from './types';
import { DatasetViewModel } from './viewModel';

export const DATASETS_ID = 'mlhub-datasets';
export const datasetsIcon = spreadsheetIcon;

function ConnectedPanel(props: {
  model: DatasetsModel;
  onOpen: (d: IDataset) => void;
}): JSX.Element {
  const { model } = props;
  const state = useModelState(model);
  return (
    <DatasetsPanel
      state={state}
      onQuery={q => model.setQuery(q)}
      onRefresh={() => void model.refresh()}
      onOpen={props.onOpen}
      onFiles={files => model.stage(files.map(f => ({ blob: f, name: f.name })))}
      onSubmit={options => void model.submitPending(options)}
      onCancel={() => model.cancelPending()}
      onDismiss={id => model.dismissUpload(id)}
      onAddAsNewVersion={id => void model.addAsNewVersion(id)}
    />
  );
}

export class DatasetsSidebar extends ReactWidget {
  constructor(
    private readonly _model: DatasetsModel,
    private readonly _onOpen: (d: IDataset) => void
  ) {
    super();
    this.id = DATASETS_ID;
    this.addClass('jp-MLHub-panel');
    this.title.icon = datasetsIcon;
    this.title.caption = 'Datasets';
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    void this._model.refresh();
  }

  protected render(): JSX.Element {
    return <ConnectedPanel model={this._model} onOpen={this._onOpen} />;
  }
}

export class DatasetContent extends ReactWidget {
  constructor(
    readonly datasetName: string,
    private readonly _onInsertCode: (name: string, version: number) => void,
    private readonly _onChanged?: () => void
  ) {
    super();
    this.addClass('jp-MLHub-panel');
    this.model = new DatasetViewModel(datasetName);
    void this.model.refresh();
  }

  /** The view's state: the dataset's versions and the one shown. */
  readonly model: DatasetViewModel;

  /** Load again (after an upload added a version: the list, and the latest if shown). */
  reload(): void {
    void this.model.refresh();
  }

  dispose(): void {
    this.model.dispose();
    super.dispose();
  }

  protected render(): JSX.Element {
    return (
      <DatasetView model={this.model} onInsertCode={this._onInsertCode} onChanged={this._onChanged} />
    );
  }
}

export function createDatasetWidget(
  name: string,
  onInsertCode: (name: string, version: number) => void,
  onChanged?: () => void
): MainAreaWidget<DatasetContent> {
  const content = new DatasetContent(name, onInsertCode, onChanged);
  const widget = new MainAreaWidget({ content });
  widget.id = `mlhub-dataset-${name}`;
  widget.title.label = `Dataset: ${name}`;
  widget.title.icon = datasetsIcon;
  widget.title.closable = true;
  return widget;
}
