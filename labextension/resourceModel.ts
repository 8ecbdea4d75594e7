/**
 * The smallest {@link PollingModel}: one value read from the server by one function,
 * for the parts of a view that only show something (a page of inferences, two versions
 * side by side, a dataset's columns). Views use it through `useResource`
 * (components/useModel.ts), which makes one model per set of inputs and disposes it when
 * they change: a late answer for inputs no longer shown is dropped by the disposed model,
 * so no view keeps cancel flags of its own.
 */
import { IPollingState, PollingModel } from './pollingModel';

export interface IResourceState<T> extends IPollingState {
  /** The last answer (null until the first). */
  value: T | null;
}

export class ResourceModel<T> extends PollingModel<IResourceState<T>> {
  /**
   * @param read - fetches the value; what it throws becomes `state.error`
   * @param options - `interval`: poll every so many ms while the page is visible
   *   (default: no polling, load on `refresh()` only)
   */
  constructor(
    private readonly _read: () => Promise<T>,
    options: { interval?: number; initial?: T | null } = {}
  ) {
    super(
      { value: options.initial ?? null, loading: false, error: null },
      {
        name: 'resource',
        interval: options.interval ?? 60 * 1000,
        autoPoll: options.interval !== undefined
      }
    );
  }

  protected async loadState(): Promise<Partial<IResourceState<T>>> {
    return { value: await this._read() };
  }
}
