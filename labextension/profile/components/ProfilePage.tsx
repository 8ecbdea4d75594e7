/** The profile: who I am, what I own (with sizes), what others shared with me, my API tokens. */
import React, { useState } from 'react';

import { formatBytes, formatDate } from '../../datasets/components/format';
import { IApiToken, ICreatedToken, IHolding, IMe, INewToken } from '../types';
import { TokensSection } from './TokensSection';

const COUNT_NOUN = { project: 'runs', dataset: 'versions', model: 'versions' } as const;

export interface IProfilePageProps {
  me: IMe | null;
  tokens: ReadonlyArray<IApiToken>;
  created: ICreatedToken | null;
  loading: boolean;
  busy: boolean;
  error: string | null;
  tokenError: string | null;
  onRefresh: () => void;
  onOpen: (item: IHolding) => void;
  onCreateToken: (token: INewToken) => Promise<boolean>;
  onRevokeToken: (token: IApiToken) => void;
  onCopy: (value: string) => Promise<boolean>;
  onDismissCreated: () => void;
}

function Avatar(props: { url: string; name: string }): JSX.Element | null {
  // Offline or without a picture, the image fails: show nothing rather than a broken icon.
  const [failed, setFailed] = useState(false);
  return failed ? null : (
    <img className="jp-MLHubProfile-avatar" src={props.url} alt={`${props.name}'s avatar`} onError={() => setFailed(true)} />
  );
}

function Identity(props: { me: IMe }): JSX.Element {
  const { me } = props;
  const groups = me.hub?.groups ?? me.groups;
  return (
    <div className="jp-MLHubProfile-identity">
      {me.github && <Avatar url={me.github.avatar_url} name={me.github.login} />}
      <dl className="jp-MLHubProfile-facts" aria-label="identity">
        <dt>User</dt>
        <dd className="jp-MLHubProfile-name">{me.name}</dd>
        <dt>Signed in</dt>
        <dd>
          {me.mode === 'hub'
            ? `on JupyterHub as ${me.hub?.name ?? me.name}${me.hub?.admin ? ' (admin)' : ''}`
            : me.mode === 'local'
              ? 'this Jupyter server (local mode)'
              : 'with an API token (standalone server)'}
        </dd>
        {me.github && (
          <>
            <dt>GitHub</dt>
            <dd>
              <a href={me.github.url} target="_blank" rel="noopener noreferrer">
                {me.github.login}
              </a>
            </dd>
          </>
        )}
        {groups.length > 0 && (
          <>
            <dt>Groups</dt>
            <dd>
              {groups.map(g => (
                <span key={g} className="jp-MLHubProfile-badge">
                  {g}
                </span>
              ))}
            </dd>
          </>
        )}
        <dt>Storage</dt>
        <dd>
          {formatBytes(me.storage.total)} in all (projects {formatBytes(me.storage.projects)}, datasets{' '}
          {formatBytes(me.storage.datasets)}, models {formatBytes(me.storage.models)})
        </dd>
      </dl>
    </div>
  );
}

function ItemLink(props: { item: IHolding; onOpen: (item: IHolding) => void }): JSX.Element {
  return (
    <button type="button" className="jp-MLHub-runLink" title={`Open ${props.item.kind} ${props.item.name}`}
      onClick={() => props.onOpen(props.item)}>
      {props.item.name}
    </button>
  );
}

function Owned(props: { title: string; items: IHolding[]; onOpen: (item: IHolding) => void }): JSX.Element {
  return (
    <section className="jp-MLHubProfile-section" aria-label={props.title}>
      <h3 className="jp-MLHubProfile-subtitle">
        {props.title} <span className="jp-MLHubProfile-count">{props.items.length}</span>
      </h3>
      {props.items.length === 0 ? (
        <div className="jp-MLHubProfile-empty">None yet.</div>
      ) : (
        <table className="jp-MLHubProfile-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Visibility</th>
              <th className="jp-MLHubProfile-num">{props.items[0].kind === 'project' ? 'Runs' : 'Versions'}</th>
              <th className="jp-MLHubProfile-num">Size</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {props.items.map(item => (
              <tr key={item.name}>
                <td><ItemLink item={item} onOpen={props.onOpen} /></td>
                <td>{item.visibility}</td>
                <td className="jp-MLHubProfile-num">{item.count}</td>
                <td className="jp-MLHubProfile-num">{formatBytes(item.size)}</td>
                <td>{formatDate(item.updated_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Shared(props: { items: IHolding[]; onOpen: (item: IHolding) => void }): JSX.Element {
  return (
    <section className="jp-MLHubProfile-section" aria-label="Shared with me">
      <h3 className="jp-MLHubProfile-subtitle">
        Shared with me <span className="jp-MLHubProfile-count">{props.items.length}</span>
      </h3>
      {props.items.length === 0 ? (
        <div className="jp-MLHubProfile-empty">Nothing is shared with you yet.</div>
      ) : (
        <table className="jp-MLHubProfile-table">
          <thead>
            <tr>
              <th>Kind</th>
              <th>Name</th>
              <th>Owner</th>
              <th>Role</th>
              <th>Through</th>
              <th className="jp-MLHubProfile-num">Size</th>
            </tr>
          </thead>
          <tbody>
            {props.items.map(item => (
              <tr key={`${item.kind}/${item.name}`}>
                <td>{item.kind}</td>
                <td><ItemLink item={item} onOpen={props.onOpen} /></td>
                <td>{item.owner}</td>
                <td>{item.role}</td>
                <td title={item.via.startsWith('group:') ? 'shared with a group you are in' : 'shared with you'}>
                  {item.via.startsWith('group:') ? item.via.slice('group:'.length) : 'you'}
                </td>
                <td className="jp-MLHubProfile-num" title={`${item.count} ${COUNT_NOUN[item.kind]}`}>
                  {formatBytes(item.size)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function ProfilePage(props: IProfilePageProps): JSX.Element {
  const { me } = props;
  return (
    <div className="jp-MLHubProfile">
      <header className="jp-MLHubProfile-header">
        <h2 className="jp-MLHub-title">Profile</h2>
        <span className="jp-MLHubRun-spacer" />
        <button type="button" className="jp-Button jp-mod-styled jp-mod-reject" onClick={props.onRefresh}
          disabled={props.loading}>
          {props.loading ? 'Loading…' : 'Refresh'}
        </button>
      </header>
      {props.error && <div className="jp-MLHubProfile-error" role="alert">{props.error}</div>}
      {me && (
        <>
          <Identity me={me} />
          <div className="jp-MLHubProfile-columns">
            <Owned title="My projects" items={me.projects} onOpen={props.onOpen} />
            <Owned title="My datasets" items={me.datasets} onOpen={props.onOpen} />
            <Owned title="My models" items={me.models} onOpen={props.onOpen} />
            <Shared items={me.shared_with_me} onOpen={props.onOpen} />
          </div>
          <TokensSection
            tokens={props.tokens}
            created={props.created}
            busy={props.busy}
            error={props.tokenError}
            currentTokenId={me.token?.id ?? null}
            onCreate={props.onCreateToken}
            onRevoke={props.onRevokeToken}
            onCopy={props.onCopy}
            onDismiss={props.onDismissCreated}
          />
        </>
      )}
    </div>
  );
}
