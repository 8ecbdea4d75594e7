/**
 * The one base of the extension's models: a state object replaced on every change and
 * announced by {@link PollingModel.stateChanged}, loaded by a {@link Poll} that backs off
 * on failure and stands by while the page is hidden, one load at a time.
 *
 * A subclass says how to load ({@link PollingModel.loadState}: the part of the state a load
 * replaces) and adds its own actions; views read `state` and re-render on `stateChanged`
 * (see `components/useModel.ts`). A failed load keeps the last state and puts the
 * server's message in `state.error`: the user sees what the server said, never a guess.
 */
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

/** What every model's state holds besides its own data. */
export interface IPollingState {
  /** A load is on its way. */
  loading: boolean;
  /** The server's own message for the last failed load (or action), shown verbatim. */
  error: string | null;
}

/** The message to show for a thrown value: its own `message`, else its text. */
export function errorMessage(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

const MAX_BACKOFF_MS = 5 * 60 * 1000;

export abstract class PollingModel<S extends IPollingState> {
  constructor(initial: S, options: PollingModel.IOptions) {
    this._state = initial;
    this._poll = new Poll({
      auto: options.autoPoll ?? true,
      factory: () => this._load(),
      frequency: {
        interval: options.interval,
        backoff: true,
        max: options.maxBackoff ?? MAX_BACKOFF_MS
      },
      name: `mlhub-ext:${options.name}`,
      standby: () => this.standby()
    });
  }

  /** The current state; a new object after every change, never mutated. */
  get state(): S {
    return this._state;
  }

  /** Emitted with the new state after every change. */
  get stateChanged(): ISignal<this, S> {
    return this._stateChanged;
  }

  /** How many times the state changed (lets views and tests see updates). */
  get version(): number {
    return this._version;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /**
   * Load now. Resolves once the state holds an answer given after this call: a load
   * already in flight may have read the server before the change that asks for this
   * refresh, so another load follows it. A failure lands in `state.error`, not thrown.
   */
  async refresh(): Promise<void> {
    try {
      await this._load();
    } catch {
      // The message is in state.error, which is what the user sees.
    }
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._poll.dispose();
    Signal.clearData(this);
  }

  /**
   * Fetch what one load replaces. Throw on failure (the poll then backs off); the
   * state is left as it was but for `error`.
   */
  protected abstract loadState(): Promise<Partial<S>>;

  /** Called after a load's answer replaced the state, with the state before it. */
  protected afterLoad(_previous: S): void {
    // Nothing by default.
  }

  /**
   * Whether the poll stands by now: true, false, or `'when-hidden'` (the default: while
   * the page is hidden). A view that may be hidden itself overrides this.
   */
  protected standby(): boolean | Poll.Standby {
    return 'when-hidden';
  }

  /** The poll behind the model (to start it, or change its frequency). */
  protected get poll(): Poll {
    return this._poll;
  }

  /** Replace part of the state and announce it (a no-op once disposed). */
  protected setState(patch: Partial<S>): void {
    if (this._disposed) {
      return;
    }
    this._state = { ...this._state, ...patch };
    this._version++;
    this._stateChanged.emit(this._state);
  }

  private _load(): Promise<void> {
    if (!this._inFlight) {
      this._inFlight = this._run().finally(() => {
        this._inFlight = null;
      });
      return this._inFlight;
    }
    // Every call made during a load shares one more load after it.
    if (!this._queued) {
      this._queued = this._inFlight
        .catch(() => undefined)
        .then(() => {
          this._queued = null;
          return this._load();
        });
    }
    return this._queued;
  }

  private async _run(): Promise<void> {
    if (this._disposed) {
      return;
    }
    this.setState({ loading: true } as Partial<S>);
    let patch: Partial<S>;
    try {
      patch = await this.loadState();
    } catch (error) {
      if (!this._queued) {
        this.setState({ loading: false, error: errorMessage(error) } as Partial<S>);
      }
      throw error;
    }
    // A load queued behind this one answers a later request (a new query): showing this
    // answer first would flash results the user no longer asked for.
    if (this._disposed || this._queued) {
      return;
    }
    const previous = this._state;
    this.setState({ ...patch, loading: false, error: null } as Partial<S>);
    this.afterLoad(previous);
  }

  private readonly _poll: Poll;
  private _state: S;
  private _version = 0;
  private _disposed = false;
  private _inFlight: Promise<void> | null = null;
  private _queued: Promise<void> | null = null;
  private readonly _stateChanged = new Signal<this, S>(this);
}

export namespace PollingModel {
  export interface IOptions {
    /** The poll's name, after `mlhub-ext:` (shows in Lumino's debugging). */
    name: string;
    /** Milliseconds between loads while the page is visible. */
    interval: number;
    /** The longest wait after failures (default five minutes). */
    maxBackoff?: number;
    /** Start polling on construction (default true); false: load on `refresh()` only. */
    autoPoll?: boolean;
  }
}
