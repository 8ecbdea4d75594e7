/**
 * The Models plugin: a left-sidebar tab with the catalogue, counts and jobs; a model view
 * per model in the main area; and the "Train model" form, with the commands
 * `mlhub:open-models`, `mlhub:open-model`, `mlhub:train-model` and `mlhub:import-model-card`.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, IThemeManager, MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';

import { importCardDialog } from './components/ImportCard';
import { ModelsModel } from './model';
import {
  createModelWidget,
  createTrainWidget,
  IModelsOpeners,
  ModelContent,
  MODELS_ID,
  modelsIcon,
  ModelsSidebar,
  TrainContent
} from './widgets';

export const COMMAND_OPEN_MODELS = 'mlhub:open-models';
export const COMMAND_OPEN_MODEL = 'mlhub:open-model';
export const COMMAND_TRAIN_MODEL = 'mlhub:train-model';
export const COMMAND_IMPORT_CARD = 'mlhub:import-model-card';

export const modelsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'mlhub-ext:models',
  description: 'Models sidebar, model view (stages, evaluation, inferences) and the Train model form.',
  autoStart: true,
  optional: [ICommandPalette, ILayoutRestorer, IThemeManager],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    themes: IThemeManager | null
  ): void => {
    const model = new ModelsModel();
    const views = new Map<string, MainAreaWidget<ModelContent>>();
    // Model tabs come back after a page reload, by model name.
    const tracker = new WidgetTracker<MainAreaWidget<ModelContent>>({ namespace: 'mlhub-model' });
    void restorer?.restore(tracker, {
      command: COMMAND_OPEN_MODEL,
      args: widget => ({ name: widget.content.modelName }),
      name: widget => widget.content.modelName
    });
    let train: MainAreaWidget<TrainContent> | null = null;

    const open: IModelsOpeners = {
      openModel: (name, version) => {
        let widget = views.get(name);
        if (!widget || widget.isDisposed) {
          widget = createModelWidget(name, version, prefill => open.openTrain(prefill));
          views.set(name, widget);
          widget.disposed.connect(() => views.delete(name));
          void tracker.add(widget);
          app.shell.add(widget, 'main');
        } else {
          widget.content.reload(version);
        }
        app.shell.activateById(widget.id);
      },
      openTrain: prefill => {
        if (!train || train.isDisposed) {
          train = createTrainWidget(model, open);
          app.shell.add(train, 'main');
        }
        if (prefill) {
          train.content.prefill(prefill);
        }
        app.shell.activateById(train.id);
      },
      importCard: () => {
        void importCardDialog().then(got => {
          if (got) {
            void model.refresh();
            open.openModel(got.model.name, got.version.version);
          }
        });
      }
    };

    // A finished job may have added a version (train) or an evaluation: reload its view.
    model.jobFinished.connect((_, job) => {
      if (job.model) {
        views.get(job.model)?.content.reload();
      }
    });
    themes?.themeChanged.connect(() => views.forEach(w => w.content.themeChanged()));

    const sidebar = new ModelsSidebar(model, open);
    app.shell.add(sidebar, 'left', { rank: 907 });
    restorer?.add(sidebar, MODELS_ID);

    app.commands.addCommand(COMMAND_OPEN_MODELS, {
      label: 'Open Models',
      caption: 'Show the model catalogue, its counts and running jobs',
      icon: modelsIcon,
      execute: () => {
        app.shell.activateById(MODELS_ID);
        return model.refresh();
      }
    });
    app.commands.addCommand(COMMAND_OPEN_MODEL, {
      label: args => `Open Model ${String(args.name ?? '')}`.trim(),
      caption: 'Open a model (args.name, optionally args.version) in the main area',
      execute: args =>
        open.openModel(String(args.name), typeof args.version === 'number' ? args.version : undefined)
    });
    app.commands.addCommand(COMMAND_TRAIN_MODEL, {
      label: 'Train Model',
      caption: 'Train a model on a dataset on the Dask cluster',
      icon: modelsIcon,
      execute: () => open.openTrain()
    });
    palette?.addItem({ command: COMMAND_OPEN_MODELS, category: 'ML Hub' });
    app.commands.addCommand(COMMAND_IMPORT_CARD, {
      label: 'Import Model Card',
      caption: 'Catalogue a model from its Hugging Face model card (README.md), with no weights',
      icon: modelsIcon,
      execute: () => open.importCard()
    });
    palette?.addItem({ command: COMMAND_TRAIN_MODEL, category: 'ML Hub' });
    palette?.addItem({ command: COMMAND_IMPORT_CARD, category: 'ML Hub' });
  }
};
