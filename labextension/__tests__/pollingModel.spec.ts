import { PollingModel, errorMessage, IPollingState } from '../pollingModel';

interface IState extends IPollingState {
  value: number;
}

/** Answers each load with the next value the test hands it. */
class Counter extends PollingModel<IState> {
  constructor() {
    super({ value: 0, loading: false, error: null }, { name: 'test', interval: 1000, autoPoll: false });
  }

  loads = 0;
  after: IState[] = [];
  answers: Array<(value: number | Error) => void> = [];

  /** Answer the oldest load still waiting. */
  answer(value: number | Error): void {
    this.answers.shift()!(value);
  }

  protected loadState(): Promise<Partial<IState>> {
    this.loads++;
    return new Promise((resolve, reject) => {
      this.answers.push(value => (value instanceof Error ? reject(value) : resolve({ value })));
    });
  }

  protected afterLoad(previous: IState): void {
    this.after.push(previous);
  }
}

const flush = () => new Promise(resolve => setTimeout(resolve, 0));

describe('PollingModel', () => {
  let model: Counter;
  beforeEach(() => {
    model = new Counter();
  });
  afterEach(() => model.dispose());

  it('loads, announcing loading and then the answer', async () => {
    const seen: IState[] = [];
    model.stateChanged.connect((_, state) => seen.push(state));
    const done = model.refresh();
    expect(model.state.loading).toBe(true);
    model.answer(3);
    await done;
    expect(model.state).toEqual({ value: 3, loading: false, error: null });
    expect(seen.map(s => s.loading)).toEqual([true, false]);
    expect(model.version).toBe(2);
    expect(model.after).toEqual([{ value: 0, loading: true, error: null }]);
  });

  it('keeps the last state and shows the message of a failed load', async () => {
    const first = model.refresh();
    model.answer(5);
    await first;
    const second = model.refresh();
    model.answer(new Error('dataset store is down'));
    await second; // not thrown
    expect(model.state).toEqual({ value: 5, loading: false, error: 'dataset store is down' });
    const third = model.refresh();
    model.answer(6);
    await third;
    expect(model.state.error).toBeNull();
  });

  it('loads once more after a load in flight, for every refresh asked meanwhile', async () => {
    const first = model.refresh();
    const second = model.refresh();
    const third = model.refresh();
    expect(model.loads).toBe(1);
    model.answer(1);
    await flush();
    expect(model.loads).toBe(2);
    // The first answer predates the later requests: it is not shown.
    expect(model.state.value).toBe(0);
    model.answer(2);
    await Promise.all([first, second, third]);
    expect(model.state.value).toBe(2);
    expect(model.loads).toBe(2);
  });

  it('ignores answers that arrive after dispose', async () => {
    const done = model.refresh();
    const seen: IState[] = [];
    model.stateChanged.connect((_, state) => seen.push(state));
    model.dispose();
    expect(model.isDisposed).toBe(true);
    model.answer(9);
    await done;
    expect(seen).toEqual([]);
    expect(model.state.value).toBe(0);
  });
});

describe('errorMessage', () => {
  it('reads a message, else the text', () => {
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage({ message: 'served' })).toBe('served');
    expect(errorMessage('plain')).toBe('plain');
    expect(errorMessage(null)).toBe('null');
  });
});
