/**
 * The run page plugin: one main-area tab per run, opened by `mlhub:open-run` (args
 * `{run: id}`; without them it asks for an id), by clicking a run anywhere (views
 * dispatch {@link OPEN_RUN_EVENT}), by a lab URL with `?mlhub-run=<id>` (the `run.url`
 * of `mlhub_ext.wandb`), and restored after a page reload.
 */
import {
  ILayoutRestorer,
  IRouter,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Dialog,
  ICommandPalette,
  InputDialog,
  IThemeManager,
  MainAreaWidget,
  showDialog,
  WidgetTracker
} from '@jupyterlab/apputils';
import { IEditorServices } from '@jupyterlab/codeeditor';

import { OPEN_RUN_EVENT } from './events';
import { RunPageModel } from './runPageModel';
import { createRunWidget, IRunPageHost, RunPageContent } from './runWidgets';
import { experimentsIcon } from './widgets';

export const COMMAND_OPEN_RUN = 'mlhub:open-run';
/** Run by the lab's router for a URL whose query has `mlhub-run=<id>`. */
const COMMAND_OPEN_RUN_URL = 'mlhub:open-run-from-url';
/** The query parameter of a run's lab URL: `<server>/lab?mlhub-run=<id>`. */
export const RUN_URL_PARAM = 'mlhub-run';

/** Run ids are 32 hex digits; a pasted id may carry spaces. */
function runIdArg(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

async function confirmDelete(model: RunPageModel): Promise<boolean> {
  const run = model.run;
  const name = run ? `${run.name} (${run.project})` : model.runId;
  const answer = await showDialog({
    title: 'Delete run?',
    body:
      `Delete run ${name} with its params, metrics and artifacts? ` +
      'Model versions trained in it stay. This cannot be undone.',
    buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Delete' })]
  });
  return answer.button.accept;
}

export const runPagePlugin: JupyterFrontEndPlugin<void> = {
  id: 'mlhub-ext:run-page',
  description: 'A page for each run: overview, metrics, provenance, artifacts, links and actions.',
  autoStart: true,
  optional: [ICommandPalette, ILayoutRestorer, IThemeManager, IEditorServices, IRouter],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    themes: IThemeManager | null,
    editorServices: IEditorServices | null,
    router: IRouter | null
  ): void => {
    const tracker = new WidgetTracker<MainAreaWidget<RunPageContent>>({
      namespace: 'mlhub-run'
    });
    const host: IRunPageHost = {
      confirmDelete,
      editorServices,
      openModel: (name, version) =>
        void app.commands.execute('mlhub:open-model', { name, version }),
      openDataset: name => void app.commands.execute('mlhub:open-dataset', { name })
    };

    const open = (runId: string): MainAreaWidget<RunPageContent> => {
      let widget = tracker.find(w => w.content.model.runId === runId);
      if (!widget || widget.isDisposed) {
        widget = createRunWidget(runId, host);
        void tracker.add(widget);
        app.shell.add(widget, 'main');
      }
      app.shell.activateById(widget.id);
      return widget;
    };

    themes?.themeChanged.connect(() => tracker.forEach(w => w.content.themeChanged()));
    void restorer?.restore(tracker, {
      command: COMMAND_OPEN_RUN,
      args: widget => ({ run: widget.content.model.runId }),
      name: widget => widget.content.model.runId
    });

    app.commands.addCommand(COMMAND_OPEN_RUN, {
      label: args => {
        const id = runIdArg(args.run);
        return id ? `Open Run ${id.slice(0, 8)}` : 'Open Run…';
      },
      caption: 'Open the page of a run (args.run: its id; asked for without it)',
      icon: experimentsIcon,
      describedBy: {
        args: {
          type: 'object',
          properties: { run: { type: 'string', description: 'the run id (32 hex digits)' } }
        }
      },
      execute: async args => {
        let id = runIdArg(args.run);
        if (id === null) {
          const answer = await InputDialog.getText({
            title: 'Open Run',
            label: 'Run id',
            placeholder: 'e.g. 3f2a… (shown on hover in the Experiments sidebar)'
          });
          id = answer.button.accept ? runIdArg(answer.value) : null;
        }
        return id === null ? undefined : open(id);
      }
    });
    palette?.addItem({ command: COMMAND_OPEN_RUN, category: 'ML Hub' });

    if (router) {
      app.commands.addCommand(COMMAND_OPEN_RUN_URL, {
        label: 'Open the run named in the URL',
        execute: async args => {
          const search = (args as IRouter.ILocation).search ?? '';
          const id = runIdArg(new URLSearchParams(search).get(RUN_URL_PARAM));
          if (id !== null) {
            await app.restored;
            open(id);
          }
        }
      });
      router.register({
        command: COMMAND_OPEN_RUN_URL,
        pattern: new RegExp(`[?&]${RUN_URL_PARAM}=`),
        rank: 100
      });
    }

    // Views without the app's commands announce a click on a run on the page.
    document.body.addEventListener(OPEN_RUN_EVENT, event => {
      const run = runIdArg((event as CustomEvent<{ run?: unknown }>).detail?.run);
      if (run !== null) {
        void app.commands.execute(COMMAND_OPEN_RUN, { run });
      }
    });
  }
};
