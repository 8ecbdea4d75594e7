/** Lumino widgets hosting the Experiments sidebar and the compare view. */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { LabIcon, ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import { ISignal, Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';
import React, { useEffect, useState } from 'react';

import { Sidebar } from '../components/Sidebar';
import { useModelState } from '../components/useModel';
import { IMLHubModel, IMLHubState, IRun } from '../tokens';
import { CompareModel } from './compareModel';
import { CompareView } from './components/CompareView';
import { panelPlotWidth } from './components/PanelGrid';
import { ExperimentsPanel, ExperimentsView } from './components/ExperimentsPanel';
import { OPEN_PROJECT_EVENT } from './events';
import { ExperimentsModel, IExperimentsState, ISelectedRun } from './runsModel';

export const EXPERIMENTS_ID = 'mlhub-experiments';

/** Horizontal padding of the compare view (see style/experiments.css). */
const CONTENT_PADDING = 32;

const experimentsSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M9 2h6v2h-1v5.2l5.6 9.4A2 2 0 0 1 17.9 22H6.1a2 2 0 0 1-1.7-3.4L10 9.2V4H9z"/>
  </g>
</svg>`;

export const experimentsIcon = new LabIcon({
  name: 'mlhub-ext:experiments',
  svgstr: experimentsSvg
});

/** Re-render on every emission of `signal`, reading the latest value with `read`. */
function useSignalValue<S, V>(signal: ISignal<S, unknown>, read: () => V): V {
  const [value, setValue] = useState(read);
  useEffect(() => {
    const onChange = () => setValue(read());
    signal.connect(onChange);
    setValue(read());
    return () => {
      signal.disconnect(onChange);
    };
  }, [signal]);
  return value;
}

/** The projects overview: each project the caller may read with its latest runs. */
function ConnectedProjects(props: { model: IMLHubModel }): JSX.Element {
  const { model } = props;
  const state = useModelState<IMLHubState>(model);
  return <Sidebar state={state} onRefresh={() => void model.refresh()} embedded={true} />;
}

function ConnectedPanel(props: {
  model: ExperimentsModel;
  projects: IMLHubModel | null;
  view: ExperimentsView;
  onView: (view: ExperimentsView) => void;
  onCompare: (runs: ISelectedRun[]) => void;
}): JSX.Element {
  const { model, projects } = props;
  const state = useModelState<IExperimentsState>(model);
  return (
    <ExperimentsPanel
      view={props.view}
      onView={props.onView}
      projects={projects ? <ConnectedProjects model={projects} /> : undefined}
      state={state}
      onQuery={change => void model.setQuery(change)}
      onSearch={text => void model.setSearch(text)}
      onSelectAll={() => void model.selectAllMatching()}
      onToggle={(run, selected) => model.toggle(run, selected)}
      onPage={direction =>
        void (direction > 0 ? model.nextPage() : model.previousPage())
      }
      onRefresh={() => {
        void model.refresh();
        void projects?.refresh();
      }}
      onCompare={() => props.onCompare(model.selectedRuns)}
      onClearSelection={() => model.clearSelection()}
    />
  );
}

/**
 * The Experiments sidebar (left area): projects and their runs in one panel. With the
 * registry model it has a Projects view (each project with its latest runs, Share) next to
 * the Runs view; a project's name there opens its runs.
 */
export class ExperimentsSidebar extends ReactWidget {
  constructor(
    readonly model: ExperimentsModel,
    private readonly _onCompare: (runs: ISelectedRun[]) => void,
    readonly projects: IMLHubModel | null = null
  ) {
    super();
    this.id = EXPERIMENTS_ID;
    this.addClass('jp-MLHub-panel');
    this.addClass('jp-MLHubExp-panel');
    this.title.icon = experimentsIcon;
    this.title.caption = 'Experiments: projects and their runs';
    this.node.addEventListener(OPEN_PROJECT_EVENT, event => {
      const project = (event as CustomEvent<{ project: string }>).detail?.project;
      if (project) {
        void this.showProject(project);
      }
    });
  }

  get view(): ExperimentsView {
    return this._view;
  }

  /** Show the projects overview or the runs view. */
  setView(view: ExperimentsView): void {
    this._view = this.projects ? view : 'runs';
    this.update();
    if (this._view === 'projects') {
      void this.projects?.refresh();
    }
  }

  /** The runs of `project`, in the Runs view. */
  showProject(project: string): Promise<void> {
    this.setView('runs');
    return this.model.setQuery({ project });
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.model.setActive(true);
    void this.model.refresh();
    if (this._view === 'projects') {
      void this.projects?.refresh();
    }
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.model.setActive(false);
  }

  protected render(): JSX.Element {
    return (
      <ConnectedPanel
        model={this.model}
        projects={this.projects}
        view={this._view}
        onView={view => this.setView(view)}
        onCompare={this._onCompare}
      />
    );
  }

  private _view: ExperimentsView = 'runs';
}

function ConnectedCompare(props: {
  model: CompareModel;
  themeVersion: number;
}): JSX.Element {
  const { model } = props;
  const version = useSignalValue<CompareModel, number>(
    model.changed,
    () => model.version
  );
  return (
    <CompareView model={model} version={version} themeVersion={props.themeVersion} />
  );
}

/**
 * The compare view's content: loads once it is laid out and knows its width. One tab
 * serves every Compare click: {@link setRuns} swaps the compared runs.
 */
export class CompareContent extends ReactWidget {
  constructor(model: CompareModel) {
    super();
    this._model = model;
    this.addClass('jp-MLHubExp-compareContent');
  }

  get model(): CompareModel {
    return this._model;
  }

  /** Emitted with the new model when {@link setRuns} replaced the compared runs. */
  get modelChanged(): ISignal<this, CompareModel> {
    return this._modelChanged;
  }

  /** Compare `runIds` instead (a no-op when they are the ones shown, in order). */
  setRuns(runIds: string[]): void {
    if (runIds.join(',') === this._model.runIds.join(',')) {
      return;
    }
    this._model.dispose();
    this._model = new CompareModel(runIds);
    this._started = false;
    this._modelChanged.emit(this._model);
    this.update();
    this._start(true);
  }

  /** Rebuild the charts with the colours of the theme now in force. */
  themeChanged(): void {
    this._themeVersion++;
    this.update();
  }

  dispose(): void {
    this._model.dispose();
    Signal.clearData(this);
    super.dispose();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this._start();
    // Not laid out yet: measure on the first resize, or after a frame at the latest.
    requestAnimationFrame(() => this._start(true));
  }

  protected onResize(msg: Widget.ResizeMessage): void {
    super.onResize(msg);
    if (!this._started) {
      this._start();
    } else {
      // Much wider than when fetched (a maximised panel): the series at the new resolution.
      void this.model.ensureResolution(this._points());
    }
  }

  /** Load once the width is known: one point per device pixel column of a panel's plot. */
  private _start(force = false): void {
    if (this._started || !this.isVisible || (this.node.clientWidth <= 0 && !force)) {
      return;
    }
    this._started = true;
    void this.model.load(this._points());
  }

  private _points(): number {
    const grid = Math.max(this.node.clientWidth - CONTENT_PADDING, 200);
    return Math.round(panelPlotWidth(grid) * Math.min(window.devicePixelRatio || 1, 2));
  }

  protected render(): JSX.Element {
    return <ConnectedCompare model={this.model} themeVersion={this._themeVersion} />;
  }

  private _model: CompareModel;
  private readonly _modelChanged = new Signal<this, CompareModel>(this);
  private _started = false;
  private _themeVersion = 0;
}

/** A main-area tab comparing `runs`. */
export function createCompareWidget(
  runs: Array<Pick<IRun, 'id' | 'name'>>
): MainAreaWidget<CompareContent> {
  const content = new CompareContent(new CompareModel(runs.map(r => r.id)));
  const widget = new MainAreaWidget({ content });
  widget.id = `mlhub-compare-${Date.now().toString(36)}`;
  widget.title.icon = experimentsIcon;
  widget.title.closable = true;
  widget.addClass('jp-MLHubExp-compareWidget');
  const label = (named: Array<Pick<IRun, 'id' | 'name'>>) => {
    widget.title.label = `Compare ${named.map(r => r.name).join(', ')}`.slice(0, 60);
    widget.title.caption = `Compare runs ${named.map(r => r.id).join(', ')}`;
  };
  // Opened by ids alone, the tab learns the runs' names once they are loaded.
  const follow = (model: CompareModel) =>
    model.changed.connect(() => {
      if (model.runs.length) {
        label(model.runs);
      }
    });
  label(runs);
  follow(content.model);
  content.modelChanged.connect((_, model) => {
    label(model.runIds.map(id => ({ id, name: id.slice(0, 8) })));
    follow(model);
  });
  return widget;
}
