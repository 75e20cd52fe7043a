/**
 * Who is signed in. The console works with a session cookie (local account
 * or single sign-on) or with an API token pasted once; both end up here.
 */
import { createContext, useContext } from 'react';

export interface SignedIn {
  email: string;
  displayName: string;
  role: string;
  /** How the console authenticates: the session cookie, or a pasted API token. */
  via: 'session' | 'token';
  /** What the server says this caller may do (GET /api/v1/me): the console offers nothing else. */
  permissions: Readonly<Record<string, 'any' | 'assigned'>>;
}

export const SessionContext = createContext<{ user: SignedIn; signOut: () => Promise<void> } | null>(null);

/**
 * Whether the caller holds `permission` (on any incident, or on those they
 * hold a role in). The server decides every request; this only keeps the
 * console from offering, or asking for, what would be refused.
 */
export function useCan(): (permission: string) => boolean {
  const { user } = useSession();
  return (permission) => user.permissions[permission] !== undefined;
}

/** The signed-in person; pages are only rendered once someone is. */
export function useSession(): { user: SignedIn; signOut: () => Promise<void> } {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in console');
  return session;
}
