/**
 * The runs table plugin: one main-area tab per project (`mlhub:open-runs-table`, args
 * `{project}`), opened from the Experiments sidebar's "Table" button (a DOM event),
 * restored after a page reload. Its Compare opens the compare view of the selection.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, InputDialog, MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';

import { experimentsIcon } from '../widgets';
import { OPEN_RUNS_TABLE_EVENT } from './events';
import { createRunsTableWidget, RunsTableContent } from './widget';

export const COMMAND_OPEN_RUNS_TABLE = 'mlhub:open-runs-table';

function projectArg(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

export const runsTablePlugin: JupyterFrontEndPlugin<void> = {
  id: 'mlhub-ext:runs-table',
  description: 'A project\'s runs as a table, parallel coordinates and parameter importance.',
  autoStart: true,
  optional: [ICommandPalette, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null
  ): void => {
    const tracker = new WidgetTracker<MainAreaWidget<RunsTableContent>>({
      namespace: 'mlhub-runs-table'
    });
    const compare = (ids: string[]) =>
      void app.commands.execute('mlhub:compare-runs', { runs: ids });

    const open = (project: string): MainAreaWidget<RunsTableContent> => {
      let widget = tracker.find(w => !w.isDisposed && w.content.model.project === project);
      if (!widget) {
        widget = createRunsTableWidget(project, compare);
        void tracker.add(widget);
        app.shell.add(widget, 'main');
      }
      app.shell.activateById(widget.id);
      return widget;
    };

    void restorer?.restore(tracker, {
      command: COMMAND_OPEN_RUNS_TABLE,
      args: widget => ({ project: widget.content.model.project }),
      name: widget => widget.content.model.project
    });

    app.commands.addCommand(COMMAND_OPEN_RUNS_TABLE, {
      label: args => {
        const project = projectArg(args.project);
        return project ? `Open Runs Table of ${project}` : 'Open Runs Table…';
      },
      caption: 'A project\'s runs as a table (args.project: its name; asked for without it)',
      icon: experimentsIcon,
      execute: async args => {
        let project = projectArg(args.project);
        if (project === null) {
          const answer = await InputDialog.getText({ title: 'Open Runs Table', label: 'Project' });
          project = answer.button.accept ? projectArg(answer.value) : null;
        }
        return project === null ? undefined : open(project);
      }
    });
    palette?.addItem({ command: COMMAND_OPEN_RUNS_TABLE, category: 'ML Hub' });

    document.body.addEventListener(OPEN_RUNS_TABLE_EVENT, event => {
      const project = projectArg((event as CustomEvent<{ project?: unknown }>).detail?.project);
      if (project !== null) {
        void app.commands.execute(COMMAND_OPEN_RUNS_TABLE, { project });
      }
    });
  }
};
