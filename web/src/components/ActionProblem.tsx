/**
 * What went wrong with a button press, in words: a 403 says the caller may not do it, a 409 that
 * the thing's state does not allow it now, then the server's own title and detail and any
 * fields it named.
 */
import './panel-parts.css';
import { ApiError } from '../api.ts';
import { fieldReason } from './FieldWithError.tsx';

const LEAD: Record<number, string> = {
  403: 'You are not allowed to do this.',
  409: 'Not possible in its current state.',
  413: 'Too large.',
  422: 'The server could not accept this as it stands.',
};

/**
 * @param shownAtFields fields whose reasons the form already shows beside them: those are not
 *   repeated here, the message points to them instead.
 */
export function ActionProblem({ error, shownAtFields = [] }: { error: unknown; shownAtFields?: string[] }) {
  if (!error) return null;
  const problem = error instanceof ApiError ? error : null;
  const lead = problem ? LEAD[problem.status] : undefined;
  const atFields = problem
    ? problem.errors.filter((e) => shownAtFields.some((f) => fieldReason({ errors: [e] }, f) !== null))
    : [];
  const elsewhere = problem ? problem.errors.filter((e) => !atFields.includes(e)) : [];
  if (problem && atFields.length > 0) {
    return (
      <div className="action-problem" role="alert">
        <p>
          <strong>{problem.title}:</strong> see the {atFields.length === 1 ? 'field' : 'fields'} marked above.
        </p>
        {elsewhere.length > 0 && (
          <ul>
            {elsewhere.map((e) => (
              <li key={`${e.field}:${e.reason}`}>
                <code>{e.field}</code> {e.reason}
              </li>
            ))}
          </ul>
        )}
      </div>
    );
  }
  return (
    <div className="action-problem" role="alert">
      <p>
        {lead && <strong>{lead} </strong>}
        {problem ? problem.title : 'Something went wrong'}
        {problem?.detail ? `: ${problem.detail}` : ''}
        {!problem && error instanceof Error ? `: ${error.message}` : ''}
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
    </div>
  );
}
