/** REST shapes of `GET /me` and `/me/tokens` (generated: mlhub_ext/server/schemas/me.py). */
import type { Schemas } from '../api/types';

export type HoldingKind = Schemas['Holding']['kind'];
export type TokenScope = Schemas['ApiToken']['scope'];

/** A project, dataset or model the caller owns or was given (`count`: runs or versions; `size`: bytes). */
export type IHolding = Schemas['Holding'];

export type IApiToken = Schemas['ApiToken'];

/** The answer of `POST /me/tokens`: the record plus the value, sent this once. */
export type ICreatedToken = Schemas['CreatedApiToken'];

export type IMe = Schemas['Me'];

/** What the token form sends: `expiresInDays` null for a token that never expires. */
export interface INewToken {
  name: string;
  expiresInDays: number | null;
  scope: TokenScope;
}
