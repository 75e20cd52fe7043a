/** Drafting or rewriting a message: audience, template, the template's fields, and who gets it. */
import { useMemo, useState } from 'react';
import { post, put } from '../../api.ts';
import { ActionProblem } from '../../components/ActionProblem.tsx';
import { FieldWithError } from '../../components/FieldWithError.tsx';
import { useApiAction } from '../../components/useApiResource.ts';
import type { Incident } from '../types.ts';
import {
  type Audience,
  type Communication,
  FIELD_LABELS,
  type MessageTemplate,
} from './communication-shapes.ts';

function splitEmails(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function CommunicationComposer({
  incident,
  templates,
  editing,
  onSaved,
  onCancel,
}: {
  incident: Incident;
  templates: MessageTemplate[];
  /** The draft being rewritten, or null for a new one. */
  editing: Communication | null;
  onSaved: (saved: Communication) => void;
  onCancel?: () => void;
}) {
  const draftable = templates.filter((t) => t.draftable);
  const [audience, setAudience] = useState<Audience>(editing?.audience ?? 'customers');
  const forAudience = draftable.filter((t) => t.audience === audience);
  const [templateId, setTemplateId] = useState(editing?.template ?? forAudience[0]?.id ?? '');
  const template = useMemo(() => draftable.find((t) => t.id === templateId), [draftable, templateId]);
  const [values, setValues] = useState<Record<string, string>>(() => ({ ...(editing?.values ?? {}) }));
  const [customerIds, setCustomerIds] = useState<string[]>(
    editing?.customerIds ?? incident.affectedCustomers.map((c) => c.id),
  );
  const [recipients, setRecipients] = useState((editing?.recipients ?? []).join(', '));
  const action = useApiAction();

  const chooseAudience = (next: Audience) => {
    setAudience(next);
    setTemplateId(draftable.find((t) => t.audience === next)?.id ?? '');
  };

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const fields = Object.fromEntries(
      (template?.fields ?? []).map((f) => [f, values[f] ?? '']).filter(([, v]) => v !== ''),
    );
    const body = {
      audience,
      template: templateId,
      ...fields,
      ...(audience === 'customers' ? { customerIds } : { recipients: splitEmails(recipients) }),
    };
    const path = `/api/v1/incidents/${incident.id}/communications`;
    await action.run(
      () => (editing ? put<Communication>(`${path}/${editing.id}`, body) : post<Communication>(path, body)),
      onSaved,
    );
  };

  const toggleCustomer = (id: string, on: boolean) =>
    setCustomerIds((ids) => (on ? [...ids, id] : ids.filter((x) => x !== id)));

  return (
    <form
      onSubmit={submit}
      className="composer"
      aria-label={editing ? 'Rewrite the draft' : 'Draft a message'}
    >
      <div className="form-grid">
        <FieldWithError label="Audience" error={action.error} field="audience">
          {(control) => (
            <select
              {...control}
              value={audience}
              onChange={(e) => chooseAudience(e.target.value as Audience)}
            >
              <option value="customers">Customers</option>
              <option value="internal">Internal (staff)</option>
            </select>
          )}
        </FieldWithError>
        <FieldWithError label="Template" error={action.error} field="template">
          {(control) => (
            <select {...control} value={templateId} onChange={(e) => setTemplateId(e.target.value)} required>
              {forAudience.length === 0 && <option value="">No template for this audience</option>}
              {forAudience.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.id.replaceAll('_', ' ')}
                </option>
              ))}
            </select>
          )}
        </FieldWithError>
      </div>
      {template && (
        <p className="item-meta">
          Subject as written: <q>{template.subject}</q>
        </p>
      )}
      {(template?.fields ?? []).map((f) => {
        const spec = FIELD_LABELS[f] ?? { label: f, multiline: true };
        return (
          <FieldWithError key={f} label={spec.label} hint={spec.hint} error={action.error} field={f}>
            {(control) =>
              spec.multiline ? (
                <textarea
                  {...control}
                  value={values[f] ?? ''}
                  onChange={(e) => setValues((v) => ({ ...v, [f]: e.target.value }))}
                />
              ) : (
                <input
                  {...control}
                  value={values[f] ?? ''}
                  onChange={(e) => setValues((v) => ({ ...v, [f]: e.target.value }))}
                />
              )
            }
          </FieldWithError>
        );
      })}
      {audience === 'customers' ? (
        <fieldset>
          <legend>Customers to tell</legend>
          {incident.affectedCustomers.length === 0 && (
            <p className="panel-note">No affected customers are linked to this incident yet.</p>
          )}
          {incident.affectedCustomers.map((c) => (
            <label key={c.id} className="choice-check">
              <input
                type="checkbox"
                checked={customerIds.includes(c.id)}
                onChange={(e) => toggleCustomer(c.id, e.target.checked)}
              />
              {c.name}
            </label>
          ))}
        </fieldset>
      ) : (
        <FieldWithError
          label="Extra recipients"
          hint="Email addresses beyond the people holding a role on the incident, separated by commas."
          error={action.error}
          field="recipients"
        >
          {(control) => (
            <input {...control} value={recipients} onChange={(e) => setRecipients(e.target.value)} />
          )}
        </FieldWithError>
      )}
      <ActionProblem
        error={action.error}
        shownAtFields={['audience', 'template', 'recipients', ...(template?.fields ?? [])]}
      />
      <div className="button-row">
        <button type="submit" className="primary" disabled={action.busy || !templateId}>
          {action.busy ? 'Saving…' : editing ? 'Save changes' : 'Save draft'}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
