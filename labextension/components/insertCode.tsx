/**
 * "Insert code": put a snippet into the notebook the user works in, or, with no notebook
 * open, show it in a dialog with a Copy button. The target is the current notebook, else
 * the most recently focused one still open, else any notebook open in the main area (one
 * restored after a reload in a background tab, never focused yet).
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Clipboard, Dialog, showDialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';
import React from 'react';

/** The parts of a notebook panel used to insert a cell (no dependency on @jupyterlab/notebook). */
export interface INotebookLike extends Widget {
  content: {
    activeCellIndex: number;
    model: { sharedModel: { insertCell(index: number, cell: { cell_type: string; source: string }): void } } | null;
  };
}

export function asNotebook(widget: Widget | null | undefined): INotebookLike | null {
  const nb = widget as INotebookLike | null | undefined;
  return nb && !nb.isDisposed && typeof nb.content?.model?.sharedModel?.insertCell === 'function' ? nb : null;
}

/** Notebooks in the order they were last current, most recent first. */
export class RecentNotebooks {
  constructor(private readonly _shell: JupyterFrontEnd.IShell) {
    this._note(_shell.currentWidget);
    const shell = _shell as unknown as {
      currentChanged?: { connect: (fn: (sender: unknown, args: { newValue: Widget | null }) => void) => void };
    };
    shell.currentChanged?.connect((_, args) => this._note(args.newValue));
  }

  /** The notebook to insert into, or null when none is open. */
  get target(): INotebookLike | null {
    this._recent = this._recent.filter(nb => asNotebook(nb) !== null);
    if (this._recent.length > 0) {
      return this._recent[0];
    }
    for (const widget of this._shell.widgets('main')) {
      const nb = asNotebook(widget);
      if (nb) {
        return nb;
      }
    }
    return null;
  }

  private _note(widget: Widget | null | undefined): void {
    const nb = asNotebook(widget);
    if (nb) {
      this._recent = [nb, ...this._recent.filter(other => other !== nb)];
    }
  }

  private _recent: INotebookLike[] = [];
}

/**
 * Insert `code` as a new code cell below the target notebook's active cell and show that
 * notebook; with no notebook open, show the code in a dialog whose Copy button puts it on
 * the clipboard. Resolves to where the code went.
 */
export async function insertCode(
  shell: JupyterFrontEnd.IShell,
  notebooks: RecentNotebooks,
  code: string
): Promise<'notebook' | 'copied' | 'shown'> {
  const nb = notebooks.target;
  if (nb && nb.content.model) {
    const index = nb.content.activeCellIndex + 1;
    nb.content.model.sharedModel.insertCell(index, { cell_type: 'code', source: code });
    nb.content.activeCellIndex = index;
    shell.activateById(nb.id);
    return 'notebook';
  }
  const result = await showDialog({
    title: 'No notebook open: copy the code',
    body: (
      <div className="jp-MLHub-codeDialog">
        <p>Open a notebook and run this, or paste it into a script:</p>
        <pre aria-label="code to copy">{code}</pre>
      </div>
    ),
    buttons: [Dialog.cancelButton({ label: 'Close' }), Dialog.okButton({ label: 'Copy' })]
  });
  if (result.button.accept) {
    Clipboard.copyToSystem(code);
    return 'copied';
  }
  return 'shown';
}
