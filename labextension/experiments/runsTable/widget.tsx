/** The runs table's main-area tab: one per project. */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import React from 'react';

import { experimentsIcon } from '../widgets';
import { RunsTableModel } from './model';
import { RunsTableView } from './RunsTableView';

export class RunsTableContent extends ReactWidget {
  constructor(
    readonly model: RunsTableModel,
    private readonly _onCompare: (ids: string[]) => void
  ) {
    super();
    this.addClass('jp-MLHubRT-content');
  }

  dispose(): void {
    this.model.dispose();
    super.dispose();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.model.setActive(true);
    void this.model.refresh();
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.model.setActive(false);
  }

  protected render(): JSX.Element {
    return <RunsTableView model={this.model} onCompare={this._onCompare} />;
  }
}

/** A main-area tab holding `project`'s runs table. */
export function createRunsTableWidget(
  project: string,
  onCompare: (ids: string[]) => void
): MainAreaWidget<RunsTableContent> {
  const content = new RunsTableContent(new RunsTableModel(project), onCompare);
  const widget = new MainAreaWidget({ content });
  widget.id = `mlhub-runs-table-${encodeURIComponent(project)}`;
  widget.title.icon = experimentsIcon;
  widget.title.label = `Runs: ${project}`;
  widget.title.caption = `The runs of project ${project}: table, parallel coordinates, importance`;
  widget.title.closable = true;
  widget.addClass('jp-MLHubRT-widget');
  return widget;
}
