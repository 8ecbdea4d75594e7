/**
 * The body of the Share dialog: a project's owner and members with their roles, a form
 * to add someone, and its visibility. Only callers who may manage the project get
 * enabled controls; the registry still decides, and its refusals are shown verbatim.
 */
import React, { useState } from 'react';

import { useModelState } from '../components/useModel';
import { Visibility } from '../tokens';
import { canManage, IMember, MEMBER_ROLES, MemberRole } from './api';
import { ShareModel } from './model';

export interface ISharePanelProps {
  model: ShareModel;
}

export function SharePanel(props: ISharePanelProps): JSX.Element {
  const { model } = props;
  const name = model.name;
  const state = useModelState(model);
  const { project, members, error } = state;
  const busy = state.busy || state.loading;
  const manage = canManage(project?.role);
  const disabled = busy || !manage;

  return (
    <div className="jp-MLHub-share" data-project={name} aria-busy={busy}>
      {error && (
        <div className="jp-MLHub-error" role="alert">
          {error}
        </div>
      )}
      {project && (
        <>
          <p className="jp-MLHub-shareSummary">
            Owner <strong>{project.owner}</strong> · your role{' '}
            <strong className="jp-MLHub-shareYourRole">{project.role}</strong>
          </p>
          {!manage && (
            <p className="jp-MLHub-shareNote">
              Only the owner or a member with the manage role can change who has
              access.
            </p>
          )}
          <VisibilityToggle
            visibility={project.visibility}
            disabled={disabled}
            onChange={visibility => void model.setVisibility(visibility)}
          />
        </>
      )}
      <table className="jp-MLHub-shareMembers" aria-label="Members">
        <thead>
          <tr>
            <th scope="col">User</th>
            <th scope="col">Role</th>
            <th scope="col">
              <span className="jp-MLHub-visuallyHidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {members.map(member => (
            <MemberRow
              key={member.user}
              member={member}
              disabled={disabled}
              onRole={role => void model.setMember(member.user, role)}
              onRemove={() => void model.removeMember(member.user)}
            />
          ))}
        </tbody>
      </table>
      <AddMemberForm
        disabled={disabled}
        onAdd={(user, role) => model.setMember(user, role)}
      />
    </div>
  );
}

function VisibilityToggle(props: {
  visibility: Visibility;
  disabled: boolean;
  onChange: (visibility: Visibility) => void;
}): JSX.Element {
  const isPublic = props.visibility === 'public';
  return (
    <label className="jp-MLHub-shareVisibility">
      <input
        type="checkbox"
        checked={isPublic}
        disabled={props.disabled}
        onChange={event => props.onChange(event.target.checked ? 'public' : 'private')}
      />
      Public: every signed-in user can read this project
    </label>
  );
}

function MemberRow(props: {
  member: IMember;
  disabled: boolean;
  onRole: (role: MemberRole) => void;
  onRemove: () => void;
}): JSX.Element {
  const { member, disabled } = props;
  const owner = member.role === 'owner';
  return (
    <tr className="jp-MLHub-shareMember" data-user={member.user} data-role={member.role}>
      <td className="jp-MLHub-shareUser">{member.user}</td>
      <td>
        {owner ? (
          <span className="jp-MLHub-shareOwner">owner</span>
        ) : (
          <select
            className="jp-mod-styled"
            aria-label={`Role of ${member.user}`}
            value={member.role}
            disabled={disabled}
            onChange={event => props.onRole(event.target.value as MemberRole)}
          >
            {MEMBER_ROLES.map(role => (
              <option key={role} value={role}>
                {role}
              </option>
            ))}
          </select>
        )}
      </td>
      <td>
        {!owner && (
          <button
            type="button"
            className="jp-Button jp-mod-styled jp-mod-reject"
            aria-label={`Remove ${member.user}`}
            disabled={disabled}
            onClick={props.onRemove}
          >
            Remove
          </button>
        )}
      </td>
    </tr>
  );
}

function AddMemberForm(props: {
  disabled: boolean;
  onAdd: (user: string, role: MemberRole) => Promise<boolean>;
}): JSX.Element {
  const [user, setUser] = useState('');
  const [role, setRole] = useState<MemberRole>('read');
  const submit = async (event: React.FormEvent): Promise<void> => {
    event.preventDefault();
    if (await props.onAdd(user.trim(), role)) {
      setUser('');
    }
  };
  return (
    <form className="jp-MLHub-shareAdd" onSubmit={event => void submit(event)}>
      <input
        className="jp-mod-styled"
        type="text"
        aria-label="User to add"
        title="The user name of the person to add"
        value={user}
        disabled={props.disabled}
        onChange={event => setUser(event.target.value)}
      />
      <select
        className="jp-mod-styled"
        aria-label="Role for the new member"
        value={role}
        disabled={props.disabled}
        onChange={event => setRole(event.target.value as MemberRole)}
      >
        {MEMBER_ROLES.map(r => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      <button
        type="submit"
        className="jp-Button jp-mod-styled jp-mod-accept"
        disabled={props.disabled || user.trim() === ''}
      >
        Add
      </button>
    </form>
  );
}
