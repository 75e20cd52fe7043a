import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { ApiError, get, post, rememberToken, setCsrfToken, storedToken } from './api.ts';
import { Layout } from './components/Layout.tsx';
import { LoadingState } from './components/States.tsx';
import { setPolicyTimeZone } from './format.ts';
import { match, useLocation } from './router.tsx';
import { SessionContext, type SignedIn } from './session.tsx';

const BoardPage = lazy(() => import('./pages/BoardPage.tsx'));
const IncidentPage = lazy(() => import('./pages/IncidentPage.tsx'));
const SignalsPage = lazy(() => import('./pages/SignalsPage.tsx'));
const ActionsPage = lazy(() => import('./pages/ActionsPage.tsx'));
const ExercisesPage = lazy(() => import('./pages/ExercisesPage.tsx'));
const ReportsPage = lazy(() => import('./pages/ReportsPage.tsx'));
const CompliancePage = lazy(() => import('./pages/CompliancePage.tsx'));
const PolicyPage = lazy(() => import('./pages/PolicyPage.tsx'));
const SignInPage = lazy(() => import('./pages/SignInPage.tsx'));
const NotFoundPage = lazy(() => import('./pages/NotFoundPage.tsx'));

/** The page for a path. */
function Page({ path }: { path: string }) {
  const incident = match('/incidents/:id', path);
  if (incident) return <IncidentPage id={incident.id!} />;
  switch (path) {
    case '/':
    case '/incidents':
      return <BoardPage />;
    case '/signals':
      return <SignalsPage />;
    case '/actions':
      return <ActionsPage />;
    case '/exercises':
      return <ExercisesPage />;
    case '/reports':
      return <ReportsPage />;
    case '/compliance':
      return <CompliancePage />;
    case '/policy':
      return <PolicyPage />;
    default:
      return <NotFoundPage />;
  }
}

interface SessionAnswer {
  csrfToken: string;
}

interface MeAnswer {
  user: { email: string; name: string; role: string };
  permissions: Record<string, 'any' | 'assigned'>;
}

export function App() {
  const [user, setUser] = useState<SignedIn | null | undefined>(undefined);
  const { path } = useLocation();

  const resume = useCallback(async () => {
    try {
      let via: SignedIn['via'] = 'token';
      if (!storedToken()) {
        const session = await get<SessionAnswer>('/auth/session');
        setCsrfToken(session.csrfToken);
        via = 'session';
      }
      const me = await get<MeAnswer>('/api/v1/me');
      // Instants show the policy's zone on hover: the zone of the policy in force, not a default.
      if (me.permissions['policy:read']) {
        const { policy } = await get<{ policy: { time: { timeZone: string } } }>('/api/v1/policy');
        setPolicyTimeZone(policy.time.timeZone);
      }
      setUser({
        email: me.user.email,
        displayName: me.user.name,
        role: me.user.role,
        via,
        permissions: me.permissions,
      });
    } catch (error) {
      // No session, or a revoked or expired token: forget it and ask again.
      rememberToken(null);
      if (!(error instanceof ApiError && (error.status === 401 || error.status === 403))) throw error;
      setUser(null);
    }
  }, []);

  useEffect(() => {
    resume().catch(() => setUser(null));
  }, [resume]);

  const signOut = useCallback(async () => {
    if (storedToken()) rememberToken(null);
    else await post('/auth/logout').catch(() => undefined);
    setCsrfToken(null);
    setUser(null);
  }, []);

  if (user === undefined) return <LoadingState label="Starting the console" />;
  if (user === null) {
    return (
      <Suspense fallback={<LoadingState label="Loading sign-in" />}>
        <SignInPage onSignedIn={resume} />
      </Suspense>
    );
  }
  return (
    <SessionContext.Provider value={{ user, signOut }}>
      <Layout>
        <Suspense fallback={<LoadingState label="Loading the page" />}>
          <Page path={path} />
        </Suspense>
      </Layout>
    </SessionContext.Provider>
  );
}
