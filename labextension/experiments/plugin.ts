/**
 * The Experiments plugin: a left-sidebar tab listing a project's runs (searched,
 * sorted and paged by the server) and a compare view in the main area, with the
 * commands `mlhub:open-experiments` and `mlhub:compare-runs`.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  IThemeManager,
  MainAreaWidget,
  WidgetTracker
} from '@jupyterlab/apputils';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { IMLHubModel, IRun } from '../tokens';
import { ExperimentsModel } from './runsModel';
import {
  CompareContent,
  createCompareWidget,
  EXPERIMENTS_ID,
  experimentsIcon,
  ExperimentsSidebar
} from './widgets';

export const COMMAND_OPEN_EXPERIMENTS = 'mlhub:open-experiments';
export const COMMAND_COMPARE_RUNS = 'mlhub:compare-runs';

export const experimentsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'mlhub-ext:experiments',
  description: 'Experiments sidebar and run compare view with live curves.',
  autoStart: true,
  optional: [ICommandPalette, ILayoutRestorer, IThemeManager, IMLHubModel],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    themes: IThemeManager | null,
    projects: IMLHubModel | null
  ): void => {
    const model = new ExperimentsModel();
    const tracker = new WidgetTracker<MainAreaWidget<CompareContent>>({
      namespace: 'mlhub-compare'
    });

    // One Compare tab: a later Compare shows its runs in the same tab.
    const compare = (
      runs: Array<Pick<IRun, 'id' | 'name'>>
    ): MainAreaWidget<CompareContent> => {
      let widget = tracker.find(w => !w.isDisposed);
      if (widget) {
        widget.content.setRuns(runs.map(r => r.id));
        void tracker.save(widget);
      } else {
        widget = createCompareWidget(runs);
        void tracker.add(widget);
        app.shell.add(widget, 'main');
      }
      app.shell.activateById(widget.id);
      return widget;
    };

    const sidebar = new ExperimentsSidebar(model, runs => compare(runs), projects);
    app.shell.add(sidebar, 'left', { rank: 910 });
    restorer?.add(sidebar, EXPERIMENTS_ID);
    themes?.themeChanged.connect(() => tracker.forEach(w => w.content.themeChanged()));
    // Compare tabs come back after a page reload, by their run ids.
    void restorer?.restore(tracker, {
      command: COMMAND_COMPARE_RUNS,
      args: widget => ({ runs: widget.content.model.runIds }),
      name: widget => widget.content.model.runIds.join(',')
    });

    app.commands.addCommand(COMMAND_OPEN_EXPERIMENTS, {
      label: 'Open Experiments',
      caption:
        'Show projects and their runs (args.project: that project\'s runs; args.view: "projects" or "runs")',
      icon: experimentsIcon,
      execute: args => {
        app.shell.activateById(EXPERIMENTS_ID);
        if (typeof args.project === 'string' && args.project) {
          return sidebar.showProject(args.project);
        }
        if (args.view === 'projects' || args.view === 'runs') {
          sidebar.setView(args.view);
        }
        return model.refresh();
      }
    });

    app.commands.addCommand(COMMAND_COMPARE_RUNS, {
      label: args =>
        runIdsArg(args).length
          ? `Compare ${runIdsArg(args).length} Runs`
          : 'Compare Selected Runs',
      caption: 'Open the selected runs (or args.runs: run ids) side by side',
      icon: experimentsIcon,
      isEnabled: args => runIdsArg(args).length > 0 || model.selectedRuns.length > 0,
      execute: args => {
        const ids = runIdsArg(args);
        return compare(
          ids.length ? ids.map(id => ({ id, name: id.slice(0, 8) })) : model.selectedRuns
        );
      }
    });
    model.selectionChanged.connect(() =>
      app.commands.notifyCommandChanged(COMMAND_COMPARE_RUNS)
    );

    palette?.addItem({ command: COMMAND_OPEN_EXPERIMENTS, category: 'ML Hub' });
    palette?.addItem({ command: COMMAND_COMPARE_RUNS, category: 'ML Hub' });
  }
};

/** `args.runs`: run ids given by a caller (another extension, a keyboard binding). */
function runIdsArg(args: ReadonlyPartialJSONObject): string[] {
  const runs = args.runs;
  return Array.isArray(runs) ? runs.filter((r): r is string => typeof r === 'string') : [];
}
