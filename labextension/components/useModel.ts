/**
 * The one bridge from a model to React: a view reads the model's state and renders again
 * whenever it changes. Views hold no fetching or cancelling of their own.
 */
import { ISignal } from '@lumino/signaling';
import { DependencyList, useEffect, useState } from 'react';

import { IResourceState, ResourceModel } from '../resourceModel';

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

/**
 * The value `read` fetches, through a {@link ResourceModel} made for these `deps` and
 * disposed when they change or the view goes (so a late answer is dropped).
 *
 * @param keep - while the new inputs load, keep showing the last value (default true);
 *   false starts from `initial` again (values that would mislead for other inputs)
 */
export function useResource<T>(
  read: () => Promise<T>,
  deps: DependencyList,
  options: { keep?: boolean; initial?: T | null } = {}
): IResourceState<T> {
  const [state, setState] = useState<IResourceState<T>>({
    value: options.initial ?? null,
    loading: false,
    error: null
  });
  useEffect(() => {
    const model = new ResourceModel(read, { initial: options.initial });
    if (options.keep === false) {
      setState(model.state);
    }
    model.stateChanged.connect((_, next) =>
      // Kept from the last model: the value, until this one has its own.
      setState(s => (options.keep === false || next.value !== null ? next : { ...next, value: s.value }))
    );
    void model.refresh();
    return () => model.dispose();
  }, deps);
  return state;
}
