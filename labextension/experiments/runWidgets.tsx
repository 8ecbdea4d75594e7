/** The Lumino host of a run's page in the main area. */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { CodeEditor, IEditorServices } from '@jupyterlab/codeeditor';
import { ReactWidget } from '@jupyterlab/ui-components';
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import React, { useEffect, useState } from 'react';

import { RunPage } from './components/RunPage';
import { CodeRenderer } from './components/RunSections';
import { RunPageModel } from './runPageModel';
import { experimentsIcon } from './widgets';

/** Horizontal padding of the run page (see style/runpage.css). */
const CONTENT_PADDING = 32;

/** What the page asks of the plugin: confirmation dialogs and opening other tabs. */
export interface IRunPageHost {
  confirmDelete: (model: RunPageModel) => Promise<boolean>;
  openModel: (name: string, version: number) => void;
  openDataset: (name: string) => void;
  editorServices: IEditorServices | null;
}

/** Highlight `source` as IPython with the lab's own editor (CodeMirror), read-only. */
export function editorRenderer(services: IEditorServices): CodeRenderer {
  return (host, source) => {
    const model = new CodeEditor.Model({ mimeType: 'text/x-ipython' });
    model.sharedModel.setSource(source);
    const editor = services.factoryService.newInlineEditor({
      host,
      model,
      config: { readOnly: true, lineNumbers: true, lineWrap: false }
    });
    return () => {
      editor.dispose();
      model.dispose();
    };
  };
}

function ConnectedRunPage(props: {
  model: RunPageModel;
  host: IRunPageHost;
  themeVersion: number;
  renderCode?: CodeRenderer;
}): JSX.Element {
  const { model, host } = props;
  const [version, setVersion] = useState(model.version);
  useEffect(() => {
    const onChange = () => setVersion(model.version);
    model.changed.connect(onChange);
    setVersion(model.version);
    return () => {
      model.changed.disconnect(onChange);
    };
  }, [model]);
  return (
    <RunPage
      model={model}
      version={version}
      themeVersion={props.themeVersion}
      renderCode={props.renderCode}
      onOpenModel={host.openModel}
      onOpenDataset={host.openDataset}
      onDelete={() =>
        void host.confirmDelete(model).then(ok => (ok ? model.delete() : false))
      }
    />
  );
}

/** A run page's content: loads once it is laid out and knows its width. */
export class RunPageContent extends ReactWidget {
  constructor(
    readonly model: RunPageModel,
    private readonly _host: IRunPageHost
  ) {
    super();
    this.addClass('jp-MLHub-panel');
    this.addClass('jp-MLHubRun-content');
    this._renderCode = _host.editorServices ? editorRenderer(_host.editorServices) : undefined;
  }

  /** Rebuild the charts with the colours of the theme now in force. */
  themeChanged(): void {
    this._themeVersion++;
    this.update();
  }

  dispose(): void {
    this.model.dispose();
    super.dispose();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.model.setVisible(true);
    this._start();
    requestAnimationFrame(() => this._start(true));
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.model.setVisible(false);
  }

  protected onResize(msg: Widget.ResizeMessage): void {
    super.onResize(msg);
    this._start();
  }

  private _start(force = false): void {
    if (this._started || !this.isVisible || (this.node.clientWidth <= 0 && !force)) {
      return;
    }
    this._started = true;
    // Charts sit two to a row on a wide page: one point per device pixel of one chart.
    const width = Math.max(this.node.clientWidth - CONTENT_PADDING, 200);
    const chart = width > 900 ? width / 2 : width;
    void this.model.load(Math.round(chart * Math.min(window.devicePixelRatio || 1, 2)));
  }

  protected render(): JSX.Element {
    return (
      <ConnectedRunPage
        model={this.model}
        host={this._host}
        themeVersion={this._themeVersion}
        renderCode={this._renderCode}
      />
    );
  }

  private readonly _renderCode: CodeRenderer | undefined;
  private _started = false;
  private _themeVersion = 0;
}

/** A main-area tab showing run `runId`. */
export function createRunWidget(
  runId: string,
  host: IRunPageHost
): MainAreaWidget<RunPageContent> {
  const content = new RunPageContent(new RunPageModel(runId), host);
  const widget = new MainAreaWidget({ content });
  widget.id = `mlhub-run-${runId}`;
  widget.title.label = `Run ${runId.slice(0, 8)}`;
  widget.title.caption = `Run ${runId}`;
  widget.title.icon = experimentsIcon;
  widget.title.closable = true;
  widget.addClass('jp-MLHubRun-widget');
  // The tab learns the run's name once it is loaded, and follows renames.
  content.model.changed.connect(model => {
    const run = model.run;
    if (run) {
      widget.title.label = `Run ${run.name}`;
      widget.title.caption = `Run ${run.name} (${run.id}) in ${run.project}`;
    }
  });
  content.model.deletedSignal.connect(() => widget.dispose());
  return widget;
}
