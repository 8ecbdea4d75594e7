import { ResourceModel } from '../resourceModel';

describe('ResourceModel', () => {
  it('holds what its reader answers, and the message of what it throws', async () => {
    let next: () => Promise<number> = async () => 1;
    const model = new ResourceModel(() => next());
    await model.refresh();
    expect(model.state).toEqual({ value: 1, loading: false, error: null });
    next = async () => {
      throw new Error('version 3 was deleted');
    };
    await model.refresh();
    expect(model.state).toEqual({ value: 1, loading: false, error: 'version 3 was deleted' });
    model.dispose();
  });

  it('drops an answer that arrives after it was disposed (the view moved on)', async () => {
    let answer: (value: string) => void = () => undefined;
    const model = new ResourceModel(() => new Promise<string>(resolve => (answer = resolve)), { initial: 'none' });
    const loading = model.refresh();
    model.dispose();
    answer('late');
    await loading;
    expect(model.state.value).toBe('none');
  });
});
