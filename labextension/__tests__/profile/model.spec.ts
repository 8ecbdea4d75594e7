import { ProfileModel } from '../../profile/model';
import { called, refused, serve } from '../http';

jest.mock('../../request', () => jest.requireActual('../http').mockedRequest());

const ME = { user: 'ada', groups: [] };
const TOKEN = { id: 3, name: 'ci', scope: 'read' };

describe('ProfileModel', () => {
  let model: ProfileModel;
  beforeEach(() => {
    model = new ProfileModel();
  });
  afterEach(() => model.dispose());

  it('loads who I am and my tokens', async () => {
    serve({ 'GET me': ME, 'GET me/tokens': { tokens: [TOKEN] } });
    await model.refresh();
    expect(model.me).toEqual(ME);
    expect(model.tokens).toEqual([TOKEN]);
  });

  it('holds a created token until dismissed, and reloads the list', async () => {
    const calls = serve({
      'POST me/tokens': { ...TOKEN, id: 4, token: 'secret' },
      'GET me/tokens': { tokens: [TOKEN, { ...TOKEN, id: 4 }] }
    });
    expect(await model.createToken({ name: 'ci', expiresInDays: 30, scope: 'read' })).toBe(true);
    expect(calls[0].body).toEqual({ name: 'ci', expires_in_days: 30, scope: 'read' });
    expect(model.created).toMatchObject({ id: 4, token: 'secret' });
    expect(model.tokens).toHaveLength(2);
    expect(model.busy).toBe(false);
    model.dismissCreated();
    expect(model.created).toBeNull();
  });

  it('forgets the created token when it is revoked', async () => {
    serve({ 'POST me/tokens': { ...TOKEN, token: 'secret' }, 'GET me/tokens': { tokens: [TOKEN] } });
    await model.createToken({ name: 'ci', expiresInDays: 30, scope: 'read' });
    serve({ 'DELETE me/tokens/3': undefined, 'GET me/tokens': { tokens: [] } });
    expect(await model.revokeToken(3)).toBe(true);
    expect(model.created).toBeNull();
    expect(called()).toEqual(['DELETE me/tokens/3', 'GET me/tokens']);
  });

  it("keeps a refused action's message apart from the load error", async () => {
    serve({ 'DELETE me/tokens/9': refused(404, 'not_found', 'token 9 does not exist') });
    expect(await model.revokeToken(9)).toBe(false);
    expect(model.tokenError).toBe('token 9 does not exist');
    expect(model.error).toBeNull();
  });
});
