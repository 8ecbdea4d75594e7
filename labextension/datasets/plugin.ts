/**
 * The Datasets plugin: a left-sidebar tab with the catalogue (search, upload by button or
 * drag-and-drop with progress), a dataset view in the main area, "Insert code to load"
 * into the last active notebook, and "Register as Dataset" in the file browser's menu.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget, showErrorMessage, WidgetTracker } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { insertCode as insertCodeInto, RecentNotebooks } from '../components/insertCode';
import { requestFile } from '../request';
import { loadCode } from './components/format';
import { DatasetsModel } from './model';
import { createDatasetWidget, DatasetContent, DATASETS_ID, datasetsIcon, DatasetsSidebar } from './widgets';

export const COMMAND_OPEN_DATASETS = 'mlhub:open-datasets';
export const COMMAND_OPEN_DATASET = 'mlhub:open-dataset';
export const COMMAND_REGISTER_FILE = 'mlhub:register-dataset';

/** The file browser's selected files, read from the widget the lab shows in the left area. */
function selectedPaths(app: JupyterFrontEnd): Array<{ path: string; type: string }> {
  const shell = app.shell as unknown as { widgets?: (area: string) => Iterable<Widget> };
  for (const widget of shell.widgets?.('left') ?? []) {
    const browser = widget as unknown as { selectedItems?: () => Iterable<{ path: string; type: string }> };
    if (widget.id === 'filebrowser' && typeof browser.selectedItems === 'function') {
      return Array.from(browser.selectedItems());
    }
  }
  return [];
}

export const datasetsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'mlhub-ext:datasets',
  description: 'Datasets sidebar, dataset view and "Register as Dataset" in the file browser.',
  autoStart: true,
  optional: [ICommandPalette, ILayoutRestorer],
  activate: (app: JupyterFrontEnd, palette: ICommandPalette | null, restorer: ILayoutRestorer | null): void => {
    const model = new DatasetsModel();
    const views = new Map<string, MainAreaWidget<DatasetContent>>();
    const notebooks = new RecentNotebooks(app.shell);
    const insertCode = (name: string, version: number): void => {
      void insertCodeInto(app.shell, notebooks, loadCode(name, version));
    };

    // Dataset tabs come back after a page reload, by dataset name.
    const tracker = new WidgetTracker<MainAreaWidget<DatasetContent>>({ namespace: 'mlhub-dataset' });
    void restorer?.restore(tracker, {
      command: COMMAND_OPEN_DATASET,
      args: widget => ({ name: widget.content.datasetName }),
      name: widget => widget.content.datasetName
    });

    const open = (name: string): void => {
      let widget = views.get(name);
      if (!widget || widget.isDisposed) {
        widget = createDatasetWidget(name, insertCode, () => void model.refresh());
        views.set(name, widget);
        widget.disposed.connect(() => views.delete(name));
        void tracker.add(widget);
        app.shell.add(widget, 'main');
      }
      app.shell.activateById(widget.id);
    };
    model.registered.connect((_, version) => views.get(version.dataset)?.content.reload());
    model.openRequested.connect((_, version) => open(version.dataset));

    const sidebar = new DatasetsSidebar(model, d => open(d.name));
    app.shell.add(sidebar, 'left', { rank: 905 });
    restorer?.add(sidebar, DATASETS_ID);

    app.commands.addCommand(COMMAND_OPEN_DATASETS, {
      label: 'Open Datasets',
      caption: 'Show the datasets you may read; upload by dropping files on the panel',
      icon: datasetsIcon,
      execute: () => {
        app.shell.activateById(DATASETS_ID);
        return model.refresh();
      }
    });
    app.commands.addCommand(COMMAND_OPEN_DATASET, {
      label: args => `Open Dataset ${String(args.name ?? '')}`.trim(),
      caption: 'Open a dataset (args.name) in the main area',
      execute: args => open(String(args.name))
    });
    app.commands.addCommand(COMMAND_REGISTER_FILE, {
      label: 'Register as Dataset',
      caption: 'Upload the selected file(s) to ML Hub as a dataset, with the options of the Upload form',
      icon: datasetsIcon,
      execute: async args => {
        const given = typeof args.path === 'string' ? [{ path: args.path, type: 'file' }] : selectedPaths(app);
        const files = given.filter(item => item.type !== 'directory');
        if (files.length === 0) {
          void showErrorMessage(
            'Register as Dataset',
            'Select one or more files (a folder of images can be zipped first, or registered ' +
              'from a notebook with mh.datasets.upload(folder)).'
          );
          return;
        }
        app.shell.activateById(DATASETS_ID);
        const blobs = [];
        for (const item of files) {
          blobs.push({ blob: await requestFile(item.path), name: item.path.split('/').pop() ?? item.path });
        }
        // The Upload form in the sidebar takes name, description, tags, new version and sheet;
        // each dataset it registers opens (see openRequested below).
        model.stage(blobs, true);
      }
    });
    app.contextMenu.addItem({
      command: COMMAND_REGISTER_FILE,
      selector: '.jp-DirListing-item[data-isdir="false"]',
      rank: 60
    });
    palette?.addItem({ command: COMMAND_OPEN_DATASETS, category: 'ML Hub' });
  }
};
