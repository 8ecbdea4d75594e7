/** The Lumino widget that hosts the React sidebar and follows the model's state. */
import { ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import React, { useEffect, useState } from 'react';

import { Sidebar } from './components/Sidebar';
import { mlhubIcon } from './icon';
import { IMLHubModel, IMLHubState } from './tokens';

export const SIDEBAR_ID = 'mlhub-sidebar';

/**
 * The model's current state, re-rendering on every change. React 18 mounts after a
 * delay, so the effect re-reads the state to catch changes emitted before it subscribed.
 */
function useModelState(model: IMLHubModel): IMLHubState {
  const [state, setState] = useState(model.state);
  useEffect(() => {
    const onChange = (_: IMLHubModel, next: IMLHubState) => setState(next);
    model.stateChanged.connect(onChange);
    setState(model.state);
    return () => {
      model.stateChanged.disconnect(onChange);
    };
  }, [model]);
  return state;
}

function ConnectedSidebar(props: { model: IMLHubModel }): JSX.Element {
  const state = useModelState(props.model);
  return <Sidebar state={state} onRefresh={() => void props.model.refresh()} />;
}

export class MLHubSidebar extends ReactWidget {
  constructor(private readonly _model: IMLHubModel) {
    super();
    this.id = SIDEBAR_ID;
    this.addClass('jp-MLHub-panel');
    this.title.icon = mlhubIcon;
    this.title.caption = 'ML Hub';
  }

  /** Opening the panel shows fresh data rather than the last poll's. */
  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    void this._model.refresh();
  }

  protected render(): JSX.Element {
    return <ConnectedSidebar model={this._model} />;
  }
}
