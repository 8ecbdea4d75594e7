import { HomeModel } from '../../home/model';
import { called, refused, serve } from '../http';

jest.mock('../../request', () => jest.requireActual('../http').mockedRequest());

const HOME = { counts: { projects: 1 }, running: [] };

describe('HomeModel', () => {
  let model: HomeModel;
  beforeEach(() => {
    model = new HomeModel({ autoPoll: false });
  });
  afterEach(() => model.dispose());

  it('loads the home of the last two weeks', async () => {
    serve({ 'GET home?days=14': HOME });
    await model.refresh();
    expect(model.home).toEqual(HOME);
    expect(model.state).toMatchObject({ loading: false, error: null });
  });

  it('marks a run pending while its stop is on the way, then reloads', async () => {
    serve({ 'GET home?days=14': HOME, 'POST runs/r%201/stop': {} });
    const pending: boolean[] = [];
    model.stateChanged.connect((_, state) => pending.push(state.pending.has('r 1')));
    await model.stopRun('r 1');
    expect(pending[0]).toBe(true);
    expect(model.pending.size).toBe(0);
    expect(called()).toEqual(['POST runs/r%201/stop', 'GET home?days=14']);
  });

  it("shows the server's message for a refused abort", async () => {
    serve({
      'GET home?days=14': refused(503, 'unavailable', 'the registry is restarting'),
      'POST jobs/j1/abort': refused(409, 'conflict', 'job j1 already finished')
    });
    await model.abortJob('j1');
    expect(model.error).toBe('the registry is restarting');
    serve({ 'GET home?days=14': HOME, 'POST jobs/j1/abort': refused(409, 'conflict', 'job j1 already finished') });
    const errors: Array<string | null> = [];
    model.stateChanged.connect((_, state) => errors.push(state.error));
    await model.abortJob('j1');
    expect(errors).toContain('job j1 already finished');
  });
});
