/**
 * State of the Datasets sidebar: the searched catalogue (reloaded by the
 * {@link PollingModel}'s poll, backing off on failure and standing by while hidden), the files waiting for the Upload form
 * and the uploads in progress. A registration the server refuses keeps its completed
 * upload, so "Add as a new version" answers a 409 without sending the bytes again.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { errorMessage, IPollingState, PollingModel } from '../pollingModel';
import { MLHubRequestError } from '../request';
import { listDatasets } from './api';
import { IDataset, IDatasetVersion, IPendingUpload, IUploadProgress } from './types';
import { IRegisterOptions, registerUpload, sendUpload } from './upload';
import { isWorkbook, workbookSheetNames } from './xlsx';

const POLL_INTERVAL_MS = 30 * 1000;

export interface IDatasetsState extends IPollingState {
  datasets: IDataset[];
  total: number;
  query: string;
  uploads: IUploadProgress[];
  /** Files waiting for the Upload form (name, description, tags, new version, sheet). */
  pending: IPendingUpload | null;
}

export class DatasetsModel extends PollingModel<IDatasetsState> {
  constructor(options: { autoPoll?: boolean } = {}) {
    super(
      {
        datasets: [],
        total: 0,
        query: '',
        loading: false,
        error: null,
        uploads: [],
        pending: null
      },
      { name: 'datasets', interval: POLL_INTERVAL_MS, autoPoll: options.autoPoll }
    );
  }

  /** Emitted with each version an upload registers (the view of that dataset may reload). */
  get registered(): ISignal<this, IDatasetVersion> {
    return this._registered;
  }

  /** Emitted with each version registered from files staged with `openWhenDone`. */
  get openRequested(): ISignal<this, IDatasetVersion> {
    return this._openRequested;
  }

  /**
   * Hold picked or dropped files for the Upload form. For one Excel workbook, its sheet
   * names are read here (in the browser) so that the form can offer them.
   */
  stage(files: Array<{ blob: Blob; name: string }>, openWhenDone = false): void {
    if (files.length === 0) {
      return;
    }
    const pending: IPendingUpload = { files, sheets: null, openWhenDone };
    this.setState({ pending });
    if (files.length === 1 && isWorkbook(files[0].name)) {
      workbookSheetNames(files[0].blob)
        .then(sheets => {
          if (this.state.pending === pending) {
            this.setState({ pending: { ...pending, sheets } });
          }
        })
        .catch(() => {
          // Not a readable workbook: the server's registration names the problem.
        });
    }
  }

  /** Drop the files waiting for the form. */
  cancelPending(): void {
    this.setState({ pending: null });
  }

  /** Upload and register the waiting files with the form's options. */
  async submitPending(options: IRegisterOptions): Promise<IDatasetVersion[]> {
    const pending = this.state.pending;
    if (!pending) {
      return [];
    }
    this.setState({ pending: null });
    const versions = await this.upload(pending.files, options);
    if (pending.openWhenDone) {
      versions.forEach(v => this._openRequested.emit(v));
    }
    return versions;
  }

  /** Answer a refused registration ("already exists") by adding the upload as a new version. */
  async addAsNewVersion(progressId: string): Promise<IDatasetVersion | null> {
    const progress = this.state.uploads.find(u => u.id === progressId);
    if (!progress?.uploadId) {
      return null;
    }
    const options: IRegisterOptions = {
      ...(this._options.get(progressId) ?? {}),
      name: progress.conflictWith ?? this._options.get(progressId)?.name,
      newVersion: true
    };
    return this._register(progress, progress.uploadId, options);
  }

  setQuery(query: string): void {
    this.setState({ query });
    void this.refresh();
  }

  /**
   * Upload and register files one after the other, each with its own progress bar.
   * `options` apply to each file (a name only makes sense for one file).
   */
  async upload(
    files: Array<{ blob: Blob; name: string }>,
    options: IRegisterOptions = {}
  ): Promise<IDatasetVersion[]> {
    const done: IDatasetVersion[] = [];
    for (const file of files) {
      const key = `${file.name}-${Date.now()}-${Math.random().toString(36).slice(2)}`;
      const progress: IUploadProgress = {
        id: key,
        filename: file.name,
        sent: 0,
        size: file.blob.size,
        stage: 'sending',
        error: null
      };
      this._options.set(key, options);
      this._setUpload(progress);
      let uploadId: string;
      try {
        uploadId = await sendUpload(file.blob, file.name, {
          onProgress: (sent, size) => {
            this._setUpload({
              ...progress,
              sent,
              size,
              stage: sent >= size ? 'registering' : 'sending'
            });
          }
        });
      } catch (error) {
        this._setUpload({ ...progress, stage: 'failed', error: errorMessage(error) });
        continue;
      }
      const version = await this._register({ ...progress, sent: file.blob.size }, uploadId, options);
      if (version) {
        done.push(version);
      }
    }
    return done;
  }

  dismissUpload(id: string): void {
    this._dropUpload(id);
  }

  private async _register(
    progress: IUploadProgress,
    uploadId: string,
    options: IRegisterOptions
  ): Promise<IDatasetVersion | null> {
    const base: IUploadProgress = { ...progress, uploadId, error: null, conflictWith: undefined };
    this._setUpload({ ...base, stage: 'registering' });
    try {
      const version = await registerUpload(uploadId, options);
      this._setUpload({ ...base, stage: 'done' });
      this._registered.emit(version);
      setTimeout(() => this._dropUpload(progress.id), 4000);
      return version;
    } catch (error) {
      const message = errorMessage(error);
      const conflict = error instanceof MLHubRequestError && error.code === 'conflict';
      this._setUpload({
        ...base,
        stage: 'failed',
        error: message,
        conflictWith: conflict ? (/dataset '([^']+)'/.exec(message)?.[1] ?? options.name) : undefined
      });
      return null;
    } finally {
      await this.refresh();
    }
  }

  protected async loadState(): Promise<Partial<IDatasetsState>> {
    const page = await listDatasets(this.state.query);
    return { datasets: page.datasets, total: page.total };
  }

  private _setUpload(progress: IUploadProgress): void {
    const others = this.state.uploads.filter(u => u.id !== progress.id);
    this.setState({ uploads: [...others, progress] });
  }

  private _dropUpload(id: string): void {
    this._options.delete(id);
    this.setState({ uploads: this.state.uploads.filter(u => u.id !== id) });
  }

  private readonly _options = new Map<string, IRegisterOptions>();
  private _registered = new Signal<this, IDatasetVersion>(this);
  private _openRequested = new Signal<this, IDatasetVersion>(this);
}
