/** API tokens: create (name, expiry, scope), the new token shown once with Copy, list, revoke. */
import React, { useState } from 'react';

import { formatDate } from '../../datasets/components/format';
import { IApiToken, ICreatedToken, INewToken, TokenScope } from '../types';

/** Expiry choices of the form, in days; null never expires. */
export const EXPIRY_CHOICES: ReadonlyArray<{ label: string; days: number | null }> = [
  { label: '7 days', days: 7 },
  { label: '30 days', days: 30 },
  { label: '90 days', days: 90 },
  { label: '1 year', days: 365 },
  { label: 'Never', days: null }
];

function expiryText(token: IApiToken): string {
  if (!token.expires_at) {
    return 'never';
  }
  const at = new Date(token.expires_at);
  return at.getTime() <= Date.now() ? `expired ${at.toLocaleString()}` : at.toLocaleString();
}

export interface ITokensSectionProps {
  tokens: ReadonlyArray<IApiToken>;
  created: ICreatedToken | null;
  busy: boolean;
  error: string | null;
  /** The token this page's own requests use, if it is an ML Hub token. */
  currentTokenId: number | null;
  onCreate: (token: INewToken) => Promise<boolean>;
  onRevoke: (token: IApiToken) => void;
  onCopy: (value: string) => Promise<boolean>;
  onDismiss: () => void;
}

function NewTokenForm(props: Pick<ITokensSectionProps, 'busy' | 'onCreate'>): JSX.Element {
  const [name, setName] = useState('');
  const [expiry, setExpiry] = useState(1);
  const [scope, setScope] = useState<TokenScope>('write');
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const ok = await props.onCreate({ name: name.trim(), expiresInDays: EXPIRY_CHOICES[expiry].days, scope });
    if (ok) {
      setName('');
    }
  };
  return (
    <form className="jp-MLHubProfile-tokenForm" aria-label="new API token" onSubmit={e => void submit(e)}>
      <label>
        Name
        <input
          className="jp-mod-styled"
          value={name}
          placeholder="what it is for, e.g. CI job"
          maxLength={100}
          onChange={e => setName(e.target.value)}
        />
      </label>
      <label>
        Expires after
        <select className="jp-mod-styled" value={expiry} onChange={e => setExpiry(Number(e.target.value))}>
          {EXPIRY_CHOICES.map((choice, i) => (
            <option key={choice.label} value={i}>
              {choice.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Scope
        <select
          className="jp-mod-styled"
          value={scope}
          onChange={e => setScope(e.target.value as TokenScope)}
        >
          <option value="write">Read and write</option>
          <option value="read">Read only</option>
        </select>
      </label>
      <button
        type="submit"
        className="jp-Button jp-mod-styled jp-mod-accept"
        disabled={props.busy || name.trim() === ''}
      >
        Create token
      </button>
    </form>
  );
}

function CreatedToken(props: {
  created: ICreatedToken;
  onCopy: (value: string) => Promise<boolean>;
  onDismiss: () => void;
}): JSX.Element {
  const [copied, setCopied] = useState<boolean | null>(null);
  return (
    <div className="jp-MLHubProfile-created" role="status" aria-label="new token">
      <div>
        Token <strong>{props.created.name}</strong> ({props.created.scope === 'read' ? 'read only' : 'read and write'}):
        copy it now. It is shown only once; ML Hub keeps only its hash.
      </div>
      <div className="jp-MLHubProfile-createdValue">
        <input
          className="jp-mod-styled jp-MLHubProfile-mono"
          readOnly
          aria-label="token value"
          value={props.created.token}
          onFocus={e => e.target.select()}
        />
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-accept"
          onClick={() => void props.onCopy(props.created.token).then(setCopied)}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" className="jp-Button jp-mod-styled jp-mod-reject" onClick={props.onDismiss}>
          Done
        </button>
      </div>
      {copied === false && (
        <div className="jp-MLHubProfile-error">The browser refused the clipboard: select the value and copy it.</div>
      )}
    </div>
  );
}

export function TokensSection(props: ITokensSectionProps): JSX.Element {
  return (
    <section className="jp-MLHubProfile-section" aria-label="API tokens">
      <h3 className="jp-MLHubProfile-subtitle">API tokens</h3>
      <p className="jp-MLHubProfile-hint">
        For scripts and CI: send <code>Authorization: token &lt;value&gt;</code> to the ML Hub API, or{' '}
        <code>mh.login(url, token)</code>. A read-only token cannot change anything.
      </p>
      <NewTokenForm busy={props.busy} onCreate={props.onCreate} />
      {props.error && <div className="jp-MLHubProfile-error" role="alert">{props.error}</div>}
      {props.created && (
        <CreatedToken created={props.created} onCopy={props.onCopy} onDismiss={props.onDismiss} />
      )}
      {props.tokens.length === 0 ? (
        <div className="jp-MLHubProfile-empty">No API tokens.</div>
      ) : (
        <table className="jp-MLHubProfile-table" aria-label="tokens">
          <thead>
            <tr>
              <th>Name</th>
              <th>Scope</th>
              <th>Created</th>
              <th>Last used</th>
              <th>Expires</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {props.tokens.map(token => (
              <tr key={token.id} data-token={token.name}>
                <td>
                  {token.name || '(unnamed)'} <span className="jp-MLHubProfile-mono">{token.prefix}…</span>
                  {token.id === props.currentTokenId && <span className="jp-MLHubProfile-badge">this session</span>}
                </td>
                <td>{token.scope === 'read' ? 'read only' : 'read and write'}</td>
                <td>{formatDate(token.created_at)}</td>
                <td>{token.last_used_at ? formatDate(token.last_used_at) : 'never'}</td>
                <td>{expiryText(token)}</td>
                <td>
                  <button
                    type="button"
                    className="jp-Button jp-mod-styled jp-mod-warn"
                    disabled={props.busy}
                    aria-label={`Revoke ${token.name}`}
                    onClick={() => props.onRevoke(token)}
                  >
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
