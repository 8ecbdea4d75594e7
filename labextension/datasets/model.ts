/**
 * State of the Datasets sidebar: the searched catalogue (reloaded by a {@link Poll} that
 * backs off on failure and stands by while hidden) and the uploads in progress.
 */
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { listDatasets } from './api';
import { IDataset, IDatasetVersion, IUploadProgress } from './types';
import { uploadDataset } from './upload';

const POLL_INTERVAL_MS = 30 * 1000;

export interface IDatasetsState {
  datasets: IDataset[];
  total: number;
  query: string;
  loading: boolean;
  /** The server's own message for the last failed load, shown verbatim. */
  error: string | null;
  uploads: IUploadProgress[];
}

export class DatasetsModel {
  constructor(options: { autoPoll?: boolean } = {}) {
    this._poll = new Poll({
      auto: options.autoPoll ?? true,
      factory: () => this._load(),
      frequency: { interval: POLL_INTERVAL_MS, backoff: true, max: 5 * 60 * 1000 },
      name: 'mlhub-ext:datasets',
      standby: 'when-hidden'
    });
  }

  get state(): IDatasetsState {
    return this._state;
  }

  get stateChanged(): ISignal<this, IDatasetsState> {
    return this._stateChanged;
  }

  /** Emitted with each version an upload registers (the view of that dataset may reload). */
  get registered(): ISignal<this, IDatasetVersion> {
    return this._registered;
  }

  async refresh(): Promise<void> {
    try {
      await this._load();
    } catch {
      // The message is in state.error, which is what the user sees.
    }
  }

  setQuery(query: string): void {
    this._set({ query });
    void this.refresh();
  }

  /** Upload and register files one after the other, each with its own progress bar. */
  async upload(files: Array<{ blob: Blob; name: string }>): Promise<IDatasetVersion[]> {
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
      this._setUpload(progress);
      try {
        const version = await uploadDataset(file.blob, file.name, {
          onProgress: (sent, size) => {
            this._setUpload({
              ...progress,
              sent,
              size,
              stage: sent >= size ? 'registering' : 'sending'
            });
          }
        });
        this._setUpload({ ...progress, sent: file.blob.size, stage: 'done' });
        done.push(version);
        this._registered.emit(version);
        setTimeout(() => this._dropUpload(key), 4000);
      } catch (error) {
        this._setUpload({
          ...progress,
          stage: 'failed',
          error: (error as Error).message ?? String(error)
        });
      }
      await this.refresh();
    }
    return done;
  }

  dismissUpload(id: string): void {
    this._dropUpload(id);
  }

  dispose(): void {
    this._poll.dispose();
    Signal.clearData(this);
  }

  private async _load(): Promise<void> {
    this._set({ loading: true });
    try {
      const page = await listDatasets(this._state.query);
      this._set({ datasets: page.datasets, total: page.total, loading: false, error: null });
    } catch (error) {
      this._set({ loading: false, error: (error as Error).message ?? String(error) });
      throw error;
    }
  }

  private _setUpload(progress: IUploadProgress): void {
    const others = this._state.uploads.filter(u => u.id !== progress.id);
    this._set({ uploads: [...others, progress] });
  }

  private _dropUpload(id: string): void {
    this._set({ uploads: this._state.uploads.filter(u => u.id !== id) });
  }

  private _set(patch: Partial<IDatasetsState>): void {
    this._state = { ...this._state, ...patch };
    this._stateChanged.emit(this._state);
  }

  private _poll: Poll;
  private _state: IDatasetsState = {
    datasets: [],
    total: 0,
    query: '',
    loading: false,
    error: null,
    uploads: []
  };
  private _stateChanged = new Signal<this, IDatasetsState>(this);
  private _registered = new Signal<this, IDatasetVersion>(this);
}
