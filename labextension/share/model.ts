/**
 * State of the Share dialog: a project with its owner and members, and the changes the
 * caller may make (add, change a role, remove, visibility). Each change is followed by a
 * reload, so the dialog shows what the registry holds; refusals keep the server's message.
 */
import { errorMessage, IPollingState, PollingModel } from '../pollingModel';
import { IProject } from '../tokens';
import * as api from './api';
import { IMember, MemberRole } from './api';

export type IShareApi = Pick<
  typeof api,
  'getProject' | 'listMembers' | 'setMember' | 'removeMember' | 'setVisibility'
>;

export interface IShareState extends IPollingState {
  project: IProject | null;
  members: IMember[];
  /** A change is on its way. */
  busy: boolean;
}

export class ShareModel extends PollingModel<IShareState> {
  /**
   * @param name - the project
   * @param options - `onChanged`: called after each change the registry accepted
   *   (e.g. to refresh the sidebar)
   */
  constructor(
    readonly name: string,
    options: { api?: IShareApi; onChanged?: () => void } = {}
  ) {
    // Loading from the start: nothing may be changed before the roles are known.
    super(
      { project: null, members: [], busy: false, loading: true, error: null },
      { name: 'share', interval: 60 * 1000, autoPoll: false }
    );
    this._api = options.api ?? api;
    this._onChanged = options.onChanged;
  }

  setMember(user: string, role: MemberRole): Promise<boolean> {
    return this._change(() => this._api.setMember(this.name, user, role));
  }

  removeMember(user: string): Promise<boolean> {
    return this._change(() => this._api.removeMember(this.name, user));
  }

  setVisibility(visibility: IProject['visibility']): Promise<boolean> {
    return this._change(() => this._api.setVisibility(this.name, visibility));
  }

  protected async loadState(): Promise<Partial<IShareState>> {
    const [project, members] = await Promise.all([
      this._api.getProject(this.name),
      this._api.listMembers(this.name)
    ]);
    return { project, members };
  }

  /** Run one change, then show the registry's state again (or its error, verbatim). */
  private async _change(action: () => Promise<unknown>): Promise<boolean> {
    this.setState({ busy: true, error: null });
    try {
      await action();
    } catch (error) {
      this.setState({ busy: false, error: errorMessage(error) });
      return false;
    }
    this._onChanged?.();
    this.setState({ busy: false });
    await this.refresh();
    return true;
  }

  private readonly _api: IShareApi;
  private readonly _onChanged?: () => void;
}
