/**
 * Declaring an incident from the board: a title, a severity from the policy and what is known so
 * far. The clocks start at once; the new incident's page opens so the person can acknowledge it.
 */
import './panel-parts.css';
import { useState } from 'react';
import { post } from '../api.ts';
import { navigate } from '../router.tsx';
import { ActionProblem } from './ActionProblem.tsx';
import { FieldWithError } from './FieldWithError.tsx';
import { useApiAction } from './useApiResource.ts';

export function DeclareIncident({ severities }: { severities: { id: string; name: string }[] }) {
  const [open, setOpen] = useState(false);
  const [title, setTitle] = useState('');
  const [severity, setSeverity] = useState('');
  const [description, setDescription] = useState('');
  const action = useApiAction();
  const chosen = severity || severities.at(-1)?.id || '';

  if (!open) {
    return (
      <button type="button" className="primary" onClick={() => setOpen(true)}>
        Declare an incident
      </button>
    );
  }
  return (
    <form
      className="panel declare-form"
      aria-label="Declare an incident"
      onSubmit={(e) => {
        e.preventDefault();
        void action.run(
          () => post<{ reference: string }>('/api/v1/incidents', { title, severity: chosen, description }),
          (incident) => navigate(`/incidents/${incident.reference}`),
        );
      }}
    >
      <h2>Declare an incident</h2>
      <FieldWithError label="Title" error={action.error} field="title">
        {(control) => (
          <input {...control} value={title} onChange={(e) => setTitle(e.target.value)} required />
        )}
      </FieldWithError>
      <FieldWithError label="Severity" error={action.error} field="severity">
        {(control) => (
          <select {...control} value={chosen} onChange={(e) => setSeverity(e.target.value)}>
            {severities.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        )}
      </FieldWithError>
      <FieldWithError label="What is known so far" error={action.error} field="description">
        {(control) => (
          <textarea
            {...control}
            rows={3}
            value={description}
            onChange={(e) => setDescription(e.target.value)}
            required
          />
        )}
      </FieldWithError>
      <ActionProblem error={action.error} shownAtFields={['title', 'severity', 'description']} />
      <div className="form-buttons">
        <button
          type="submit"
          className="primary"
          disabled={action.busy || !title.trim() || !description.trim()}
        >
          Declare
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
