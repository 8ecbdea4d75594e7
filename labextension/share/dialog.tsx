/** The Share dialog: {@link SharePanel} in JupyterLab's modal dialog. */
import { Dialog } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import React from 'react';

import { ShareModel } from './model';
import { SharePanel } from './SharePanel';

const ADD_FORM = '.jp-MLHub-shareAdd';

/**
 * A dialog in which Enter in the "add a member" form submits that form. JupyterLab's
 * dialog takes Enter in any text field (in a capturing listener) as "accept and close",
 * which would close the dialog instead of adding the person just typed.
 */
class ShareDialog extends Dialog<unknown> {
  handleEvent(event: Event): void {
    if (
      event.type === 'keydown' &&
      (event as KeyboardEvent).key === 'Enter' &&
      event.target instanceof Element &&
      event.target.closest(ADD_FORM) !== null
    ) {
      return;
    }
    super.handleEvent(event);
  }
}

/**
 * Show who has access to `project` and, for its owner and managers, change it.
 * Resolves when the dialog is closed.
 *
 * @param onChanged - called after each change the registry accepted
 */
export async function openShareDialog(
  project: string,
  onChanged?: () => void
): Promise<void> {
  const model = new ShareModel(project, { onChanged });
  void model.refresh();
  const body = ReactWidget.create(<SharePanel model={model} />);
  body.addClass('jp-MLHub-shareBody');
  const dialog = new ShareDialog({
    title: `Share ${project}`,
    body,
    buttons: [Dialog.okButton({ label: 'Done' })],
    hasClose: true
  });
  dialog.addClass('jp-MLHub-shareDialog');
  try {
    await dialog.launch();
  } finally {
    model.dispose();
  }
}
