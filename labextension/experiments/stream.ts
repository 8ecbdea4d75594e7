/**
 * A subscription to runs on the ML Hub stream that survives dropped connections:
 * it reconnects with backoff and subscribes again, and tells its owner through
 * `reconnected` so points pushed while it was away can be fetched over REST.
 *
 * Points are asked for in the stream's compact form (`pointCodec.ts`: about 24 bytes a
 * point instead of 57 as JSON) and decoded here, so listeners get the JSON shape of
 * {@link StreamMessage} whichever form the server sent.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { streamSocket } from '../request';
import { decodeMessage, STREAM_ENCODING } from './pointCodec';
import { ICompactMetricsMessage, StreamMessage, StreamStatus } from './types';

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 15000;
const SUBSCRIBE_TIMEOUT_MS = 5000;

interface IWaiter {
  runs: string[];
  resolve: () => void;
}

export class RunStream {
  constructor(options: RunStream.IOptions = {}) {
    this._open = options.open ?? (() => streamSocket());
  }

  get message(): ISignal<this, StreamMessage> {
    return this._message;
  }

  /** Emitted after a connection was lost and is back (not on the first connect). */
  get reconnected(): ISignal<this, void> {
    return this._reconnected;
  }

  get statusChanged(): ISignal<this, StreamStatus> {
    return this._statusChanged;
  }

  get status(): StreamStatus {
    return this._status;
  }

  get isDisposed(): boolean {
    return this._disposed;
  }

  /**
   * Add runs to the subscription, connecting first if needed. Resolves once the server
   * confirms it (or answers with an error, or after `timeoutMs`), so a caller can fetch
   * history knowing every later point will be pushed.
   */
  subscribe(runs: string[], timeoutMs = SUBSCRIBE_TIMEOUT_MS): Promise<void> {
    const fresh = runs.filter(id => !this._runs.has(id));
    fresh.forEach(id => this._runs.add(id));
    const confirmed = new Promise<void>(resolve => {
      const waiter = { runs, resolve };
      this._waiters.push(waiter);
      setTimeout(() => this._settle(waiter), timeoutMs);
    });
    if (!this._socket) {
      this._connect();
    } else if (fresh.length > 0) {
      this._send({ subscribe: { runs: fresh, encoding: STREAM_ENCODING } });
    } else if (this._status === 'live') {
      this._waiters.forEach(w => this._settle(w));
    }
    return confirmed;
  }

  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    if (this._timer !== null) {
      clearTimeout(this._timer);
    }
    this._socket?.close();
    this._socket = null;
    this._waiters.slice().forEach(w => this._settle(w));
    Signal.clearData(this);
  }

  private _connect(): void {
    if (this._disposed) {
      return;
    }
    this._setStatus('connecting');
    let socket: WebSocket;
    try {
      socket = this._open();
    } catch {
      this._retry();
      return;
    }
    this._socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this._delay = RETRY_MIN_MS;
      this._setStatus('live');
      if (this._runs.size > 0) {
        this._send({ subscribe: { runs: [...this._runs], encoding: STREAM_ENCODING } });
      }
      if (this._everOpened) {
        this._reconnected.emit();
      }
      this._everOpened = true;
    };
    socket.onmessage = event => {
      if (typeof event.data !== 'string') {
        return;
      }
      let message: StreamMessage;
      try {
        message = decodeMessage(JSON.parse(event.data) as StreamMessage | ICompactMetricsMessage);
      } catch (error) {
        // Not JSON, or compact points that do not decode: nothing a view could draw.
        console.warn('ML Hub stream: a message could not be read', error);
        return;
      }
      if (message.type === 'subscribed') {
        const now = new Set(message.runs);
        this._waiters
          .filter(w => w.runs.every(id => now.has(id)))
          .forEach(w => this._settle(w));
      } else if (message.type === 'error') {
        this._waiters.slice().forEach(w => this._settle(w));
      }
      this._message.emit(message);
    };
    socket.onclose = () => {
      if (!opened) {
        // No stream here (e.g. a server that does not serve it): nobody should wait for it.
        this._waiters.slice().forEach(w => this._settle(w));
      }
      if (this._socket === socket) {
        this._socket = null;
        this._retry();
      }
    };
  }

  private _retry(): void {
    if (this._disposed) {
      return;
    }
    this._setStatus('closed');
    const delay = this._delay;
    this._delay = Math.min(this._delay * 2, RETRY_MAX_MS);
    this._timer = setTimeout(() => {
      this._timer = null;
      this._connect();
    }, delay);
  }

  private _send(message: unknown): void {
    if (this._socket && this._socket.readyState === WebSocket.OPEN) {
      this._socket.send(JSON.stringify(message));
    }
  }

  private _settle(waiter: IWaiter): void {
    const i = this._waiters.indexOf(waiter);
    if (i !== -1) {
      this._waiters.splice(i, 1);
      waiter.resolve();
    }
  }

  private _setStatus(status: StreamStatus): void {
    if (status !== this._status) {
      this._status = status;
      this._statusChanged.emit(status);
    }
  }

  private readonly _open: () => WebSocket;
  private readonly _runs = new Set<string>();
  private readonly _waiters: IWaiter[] = [];
  private _socket: WebSocket | null = null;
  private _timer: ReturnType<typeof setTimeout> | null = null;
  private _delay = RETRY_MIN_MS;
  private _everOpened = false;
  private _disposed = false;
  private _status: StreamStatus = 'closed';
  private readonly _message = new Signal<this, StreamMessage>(this);
  private readonly _reconnected = new Signal<this, void>(this);
  private readonly _statusChanged = new Signal<this, StreamStatus>(this);
}

export namespace RunStream {
  export interface IOptions {
    /** Open the socket (tests pass a fake). */
    open?: () => WebSocket;
  }
}
