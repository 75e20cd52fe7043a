import type { ReactNode } from 'react';
import { Link, useLocation } from '../router.tsx';
import { useSession } from '../session.tsx';

const NAV = [
  { to: '/incidents', label: 'Incidents' },
  { to: '/signals', label: 'Signals' },
  { to: '/actions', label: 'Actions' },
  { to: '/exercises', label: 'Exercises' },
  { to: '/reports', label: 'Reports' },
  { to: '/compliance', label: 'Compliance' },
  { to: '/policy', label: 'Policy' },
];

/** The frame of every page: a skip link, the navigation, who is signed in, and the page. */
export function Layout({ children }: { children: ReactNode }) {
  const { path } = useLocation();
  const { user, signOut } = useSession();
  const current = (to: string) =>
    path === to || path.startsWith(`${to}/`) || (to === '/incidents' && path === '/');
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link to="/incidents" className="brand">
          Vigil
        </Link>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.to}>
                <Link to={item.to} aria-current={current(item.to) ? 'page' : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span title={user.email}>
            {user.displayName} <span className="role">({user.role})</span>
          </span>
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
