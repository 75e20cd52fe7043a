/**
 * Signing in: email and password (and a one-time code when the account has a second factor),
 * single sign-on, or an API token pasted once and kept for this browser session only.
 */
import './SignInPage.css';
import { type FormEvent, useState } from 'react';
import { rememberToken } from '../api.ts';

interface Problem {
  type?: string;
  title?: string;
  detail?: string;
}

/** What a refused sign-in means, in words (docs/security.md lists the problem types). */
function explain(status: number, problem: Problem, retryAfter: string | null): string {
  const type = problem.type?.split(':').at(-1) ?? '';
  const wait = retryAfter ? ` Try again in ${waitWords(Number(retryAfter))}.` : '';
  switch (type) {
    case 'sign-in-failed':
      return 'The email or password is wrong.';
    case 'second-factor-invalid':
      return 'That code is wrong, too old, or was already used. Enter the current code from your app.';
    case 'sign-in-locked':
      return `This account is locked after too many failed attempts.${wait}`;
    case 'too-many-requests':
      return `Too many sign-in attempts.${wait}`;
    default:
      return `${problem.title ?? `Sign-in failed (${status})`}${problem.detail ? `: ${problem.detail}` : ''}`;
  }
}

function waitWords(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) return 'a moment';
  if (seconds < 90) return `${Math.ceil(seconds)} seconds`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

export default function SignInPage({ onSignedIn }: { onSignedIn: () => Promise<void> }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [needsCode, setNeedsCode] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [token, setToken] = useState('');
  const returnTo = location.pathname + location.search;

  const signIn = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const response = await fetch('/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        credentials: 'same-origin',
        body: JSON.stringify({ email, password, ...(needsCode && totp ? { totp } : {}) }),
      });
      if (response.ok) {
        await onSignedIn();
        return;
      }
      const problem = (await response.json().catch(() => ({}))) as Problem;
      if (problem.type?.endsWith('second-factor-required')) {
        setNeedsCode(true);
        setError('Enter the six-digit code from your authenticator app.');
      } else {
        setError(explain(response.status, problem, response.headers.get('retry-after')));
      }
    } catch {
      setError('The server could not be reached. Check your connection and try again.');
    } finally {
      setBusy(false);
    }
  };

  const signInWithToken = async (event: FormEvent) => {
    event.preventDefault();
    rememberToken(token.trim());
    setToken('');
    await onSignedIn();
  };

  return (
    <main id="main" className="sign-in">
      <h1>Sign in to Vigil</h1>
      <form onSubmit={signIn} aria-describedby={error ? 'sign-in-error' : undefined}>
        <label htmlFor="email">Email</label>
        <input
          id="email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <label htmlFor="password">Password</label>
        <input
          id="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {needsCode && (
          <>
            <label htmlFor="totp">Authenticator code</label>
            <input
              id="totp"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              required
              value={totp}
              onChange={(e) => setTotp(e.target.value)}
            />
          </>
        )}
        {error && (
          <p id="sign-in-error" className="sign-in-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>

      <section aria-labelledby="sso-heading">
        <h2 id="sso-heading">Single sign-on</h2>
        <p>
          <a href={`/auth/oidc/login?returnTo=${encodeURIComponent(returnTo)}`}>
            Sign in with single sign-on
          </a>
        </p>
        <p className="hint">
          Uses your organisation's identity provider. If single sign-on is not set up on this server, the link
          answers “not found”: use your email and password instead.
        </p>
      </section>

      <section>
        <h2 id="token-heading">Use an API token</h2>
        <form onSubmit={signInWithToken}>
          <label htmlFor="token">API token</label>
          <input
            id="token"
            type="password"
            autoComplete="off"
            required
            value={token}
            onChange={(e) => setToken(e.target.value)}
          />
          <p className="hint">
            Kept in this browser tab only, until you sign out or close it. Live updates refresh every 10
            seconds with a token.
          </p>
          <button type="submit">Use token</button>
        </form>
      </section>
    </main>
  );
}
