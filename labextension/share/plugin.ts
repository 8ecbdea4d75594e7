/**
 * The Share plugin: the command `mlhub:share-project` (argument `project`) opening the
 * Share dialog, reached from each project card's Share button in the ML Hub sidebar and
 * from the card's context menu.
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';

import { IMLHubModel } from '../tokens';
import { openShareDialog } from './dialog';
import { SHARE_EVENT } from './events';

export const COMMAND_SHARE_PROJECT = 'mlhub:share-project';

const CARD_SELECTOR = '.jp-MLHub-project[data-project]';

export const sharePlugin: JupyterFrontEndPlugin<void> = {
  id: 'mlhub-ext:share',
  description: 'Share dialog: members, roles and visibility of an ML Hub project.',
  autoStart: true,
  optional: [IMLHubModel],
  activate: (app: JupyterFrontEnd, model: IMLHubModel | null): void => {
    // The card under the pointer when the command runs from the context menu.
    const cardProject = (): string | undefined =>
      app.contextMenuHitTest(node => node.matches(CARD_SELECTOR))?.dataset.project;

    app.commands.addCommand(COMMAND_SHARE_PROJECT, {
      label: 'Share Project…',
      caption: 'See and change who has access to an ML Hub project',
      describedBy: {
        args: {
          type: 'object',
          properties: { project: { type: 'string', description: 'project name' } }
        }
      },
      isEnabled: args => typeof args.project === 'string' || cardProject() !== undefined,
      execute: args => {
        const project = typeof args.project === 'string' ? args.project : cardProject();
        if (project === undefined) {
          return;
        }
        return openShareDialog(project, () => void model?.refresh());
      }
    });
    app.contextMenu.addItem({
      command: COMMAND_SHARE_PROJECT,
      selector: CARD_SELECTOR,
      rank: 10
    });

    // Project cards know nothing of commands; they announce the click on the page.
    document.body.addEventListener(SHARE_EVENT, event => {
      const project = (event as CustomEvent<{ project?: unknown }>).detail?.project;
      if (typeof project === 'string') {
        void app.commands.execute(COMMAND_SHARE_PROJECT, { project });
      }
    });
  }
};
