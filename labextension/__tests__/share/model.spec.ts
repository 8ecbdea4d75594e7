import { ShareModel } from '../../share/model';
import { called, refused, route, serve } from '../http';

jest.mock('../../request', () => jest.requireActual('../http').mockedRequest());

const members = [{ project: 'p', user: 'ada', role: 'owner' }];

describe('ShareModel', () => {
  it('is loading until the project and its members are known', async () => {
    serve({ 'GET projects/p': { name: 'p', role: 'owner' }, 'GET projects/p/members': { members } });
    const model = new ShareModel('p');
    expect(model.state.loading).toBe(true);
    await model.refresh();
    expect(model.state).toMatchObject({ loading: false, project: { role: 'owner' }, members });
    model.dispose();
  });

  it('reloads after each accepted change and tells the owner of the dialog', async () => {
    const calls = serve({
      'GET projects/p': { name: 'p', role: 'owner' },
      'GET projects/p/members': { members },
      'PUT projects/p/members/bob': {},
      'PATCH projects/p': {}
    });
    const onChanged = jest.fn();
    const model = new ShareModel('p', { onChanged });
    expect(await model.setMember('bob', 'edit')).toBe(true);
    expect(await model.setVisibility('public')).toBe(true);
    expect(onChanged).toHaveBeenCalledTimes(2);
    expect(calls.filter(c => c.body !== undefined).map(c => c.body)).toEqual([{ role: 'edit' }, { visibility: 'public' }]);
    expect(called().filter(c => c === 'GET projects/p/members')).toHaveLength(2);
    model.dispose();
  });

  it("shows a refusal verbatim and does not tell the owner", async () => {
    serve({ 'DELETE projects/p/members/ada': refused(409, 'conflict', 'the owner cannot be removed') });
    const onChanged = jest.fn();
    const model = new ShareModel('p', { onChanged });
    expect(await model.removeMember('ada')).toBe(false);
    expect(model.state).toMatchObject({ busy: false, error: 'the owner cannot be removed' });
    expect(onChanged).not.toHaveBeenCalled();
    route({});
    model.dispose();
  });
});
