/**
 * ML Hub lab extension. This plugin holds the registry overview model (projects and their
 * latest runs, shown in the Experiments sidebar's Projects view) and the "Open ML Hub"
 * command; the left bar holds one panel per concern: Experiments, Datasets, Models.
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';

import { bokehLoaderPlugin } from './bokehLoader';
import { bokehThemePlugin } from './bokehTheme';
import { datasetsPlugin } from './datasets/plugin';
import { modelsPlugin } from './models/plugin';
import { experimentsPlugin } from './experiments/plugin';
import { runPagePlugin } from './experiments/runPlugin';
import { runsTablePlugin } from './experiments/runsTable/plugin';
import { sharePlugin } from './share/plugin';
import { profilePlugin } from './profile/plugin';
import { homePlugin } from './home/plugin';
import { mlhubIcon } from './icon';
import { MLHubModel } from './model';
import { IMLHubModel } from './tokens';

export { MLHubRequestError, requestAPI } from './request';
export * from './tokens';

const COMMAND_OPEN = 'mlhub:open-sidebar';

const plugin: JupyterFrontEndPlugin<IMLHubModel> = {
  id: 'mlhub-ext:sidebar',
  description: 'The ML Hub registry overview: projects and their latest runs.',
  autoStart: true,
  provides: IMLHubModel,
  optional: [ICommandPalette],
  activate: (app: JupyterFrontEnd, palette: ICommandPalette | null): IMLHubModel => {
    const model = new MLHubModel();

    app.commands.addCommand(COMMAND_OPEN, {
      label: 'Open ML Hub',
      caption: 'Show the projects and their latest runs (the Experiments sidebar\'s Projects view)',
      icon: mlhubIcon,
      execute: async () => {
        await app.commands.execute('mlhub:open-experiments', { view: 'projects' });
        return model.refresh();
      }
    });
    palette?.addItem({ command: COMMAND_OPEN, category: 'ML Hub' });
    return model;
  }
};

export default [
  plugin,
  experimentsPlugin,
  runPagePlugin,
  runsTablePlugin,
  datasetsPlugin,
  modelsPlugin,
  sharePlugin,
  profilePlugin,
  homePlugin,
  bokehLoaderPlugin,
  bokehThemePlugin
];
