import React, { act } from 'react';
import { createRoot, Root } from 'react-dom/client';

import { useModelState, useResource } from '../../components/useModel';
import { ResourceModel } from '../../resourceModel';

// React asks test environments to say so, or it warns about updates outside act().
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let container: HTMLDivElement;
let root: Root;
beforeEach(() => {
  container = document.createElement('div');
  document.body.appendChild(container);
  root = createRoot(container);
});
afterEach(() => {
  act(() => root.unmount());
  container.remove();
});

describe('useModelState', () => {
  it('renders the model’s state and follows its changes', async () => {
    let value = 1;
    const model = new ResourceModel(async () => value);
    function View(): JSX.Element {
      const state = useModelState(model);
      return <span>{state.loading ? 'loading' : String(state.value)}</span>;
    }
    act(() => root.render(<View />));
    expect(container.textContent).toBe('null');
    await act(() => model.refresh());
    expect(container.textContent).toBe('1');
    value = 2;
    await act(() => model.refresh());
    expect(container.textContent).toBe('2');
    model.dispose();
  });
});

describe('useResource', () => {
  /** Answers each read when the test says, by inputs. */
  const answers = new Map<string, (value: string) => void>();
  const read = (key: string) => () => new Promise<string>(resolve => answers.set(key, resolve));

  function View(props: { id: string; keep?: boolean }): JSX.Element {
    const state = useResource(read(props.id), [props.id], { keep: props.keep });
    return <span>{state.value ?? '–'}</span>;
  }

  it('shows the answer for the current inputs, never a late one for earlier inputs', async () => {
    act(() => root.render(<View id="a" />));
    act(() => root.render(<View id="b" />));
    await act(async () => answers.get('b')!('B'));
    expect(container.textContent).toBe('B');
    await act(async () => answers.get('a')!('A'));
    expect(container.textContent).toBe('B');
  });

  it('keeps the last value while new inputs load, unless told not to', async () => {
    act(() => root.render(<View id="c" />));
    await act(async () => answers.get('c')!('C'));
    act(() => root.render(<View id="d" />));
    expect(container.textContent).toBe('C');
    act(() => root.render(<View id="e" keep={false} />));
    expect(container.textContent).toBe('–');
  });
});
