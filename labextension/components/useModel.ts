/**
 * The one bridge from a model to React: a view reads the model's state and renders again
 * whenever it changes. Views hold no fetching or cancelling of their own.
 */
import { ISignal } from '@lumino/signaling';
import { useEffect, useState } from 'react';

/** Anything with a state announced by a signal (every {@link PollingModel}). */
export interface IStateful<S> {
  readonly state: S;
  readonly stateChanged: ISignal<unknown, S>;
}

/** The model's current state, re-rendering on every change (and on a new model). */
export function useModelState<S>(model: IStateful<S>): S {
  const [state, setState] = useState<S>(model.state);
  useEffect(() => {
    const onChange = (_: unknown, next: S): void => setState(next);
    model.stateChanged.connect(onChange);
    // The state may have changed between the first render and this subscription.
    setState(model.state);
    return () => {
      model.stateChanged.disconnect(onChange);
    };
  }, [model]);
  return state;
}
