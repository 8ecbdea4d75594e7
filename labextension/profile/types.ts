/** REST shapes of `GET /me` and `/me/tokens` (mlhub_ext/server/openapi_me.py). */
import { Role, Visibility } from '../tokens';

export type HoldingKind = 'project' | 'dataset' | 'model';
export type TokenScope = 'read' | 'write';

/** A project, dataset or model the caller owns or was given. */
export interface IHolding {
  kind: HoldingKind;
  name: string;
  owner: string;
  visibility: Visibility;
  /** runs of a project, versions of a dataset or model */
  count: number;
  /** bytes stored: run artifacts, dataset files, model artifacts */
  size: number;
  updated_at: string | null;
  role: Role;
  /** the member name granting the role: the caller or `group:<hub group>` */
  via: string;
}

export interface IApiToken {
  id: number;
  user: string;
  name: string;
  prefix: string;
  scope: TokenScope;
  created_at: string | null;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** The answer of `POST /me/tokens`: the record plus the value, sent this once. */
export interface ICreatedToken extends IApiToken {
  token: string;
}

export interface IMe {
  name: string;
  mode: 'local' | 'hub' | 'standalone' | string;
  groups: string[];
  hub: { name: string; admin: boolean; groups: string[] } | null;
  github: { login: string; url: string; avatar_url: string } | null;
  token: IApiToken | null;
  projects: IHolding[];
  datasets: IHolding[];
  models: IHolding[];
  shared_with_me: IHolding[];
  storage: { projects: number; datasets: number; models: number; total: number };
}

/** What the token form sends: `expiresInDays` null for a token that never expires. */
export interface INewToken {
  name: string;
  expiresInDays: number | null;
  scope: TokenScope;
}
