/** What each refused single sign-on answers (pure): its HTTP status and the words the person reads. */
import type { OidcFailure, OidcFailureReason } from './oidc-types.ts';

const START_AGAIN = 'Start the sign-in again from Vigil.';

const FAILURES: Record<OidcFailureReason, { status: OidcFailure['status']; message: string }> = {
  missing_state_cookie: {
    status: 400,
    message: `This sign-in did not start in this browser, or the browser did not keep its cookie. ${START_AGAIN}`,
  },
  unknown_state: { status: 400, message: `This sign-in is not known to Vigil. ${START_AGAIN}` },
  state_replayed: { status: 400, message: `This sign-in has already been used. ${START_AGAIN}` },
  state_expired: {
    status: 400,
    message: `This sign-in took more than 10 minutes and has expired. ${START_AGAIN}`,
  },
  state_mismatch: { status: 400, message: `The answer does not belong to this sign-in. ${START_AGAIN}` },
  provider_error: { status: 401, message: 'The identity provider did not sign you in.' },
  token_rejected: {
    status: 401,
    message: 'The identity provider’s answer could not be verified, so you are not signed in.',
  },
  provider_unavailable: {
    status: 503,
    message: 'The identity provider cannot be reached right now. Try again shortly.',
  },
  tenant_not_allowed: { status: 403, message: 'Your organisation may not sign in to Vigil.' },
  no_email: { status: 403, message: 'The identity provider sent no email address for you.' },
  no_role: { status: 403, message: 'You have no role in Vigil. Ask an administrator to assign you one.' },
  user_disabled: { status: 403, message: 'Your Vigil account is disabled.' },
  identity_conflict: {
    status: 403,
    message: 'Your email address already belongs to another sign-in of this provider. Ask an administrator.',
  },
};

/** The failure for `reason`; `message` replaces the standard words when given (it must be safe to show). */
export function oidcFailure(reason: OidcFailureReason, message?: string): OidcFailure {
  const known = FAILURES[reason];
  return { ok: false, status: known.status, reason, message: message ?? known.message };
}
