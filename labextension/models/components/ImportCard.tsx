/**
 * The "Import model card" dialog of the Models sidebar: pick a README.md or paste its
 * text, optionally name the model, and Import. The dialog opens again with the server's
 * own message when the registry refuses the card, so nothing typed is lost.
 */
import { Dialog, ReactWidget, showDialog } from '@jupyterlab/apputils';
import React from 'react';

import { MLHubRequestError } from '../../request';
import { ICardImported, importCard } from '../cardImport';

export interface ICardForm {
  text: string;
  name: string;
  fileName: string;
}

const MAX_FILE_BYTES = 1_000_000;

export function CardForm(props: {
  initial: ICardForm;
  error: string | null;
  onChange: (form: ICardForm) => void;
}): JSX.Element {
  const [form, setForm] = React.useState<ICardForm>(props.initial);
  const [fileError, setFileError] = React.useState<string | null>(null);
  const update = (patch: Partial<ICardForm>): void => {
    const next = { ...form, ...patch };
    setForm(next);
    props.onChange(next);
  };
  const pick = async (event: React.ChangeEvent<HTMLInputElement>): Promise<void> => {
    const file = event.currentTarget.files?.[0];
    if (!file) {
      return;
    }
    if (file.size > MAX_FILE_BYTES) {
      setFileError(`${file.name} has ${file.size.toLocaleString()} bytes; a model card has at most 1,000,000.`);
      return;
    }
    setFileError(null);
    update({ text: await file.text(), fileName: file.name });
  };
  return (
    <div className="jp-MLHubModels-cardForm">
      {props.error && (
        <div className="jp-MLHub-error" role="alert">
          {props.error}
        </div>
      )}
      <p className="jp-MLHubModels-cardHint">
        A Hugging Face model card: README.md with YAML front matter (license, tags, datasets, base_model,
        pipeline_tag, library_name, model-index results). The model is catalogued with no weights.
      </p>
      <label className="jp-MLHubModels-field">
        <span>Card file</span>
        <input
          type="file"
          accept=".md,.markdown,text/markdown,text/plain"
          aria-label="model card file"
          onChange={event => void pick(event)}
        />
      </label>
      {fileError && (
        <div className="jp-MLHub-error" role="alert">
          {fileError}
        </div>
      )}
      <label className="jp-MLHubModels-field">
        <span>or paste its text{form.fileName ? ` (read from ${form.fileName})` : ''}</span>
        <textarea
          className="jp-MLHubModels-cardText"
          aria-label="model card text"
          rows={8}
          spellCheck={false}
          value={form.text}
          placeholder={'---\nlicense: apache-2.0\npipeline_tag: text-classification\n---\n# My model'}
          onChange={event => update({ text: event.currentTarget.value, fileName: '' })}
        />
      </label>
      <label className="jp-MLHubModels-field">
        <span>Model name (default: the card's model-index name)</span>
        <input
          className="jp-mod-styled"
          aria-label="model name"
          value={form.name}
          onChange={event => update({ name: event.currentTarget.value })}
        />
      </label>
    </div>
  );
}

class CardFormBody extends ReactWidget implements Dialog.IBodyWidget<ICardForm> {
  constructor(
    private _form: ICardForm,
    private readonly _error: string | null
  ) {
    super();
    this.addClass('jp-MLHubModels-cardDialog');
  }

  getValue(): ICardForm {
    return this._form;
  }

  protected render(): JSX.Element {
    return <CardForm initial={this._form} error={this._error} onChange={form => (this._form = form)} />;
  }
}

/** Ask for a card and import it; resolves with what the registry stored, or null if cancelled. */
export async function importCardDialog(): Promise<ICardImported | null> {
  let form: ICardForm = { text: '', name: '', fileName: '' };
  let error: string | null = null;
  for (;;) {
    const result = await showDialog<ICardForm>({
      title: 'Import model card',
      body: new CardFormBody(form, error),
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Import' })],
      focusNodeSelector: 'textarea'
    });
    if (!result.button.accept || result.value === null) {
      return null;
    }
    form = result.value;
    try {
      return await importCard(form.text, form.name);
    } catch (e) {
      error = e instanceof MLHubRequestError ? e.message : String((e as Error).message ?? e);
    }
  }
}
