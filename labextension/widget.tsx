/** The Lumino widget that hosts the React sidebar and follows the model's state. */
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import React from 'react';

import { Sidebar } from './components/Sidebar';
import { mlhubIcon } from './icon';
import { MLHubModel } from './model';
import { IMLHubState } from './tokens';

export const SIDEBAR_ID = 'mlhub-sidebar';

export class MLHubSidebar extends ReactWidget {
  constructor(private readonly _model: MLHubModel) {
    super();
    this.id = SIDEBAR_ID;
    this.addClass('jp-MLHub-panel');
    this.title.icon = mlhubIcon;
    this.title.caption = 'ML Hub';
  }

  protected render(): JSX.Element {
    return (
      <UseSignal<MLHubModel, IMLHubState>
        signal={this._model.stateChanged}
        initialArgs={this._model.state}
      >
        {(_, state) => (
          <Sidebar
            state={state ?? this._model.state}
            onRefresh={() => void this._model.refresh()}
          />
        )}
      </UseSignal>
    );
  }
}
