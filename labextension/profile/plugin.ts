/**
 * The profile plugin: one main-area tab (command `mlhub:open-profile`, in the palette) with who the caller is, their projects, datasets and models with sizes,
 * what others shared with them, and their API tokens; restored after a page reload.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Clipboard,
  Dialog,
  ICommandPalette,
  MainAreaWidget,
  showDialog,
  WidgetTracker
} from '@jupyterlab/apputils';

import { mlhubIcon } from '../icon';
import { IApiToken, IHolding } from './types';
import { createProfileWidget, IProfileHost, ProfileContent } from './widget';

export const COMMAND_OPEN_PROFILE = 'mlhub:open-profile';

async function confirmRevoke(token: IApiToken): Promise<boolean> {
  const answer = await showDialog({
    title: 'Revoke token?',
    body:
      `Revoke API token "${token.name}" (${token.prefix}…)? ` +
      'Scripts using it get 401 from now on. This cannot be undone.',
    buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Revoke' })]
  });
  return answer.button.accept;
}

async function copy(value: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(value);
    return true;
  } catch {
    // Without clipboard permission (or on http), the lab's own copy still works.
    Clipboard.copyToSystem(value);
    return true;
  }
}

export const profilePlugin: JupyterFrontEndPlugin<void> = {
  id: 'mlhub-ext:profile',
  description: 'The ML Hub profile: identity, owned and shared work, API tokens.',
  autoStart: true,
  optional: [ICommandPalette, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null
  ): void => {
    const tracker = new WidgetTracker<MainAreaWidget<ProfileContent>>({ namespace: 'mlhub-profile' });
    const host: IProfileHost = {
      confirmRevoke,
      copy,
      open: (item: IHolding) => {
        const command = {
          project: 'mlhub:open-experiments',
          dataset: 'mlhub:open-dataset',
          model: 'mlhub:open-model'
        }[item.kind];
        void app.commands.execute(command, { name: item.name, project: item.name });
      }
    };

    app.commands.addCommand(COMMAND_OPEN_PROFILE, {
      label: 'ML Hub Profile',
      caption: 'Your ML Hub profile: projects, datasets and models with sizes, what is shared with you, API tokens',
      icon: mlhubIcon,
      execute: () => {
        let widget = tracker.find(() => true);
        if (!widget || widget.isDisposed) {
          widget = createProfileWidget(host);
          void tracker.add(widget);
          app.shell.add(widget, 'main');
        } else {
          void widget.content.model.refresh();
        }
        app.shell.activateById(widget.id);
        return widget;
      }
    });
    palette?.addItem({ command: COMMAND_OPEN_PROFILE, category: 'ML Hub' });
    void restorer?.restore(tracker, {
      command: COMMAND_OPEN_PROFILE,
      name: () => 'profile'
    });
  }
};
