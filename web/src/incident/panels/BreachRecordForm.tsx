/** The breach record: status, when it became known and confirmed, what and whom it touches, and what is done. */
import { useState } from 'react';
import { put } from '../../api.ts';
import { ActionProblem } from '../../components/ActionProblem.tsx';
import { FieldWithError } from '../../components/FieldWithError.tsx';
import { useApiAction } from '../../components/useApiResource.ts';
import { type Breach, type BreachRecord, fromLocalInput, splitList, toLocalInput } from './breach-shapes.ts';

const NATURES = ['confidentiality', 'integrity', 'availability'];

interface Draft {
  status: BreachRecord['status'];
  role: BreachRecord['role'];
  awarenessAt: string;
  confirmedAt: string;
  nature: string[];
  dataCategories: string;
  peopleCategories: string;
  approxPeople: string;
  approxRecords: string;
  likelyConsequences: string;
  measuresTaken: string;
  measuresProposed: string;
  contactPoint: string;
}

function draftOf(r: BreachRecord | null): Draft {
  return {
    status: r?.status ?? 'suspected',
    role: r?.role ?? 'controller',
    awarenessAt: toLocalInput(r?.awarenessAt ?? null),
    confirmedAt: toLocalInput(r?.confirmedAt ?? null),
    nature: r?.nature ?? [],
    dataCategories: (r?.dataCategories ?? []).join(', '),
    peopleCategories: (r?.peopleCategories ?? []).join(', '),
    approxPeople: r?.approxPeople?.toString() ?? '',
    approxRecords: r?.approxRecords?.toString() ?? '',
    likelyConsequences: r?.likelyConsequences ?? '',
    measuresTaken: r?.measuresTaken ?? '',
    measuresProposed: r?.measuresProposed ?? '',
    contactPoint: r?.contactPoint ?? '',
  };
}

const RECORD_FIELDS = [
  'status',
  'role',
  'awarenessAt',
  'confirmedAt',
  'dataCategories',
  'peopleCategories',
  'approxPeople',
  'approxRecords',
  'likelyConsequences',
  'measuresTaken',
  'measuresProposed',
  'contactPoint',
];

const count = (text: string) => (text.trim() === '' ? null : Number(text));

export function BreachRecordForm({
  incidentId,
  record,
  onSaved,
}: {
  incidentId: string;
  /** The current record, or null when none is recorded yet. */
  record: BreachRecord | null;
  onSaved: (breach: Breach) => void;
}) {
  const [d, setD] = useState<Draft>(() => draftOf(record));
  const action = useApiAction();
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setD((x) => ({ ...x, [key]: value }));
  const text = (key: keyof Draft) => ({
    value: d[key] as string,
    onChange: (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => set(key, e.target.value),
  });

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const body = {
      status: d.status,
      role: d.role,
      awarenessAt: fromLocalInput(d.awarenessAt),
      confirmedAt: d.status === 'confirmed' ? fromLocalInput(d.confirmedAt) : undefined,
      nature: d.nature,
      dataCategories: splitList(d.dataCategories),
      peopleCategories: splitList(d.peopleCategories),
      approxPeople: count(d.approxPeople),
      approxRecords: count(d.approxRecords),
      likelyConsequences: d.likelyConsequences,
      measuresTaken: d.measuresTaken,
      measuresProposed: d.measuresProposed,
      contactPoint: d.contactPoint,
      // A PUT replaces the record: keep what this form does not edit.
      determinations: record?.determinations ?? [],
      determinedAt: record?.determinedAt ?? undefined,
    };
    await action.run(() => put<Breach>(`/api/v1/incidents/${incidentId}/breach`, body), onSaved);
  };

  const e = action.error;
  return (
    <form onSubmit={submit} aria-label="Breach record">
      <div className="form-grid">
        <FieldWithError label="Status" error={e} field="status">
          {(c) => (
            <select
              {...c}
              value={d.status}
              onChange={(x) => set('status', x.target.value as Draft['status'])}
            >
              <option value="suspected">Suspected</option>
              <option value="confirmed">Confirmed</option>
              <option value="ruled_out">Ruled out</option>
            </select>
          )}
        </FieldWithError>
        <FieldWithError label="Our role" error={e} field="role">
          {(c) => (
            <select {...c} value={d.role} onChange={(x) => set('role', x.target.value as Draft['role'])}>
              <option value="controller">Controller</option>
              <option value="processor">Processor (for a customer)</option>
            </select>
          )}
        </FieldWithError>
        <FieldWithError
          label="Became aware at"
          hint="Your local time. Empty: the first record."
          error={e}
          field="awarenessAt"
        >
          {(c) => <input {...c} type="datetime-local" {...text('awarenessAt')} />}
        </FieldWithError>
        <FieldWithError
          label="Confirmed at"
          hint="For a confirmed breach. Empty: now."
          error={e}
          field="confirmedAt"
        >
          {(c) => (
            <input
              {...c}
              type="datetime-local"
              disabled={d.status !== 'confirmed'}
              {...text('confirmedAt')}
            />
          )}
        </FieldWithError>
      </div>
      <fieldset>
        <legend>Nature (what was lost)</legend>
        {NATURES.map((n) => (
          <label key={n} className="choice-check">
            <input
              type="checkbox"
              checked={d.nature.includes(n)}
              onChange={(x) =>
                set('nature', x.target.checked ? [...d.nature, n] : d.nature.filter((y) => y !== n))
              }
            />
            {n}
          </label>
        ))}
      </fieldset>
      <div className="form-grid">
        <FieldWithError label="Data categories" hint="Separated by commas." error={e} field="dataCategories">
          {(c) => <input {...c} {...text('dataCategories')} />}
        </FieldWithError>
        <FieldWithError
          label="Categories of people"
          hint="Separated by commas."
          error={e}
          field="peopleCategories"
        >
          {(c) => <input {...c} {...text('peopleCategories')} />}
        </FieldWithError>
        <FieldWithError label="Approximate number of people" error={e} field="approxPeople">
          {(c) => <input {...c} type="number" min={0} inputMode="numeric" {...text('approxPeople')} />}
        </FieldWithError>
        <FieldWithError label="Approximate number of records" error={e} field="approxRecords">
          {(c) => <input {...c} type="number" min={0} inputMode="numeric" {...text('approxRecords')} />}
        </FieldWithError>
        <FieldWithError label="Likely consequences" error={e} field="likelyConsequences">
          {(c) => <textarea {...c} {...text('likelyConsequences')} />}
        </FieldWithError>
        <FieldWithError label="Measures taken" error={e} field="measuresTaken">
          {(c) => <textarea {...c} {...text('measuresTaken')} />}
        </FieldWithError>
        <FieldWithError label="Measures proposed" error={e} field="measuresProposed">
          {(c) => <textarea {...c} {...text('measuresProposed')} />}
        </FieldWithError>
        <FieldWithError
          label="Contact point"
          hint="Who the authority and people can ask."
          error={e}
          field="contactPoint"
        >
          {(c) => <input {...c} {...text('contactPoint')} />}
        </FieldWithError>
      </div>
      <ActionProblem error={e} shownAtFields={RECORD_FIELDS} />
      <div className="button-row">
        <button type="submit" className="primary" disabled={action.busy}>
          {action.busy ? 'Saving…' : record ? 'Save a new version' : 'Record the breach'}
        </button>
      </div>
    </form>
  );
}
