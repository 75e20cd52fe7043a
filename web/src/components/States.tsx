/** Loading, empty and error states: every page shows one while it has nothing else to show. */
import { ApiError } from '../api.ts';

export function LoadingState({ label }: { label: string }) {
  return (
    <p className="state state-loading" role="status" aria-live="polite">
      {label}…
    </p>
  );
}

export function EmptyState({ children }: { children: React.ReactNode }) {
  return <p className="state state-empty">{children}</p>;
}

/** A failed request, in words: the server's problem title and detail, and the fields it named. */
export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  const problem = error instanceof ApiError ? error : null;
  return (
    <div className="state state-error" role="alert">
      <p>
        <strong>{problem ? problem.title : 'Something went wrong'}</strong>
        {problem?.detail
          ? `: ${problem.detail}`
          : error instanceof Error && !problem
            ? `: ${error.message}`
            : ''}
      </p>
      {problem && problem.errors.length > 0 && (
        <ul>
          {problem.errors.map((e) => (
            <li key={`${e.field}:${e.reason}`}>
              <code>{e.field}</code> {e.reason}
            </li>
          ))}
        </ul>
      )}
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}
