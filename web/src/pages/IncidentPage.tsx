/**
 * One incident: its header and clocks, the lifecycle with its checklist, response actions, roles,
 * the live timeline, linked signals, affected customers, and the panels (communications, evidence,
 * breach, review), which load lazily so the page's first paint stays small.
 */
import '../components/console-parts.css';
import '../incident/IncidentPage.css';
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { get } from '../api.ts';
import { useNow } from '../components/ClockBadge.tsx';
import { ErrorState, LoadingState } from '../components/States.tsx';
import { useApiResource } from '../components/useApiResource.ts';
import { useLiveEvents } from '../components/useLiveEvents.ts';
import { usePolicyOutline } from '../components/usePolicy.ts';
import { AffectedCustomers } from '../incident/AffectedCustomers.tsx';
import { IncidentHeader } from '../incident/IncidentHeader.tsx';
import { LinkedSignals } from '../incident/LinkedSignals.tsx';
import { PhaseStepper } from '../incident/PhaseStepper.tsx';
import { ResponseActions } from '../incident/ResponseActions.tsx';
import { RolesSection } from '../incident/RolesSection.tsx';
import { Timeline, type TimelineEntry } from '../incident/Timeline.tsx';
import type { Incident } from '../incident/types.ts';
import { Link } from '../router.tsx';
import { useCan } from '../session.tsx';

const CommunicationsPanel = lazy(() => import('../incident/panels/CommunicationsPanel.tsx'));
const EvidencePanel = lazy(() => import('../incident/panels/EvidencePanel.tsx'));
const BreachPanel = lazy(() => import('../incident/panels/BreachPanel.tsx'));
const ReviewPanel = lazy(() => import('../incident/panels/ReviewPanel.tsx'));

/** Merges entries by id, in timeline order: live events and re-fetches may overlap. */
function merge(current: TimelineEntry[], more: TimelineEntry[]): TimelineEntry[] {
  const byId = new Map(current.map((e) => [e.id, e]));
  for (const e of more) byId.set(e.id, e);
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

export default function IncidentPage({ id }: { id: string }) {
  const resource = useApiResource<Incident>(`/api/v1/incidents/${encodeURIComponent(id)}`);
  const incident = resource.data;
  const outline = usePolicyOutline();
  const can = useCan();
  const now = useNow();
  const [entries, setEntries] = useState<TimelineEntry[]>([]);
  const [timelineError, setTimelineError] = useState<unknown>(null);
  const incidentId = incident?.id ?? null;

  const loadTimeline = useCallback(async () => {
    if (!incidentId) return;
    try {
      const answer = await get<{ items: TimelineEntry[] }>(`/api/v1/incidents/${incidentId}/timeline`);
      setEntries((current) => merge(current, answer.items));
      setTimelineError(null);
    } catch (e) {
      setTimelineError(e);
    }
  }, [incidentId]);

  useEffect(() => {
    setEntries([]);
    void loadTimeline();
  }, [loadTimeline]);

  const reload = resource.reload;
  useLiveEvents(incidentId, {
    onIncident: (change) => change.id === incidentId && void reload(),
    onTimeline: (entry) => {
      setEntries((current) => merge(current, [entry as TimelineEntry]));
      // Engine entries (a clock at risk or breached) change the incident without stamping it: re-read it.
      void reload();
    },
    onPoll: () => {
      void reload();
      void loadTimeline();
    },
  });

  const onChanged = useCallback(() => {
    void reload();
    void loadTimeline();
  }, [reload, loadTimeline]);

  if (resource.error && !incident) return <ErrorState error={resource.error} retry={() => void reload()} />;
  if (!incident) return <LoadingState label={`Loading ${id}`} />;
  const readOnly = !can('incidents:respond');
  const panel = (label: string) => <LoadingState label={`Loading ${label}`} />;

  return (
    <article className="incident-page">
      <p>
        <Link to="/incidents">← All open incidents</Link>
      </p>
      <IncidentHeader incident={incident} now={now} />
      <div className="incident-grid">
        <div className="incident-main">
          <PhaseStepper
            incident={incident}
            phases={outline?.phases ?? null}
            onChanged={onChanged}
            readOnly={readOnly}
          />
          {!readOnly && (
            <ResponseActions
              incident={incident}
              severities={outline?.severities ?? null}
              onChanged={onChanged}
            />
          )}
          {timelineError ? (
            <ErrorState error={timelineError} retry={() => void loadTimeline()} />
          ) : (
            <Timeline
              incidentId={incident.id}
              entries={entries}
              readOnly={readOnly}
              onAdded={(entry) => setEntries((current) => merge(current, [entry]))}
            />
          )}
        </div>
        <div className="incident-side">
          <RolesSection incident={incident} onChanged={onChanged} readOnly={readOnly} />
          <AffectedCustomers incident={incident} onChanged={onChanged} readOnly={readOnly} />
        </div>
      </div>
      {can('signals:read') && <LinkedSignals incidentId={incident.id} />}
      {/* Each panel only for those who may read what it shows: nothing is asked for that would be refused. */}
      {can('communications:read') && (
        <Suspense fallback={panel('communications')}>
          <CommunicationsPanel incident={incident} onChanged={onChanged} />
        </Suspense>
      )}
      {can('evidence:read') && (
        <Suspense fallback={panel('evidence')}>
          <EvidencePanel incident={incident} onChanged={onChanged} />
        </Suspense>
      )}
      {can('breaches:read') && (
        <Suspense fallback={panel('breach')}>
          <BreachPanel incident={incident} onChanged={onChanged} />
        </Suspense>
      )}
      {can('reviews:read') && (
        <Suspense fallback={panel('review')}>
          <ReviewPanel incident={incident} onChanged={onChanged} />
        </Suspense>
      )}
    </article>
  );
}
