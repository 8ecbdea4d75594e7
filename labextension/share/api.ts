/** The REST calls of the Share dialog, all through the one HTTP seam (`request.ts`). */
import { requestAPI } from '../request';
import { IProject, Role, Visibility } from '../tokens';

/** A role a member can be given; the owner's role is not one of them. */
export type MemberRole = Exclude<Role, 'owner'>;

export const MEMBER_ROLES: readonly MemberRole[] = ['read', 'edit', 'manage'];

/** One row of `GET /projects/{name}/members`: the owner first, then the members. */
export interface IMember {
  project: string;
  user: string;
  role: Role;
}

const enc = encodeURIComponent;

export function getProject(project: string): Promise<IProject> {
  return requestAPI<IProject>(`projects/${enc(project)}`);
}

export async function listMembers(project: string): Promise<IMember[]> {
  const body = await requestAPI<{ members: IMember[] }>(
    `projects/${enc(project)}/members`
  );
  return body.members;
}

/** Add `user` to `project`, or change their role (`PUT` is idempotent). */
export function setMember(
  project: string,
  user: string,
  role: MemberRole
): Promise<IMember> {
  return requestAPI<IMember>(`projects/${enc(project)}/members/${enc(user)}`, {
    method: 'PUT',
    body: JSON.stringify({ role })
  });
}

export function removeMember(project: string, user: string): Promise<void> {
  return requestAPI<void>(`projects/${enc(project)}/members/${enc(user)}`, {
    method: 'DELETE'
  });
}

export function setVisibility(
  project: string,
  visibility: Visibility
): Promise<IProject> {
  return requestAPI<IProject>(`projects/${enc(project)}`, {
    method: 'PATCH',
    body: JSON.stringify({ visibility })
  });
}

/** Whether a caller with `role` may change a project's members and visibility. */
export function canManage(role: Role | undefined): boolean {
  return role === 'owner' || role === 'manage';
}
