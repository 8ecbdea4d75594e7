/** The REST calls of the profile view, all through the one HTTP seam. */
import { requestAPI } from '../request';
import { IApiToken, ICreatedToken, IMe, INewToken } from './types';

export function getMe(): Promise<IMe> {
  return requestAPI<IMe>('me');
}

export async function listTokens(): Promise<IApiToken[]> {
  return (await requestAPI<{ tokens: IApiToken[] }>('me/tokens')).tokens;
}

export function createToken(token: INewToken): Promise<ICreatedToken> {
  return requestAPI<ICreatedToken>('me/tokens', {
    method: 'POST',
    body: JSON.stringify({
      name: token.name,
      expires_in_days: token.expiresInDays,
      scope: token.scope
    })
  });
}

export function revokeToken(id: number): Promise<void> {
  return requestAPI<void>(`me/tokens/${encodeURIComponent(String(id))}`, { method: 'DELETE' });
}
