/** The Lumino host of the profile tab: connects the {@link ProfileModel} to the page's props. */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import React from 'react';

import { useModelState } from '../components/useModel';
import { mlhubIcon } from '../icon';
import { ProfilePage } from './components/ProfilePage';
import { ProfileModel } from './model';
import { IApiToken, IHolding } from './types';

export const PROFILE_ID = 'mlhub-profile';

/** What the page asks of the plugin: dialogs, the clipboard, opening other views. */
export interface IProfileHost {
  confirmRevoke: (token: IApiToken) => Promise<boolean>;
  copy: (value: string) => Promise<boolean>;
  open: (item: IHolding) => void;
}

function ConnectedProfile(props: { model: ProfileModel; host: IProfileHost }): JSX.Element {
  const { model, host } = props;
  const state = useModelState(model);
  return (
    <ProfilePage
      me={state.me}
      tokens={state.tokens}
      created={state.created}
      loading={state.loading}
      busy={state.busy}
      error={state.error}
      tokenError={state.tokenError}
      onRefresh={() => void model.refresh()}
      onOpen={host.open}
      onCreateToken={token => model.createToken(token)}
      onRevokeToken={token =>
        void host.confirmRevoke(token).then(ok => (ok ? model.revokeToken(token.id) : false))
      }
      onCopy={host.copy}
      onDismissCreated={() => model.dismissCreated()}
    />
  );
}

export class ProfileContent extends ReactWidget {
  constructor(
    readonly model: ProfileModel,
    private readonly _host: IProfileHost
  ) {
    super();
    this.addClass('jp-MLHub-panel');
    this.addClass('jp-MLHubProfile-content');
  }

  dispose(): void {
    this.model.dispose();
    super.dispose();
  }

  protected render(): JSX.Element {
    return <ConnectedProfile model={this.model} host={this._host} />;
  }
}

/** The profile tab, loading as it opens. */
export function createProfileWidget(host: IProfileHost): MainAreaWidget<ProfileContent> {
  const model = new ProfileModel();
  const widget = new MainAreaWidget({ content: new ProfileContent(model, host) });
  widget.id = PROFILE_ID;
  widget.title.label = 'ML Hub Profile';
  widget.title.caption = 'Who you are to ML Hub, your work, what is shared with you, and your API tokens';
  widget.title.icon = mlhubIcon;
  widget.title.closable = true;
  void model.refresh();
  return widget;
}
