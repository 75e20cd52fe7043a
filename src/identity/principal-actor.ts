import type { Actor } from '../audit/audit-types.ts';
import type { Principal } from './identity-types.ts';

/**
 * The audit actor for a change a caller made: the person, and the
 * credential they made it with, so every write by an API token (or a
 * session) is bound into the audit chain.
 */
export function actorOf(principal: Principal): Actor {
  const { credential } = principal;
  return {
    type: 'user',
    userId: principal.user.id,
    email: principal.user.email,
    credential:
      credential.kind === 'token' ? `token:${credential.tokenId}` : `session:${credential.sessionId}`,
  };
}
