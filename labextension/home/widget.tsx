/** The Lumino host of the home tab: connects the {@link HomeModel} to the page's props. */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import React from 'react';

import { useModelState } from '../components/useModel';
import { mlhubIcon } from '../icon';
import { HomePage, OpenTarget } from './components/HomePage';
import { HomeModel } from './model';

export const HOME_ID = 'mlhub-home';

/** What the page asks of the plugin: opening other views. */
export interface IHomeHost {
  open: (target: OpenTarget) => void;
  /** Opens the profile view; null when no profile view is installed. */
  openProfile: (() => void) | null;
}

function ConnectedHome(props: { model: HomeModel; host: IHomeHost }): JSX.Element {
  const { model, host } = props;
  const state = useModelState(model);
  return (
    <HomePage
      home={state.home}
      loading={state.loading}
      error={state.error}
      pending={state.pending}
      hasProfile={host.openProfile !== null}
      onRefresh={() => void model.refresh()}
      onOpen={host.open}
      onOpenProfile={() => host.openProfile?.()}
      onStopRun={run => void model.stopRun(run.id)}
      onAbortJob={job => void model.abortJob(job.id)}
    />
  );
}

export class HomeContent extends ReactWidget {
  constructor(
    readonly model: HomeModel,
    private readonly _host: IHomeHost
  ) {
    super();
    this.addClass('jp-MLHub-panel');
    this.addClass('jp-MLHubHome-content');
  }

  dispose(): void {
    this.model.dispose();
    super.dispose();
  }

  /** Showing the tab again shows fresh figures rather than the last poll's. */
  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    void this.model.refresh();
  }

  protected render(): JSX.Element {
    return <ConnectedHome model={this.model} host={this._host} />;
  }
}

/** The home tab, loading as it opens. */
export function createHomeWidget(host: IHomeHost): MainAreaWidget<HomeContent> {
  const model = new HomeModel();
  const widget = new MainAreaWidget({ content: new HomeContent(model, host) });
  widget.id = HOME_ID;
  widget.title.label = 'ML Hub Home';
  widget.title.caption = 'Your ML Hub overview: counts, running work, recent activity, shared with you';
  widget.title.icon = mlhubIcon;
  widget.title.closable = true;
  return widget;
}
