/**
 * Signing in, as the composition root assembles it: browser sessions, local
 * accounts with their password rules and TOTP second factor, and single
 * sign-on over OpenID Connect when it is configured.
 */
import type { Kysely } from 'kysely';
import type { AuditService } from '../audit/audit-service.ts';
import { createCredentialDal } from '../identity/credential-dal.ts';
import { createCredentialService } from '../identity/credential-service.ts';
import type { IdentityDal } from '../identity/identity-dal.ts';
import type { SecurityEvents } from '../identity/identity-types.ts';
import { createOidcProviderClient } from '../identity/oidc-client.ts';
import { createOidcDal } from '../identity/oidc-dal.ts';
import { createOidcService } from '../identity/oidc-service.ts';
import type { OidcSettings } from '../identity/oidc-types.ts';
import { loadPasswordRules } from '../identity/password-rules.ts';
import { createSessionDal } from '../identity/session-dal.ts';
import {
  createSessionService,
  DEFAULT_SESSION_ABSOLUTE_MS,
  DEFAULT_SESSION_IDLE_MS,
} from '../identity/session-service.ts';
import { createTotpService } from '../identity/totp-service.ts';
import type { Clock } from '../platform/clock.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import type { SignInConfig } from './config.ts';

export function createSignIn(deps: {
  db: Kysely<VigilDatabase>;
  audit: AuditService;
  clock: Clock;
  users: IdentityDal;
  signIn: Partial<SignInConfig>;
  oidc: OidcSettings | undefined;
  securityEvents: SecurityEvents | undefined;
}) {
  const { db, audit, clock, securityEvents, signIn } = deps;
  const sessionDal = createSessionDal();
  const sessions = createSessionService({
    db,
    dal: sessionDal,
    audit,
    clock,
    settings: {
      idleMs: signIn.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS,
      absoluteMs: signIn.sessionAbsoluteMs ?? DEFAULT_SESSION_ABSOLUTE_MS,
    },
    securityEvents,
  });
  const credentialDal = createCredentialDal();
  const credentials = createCredentialService({
    db,
    dal: credentialDal,
    sessionDal,
    sessions,
    audit,
    clock,
    rules: loadPasswordRules({
      minLength: signIn.passwordMinLength,
      blocklistFile: signIn.passwordBlocklistFile,
    }),
    securityEvents,
  });
  const totp = createTotpService({ db, dal: credentialDal, audit, clock });
  const oidcSettings = deps.oidc;
  const oidc = oidcSettings
    ? createOidcService({
        db,
        dal: createOidcDal(),
        users: deps.users,
        audit,
        clock,
        settings: oidcSettings,
        provider: createOidcProviderClient(oidcSettings),
        sessions,
        securityEvents,
      })
    : undefined;

  return { sessions, credentials, totp, oidc };
}
