/**
 * ML Hub lab extension: a left-sidebar panel listing the registry's projects and their
 * latest runs, and a command-palette entry that opens it.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';

import { bokehThemePlugin } from './bokehTheme';
import { datasetsPlugin } from './datasets/plugin';
import { modelsPlugin } from './models/plugin';
import { experimentsPlugin } from './experiments/plugin';
import { runPagePlugin } from './experiments/runPlugin';
import { sharePlugin } from './share/plugin';
import { profilePlugin } from './profile/plugin';
import { mlhubIcon } from './icon';
import { MLHubModel } from './model';
import { IMLHubModel } from './tokens';
import { MLHubSidebar, SIDEBAR_ID } from './widget';

export { MLHubRequestError, requestAPI } from './request';
export * from './tokens';

const COMMAND_OPEN = 'mlhub:open-sidebar';

const plugin: JupyterFrontEndPlugin<IMLHubModel> = {
  id: 'mlhub-ext:sidebar',
  description: 'The ML Hub sidebar: projects and their latest runs.',
  autoStart: true,
  provides: IMLHubModel,
  optional: [ICommandPalette, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null
  ): IMLHubModel => {
    const model = new MLHubModel();
    const sidebar = new MLHubSidebar(model);
    app.shell.add(sidebar, 'left', { rank: 900 });
    restorer?.add(sidebar, SIDEBAR_ID);

    app.commands.addCommand(COMMAND_OPEN, {
      label: 'Open ML Hub',
      caption: 'Show the ML Hub sidebar with projects and runs',
      icon: mlhubIcon,
      execute: () => {
        app.shell.activateById(SIDEBAR_ID);
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
  datasetsPlugin,
  modelsPlugin,
  sharePlugin,
  profilePlugin,
  bokehThemePlugin
];
