/**
 * The home plugin: one main-area tab (`mlhub:open-home`, in the launcher and the command
 * palette, and behind the Home button at the top of every ML Hub sidebar), restored after
 * a reload and opened by itself on a user's first load of the lab.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { PageConfig } from '@jupyterlab/coreutils';
import { ILauncher } from '@jupyterlab/launcher';
import { IStateDB } from '@jupyterlab/statedb';

import { mlhubIcon } from '../icon';
import { OpenTarget } from './components/HomePage';
import { OPEN_HOME_EVENT } from './events';
import { createHomeWidget, HomeContent, IHomeHost } from './widget';

export const COMMAND_OPEN_HOME = 'mlhub:open-home';
const COMMAND_OPEN_PROFILE = 'mlhub:open-profile';
/** The lab state key that records the home was opened once (then no longer by itself). */
export const FIRST_LOAD_KEY = 'mlhub-ext:home-first-load';

export const homePlugin: JupyterFrontEndPlugin<void> = {
  id: 'mlhub-ext:home',
  description: 'The ML Hub home: counts, runs per day, my running work, recent activity, shared with me.',
  autoStart: true,
  optional: [ICommandPalette, ILayoutRestorer, ILauncher, IStateDB],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    launcher: ILauncher | null,
    state: IStateDB | null
  ): void => {
    const tracker = new WidgetTracker<MainAreaWidget<HomeContent>>({ namespace: 'mlhub-home' });
    const commands = app.commands;
    const host: IHomeHost = {
      open: (target: OpenTarget) => {
        switch (target.kind) {
          case 'run':
            void commands.execute('mlhub:open-run', { run: target.id });
            break;
          case 'project':
            void commands.execute('mlhub:open-experiments', { project: target.name });
            break;
          case 'dataset':
            void commands.execute('mlhub:open-dataset', { name: target.name });
            break;
          case 'model':
            void commands.execute(
              'mlhub:open-model',
              target.version === undefined ? { name: target.name } : { name: target.name, version: target.version }
            );
            break;
        }
      },
      // The profile plugin may be absent (or load later): looked up when the page renders.
      get openProfile() {
        return commands.hasCommand(COMMAND_OPEN_PROFILE)
          ? () => void commands.execute(COMMAND_OPEN_PROFILE)
          : null;
      }
    };

    commands.addCommand(COMMAND_OPEN_HOME, {
      label: 'ML Hub Home',
      caption: 'Your ML Hub overview: counts, runs per day, running runs and jobs, recent activity',
      icon: mlhubIcon,
      execute: () => {
        let widget = tracker.find(w => !w.isDisposed);
        if (!widget) {
          widget = createHomeWidget(host);
          void tracker.add(widget);
          app.shell.add(widget, 'main');
        } else {
          void widget.content.model.refresh();
        }
        app.shell.activateById(widget.id);
        return widget;
      }
    });
    palette?.addItem({ command: COMMAND_OPEN_HOME, category: 'ML Hub' });
    launcher?.add({ command: COMMAND_OPEN_HOME, category: 'ML Hub', rank: 0 });
    void restorer?.restore(tracker, { command: COMMAND_OPEN_HOME, name: () => 'home' });

    // The Home button at the top of each sidebar.
    document.addEventListener(OPEN_HOME_EVENT, () => void commands.execute(COMMAND_OPEN_HOME));

    // A new user's first session lands on the home; later loads keep their own layout.
    if (state && String(PageConfig.getOption('mlhubOpenHomeOnFirstLoad')) === 'true') {
      void app.restored.then(async () => {
        const seen = await state.fetch(FIRST_LOAD_KEY);
        if (!seen) {
          await commands.execute(COMMAND_OPEN_HOME);
          await state.save(FIRST_LOAD_KEY, { opened_at: new Date().toISOString() });
        }
      });
    }
  }
};
