/**
 * The human-readable report of an evidence package (pure): one outline of
 * sections and blocks that the HTML and the PDF renderers both draw, so
 * the two always say the same thing. Instants are shown in UTC, as stored.
 */
import type { AuditRecord } from '../audit/audit-types.ts';
import type { BreachView } from '../breach/breach-state.ts';
import type { ClockView, IncidentView, Person } from '../incident/incident-types.ts';
import type { OutboxMessage } from '../outbox/outbox-types.ts';
import type { ReviewView } from '../review/review-service.ts';
import { SLA_TARGET_NAMES } from '../sla/sla-targets.ts';
import type { TimelineEntry } from '../timeline/timeline-types.ts';
import type { PackageAttachment } from './evidence-package-types.ts';

/** Everything a package holds about one incident, as of its last change. */
export interface PackageContents {
  organization: string;
  incident: IncidentView;
  timeline: TimelineEntry[];
  decisions: TimelineEntry[];
  review: Pick<ReviewView, 'required' | 'review' | 'actions'>;
  breach: BreachView | null;
  /** Messages sent by email, each with its `.eml` path. */
  mails: { path: string; message: OutboxMessage }[];
  /** Attachments, with their path in the package (null once purged). */
  attachments: { item: PackageAttachment; path: string | null }[];
  segment: AuditRecord[];
  lastChangeAt: Date;
}

export type ReportBlock =
  | { kind: 'text'; text: string }
  | { kind: 'facts'; items: [string, string][] }
  | { kind: 'table'; columns: string[]; rows: string[][] };

export interface ReportSection {
  heading: string;
  blocks: ReportBlock[];
}

export interface ReportOutline {
  title: string;
  subtitle: string;
  sections: ReportSection[];
}

/** `2026-04-07 10:00:00 UTC`; an empty dash for no instant. */
export function utc(at: Date | null | undefined): string {
  return at ? `${at.toISOString().slice(0, 19).replace('T', ' ')} UTC` : '–';
}

const person = (p: Person | null) => (p ? `${p.name} <${p.email}>` : '–');
const none = (text: string): ReportBlock => ({ kind: 'text', text });

/** Whether a clock was met, in words: met, met late, breached, stopped or still open. */
export function clockOutcome(clock: ClockView): string {
  if (clock.metAt) return clock.metAt.getTime() <= clock.dueAt.getTime() ? 'met' : 'met late (breached)';
  if (clock.state === 'breached') return 'breached (not met)';
  if (clock.stoppedAt) return 'stopped before it was due';
  return clock.state === 'at_risk' ? 'open, at risk' : 'open';
}

function summarySection(c: PackageContents): ReportSection {
  const i = c.incident;
  const triage = i.triage ? `${i.triage.decision}: ${i.triage.reason} (${utc(i.triage.decidedAt)})` : '–';
  return {
    heading: 'Summary',
    blocks: [
      {
        kind: 'facts',
        items: [
          ['Incident', `${i.reference} (${i.id})`],
          ['Title', i.title],
          [
            'Severity',
            i.severity === i.highestSeverity ? i.severity : `${i.severity} (highest ${i.highestSeverity})`,
          ],
          ['Phase', i.phase],
          ['Category', i.category ?? '–'],
          ['Opened', utc(i.openedAt)],
          ['Declared', `${utc(i.declaredAt)} by ${i.declaredBy.email}`],
          ['Acknowledged', i.acknowledgedAt ? `${utc(i.acknowledgedAt)} by ${i.acknowledgedBy ?? '–'}` : '–'],
          ['Triage', triage],
          ['Closed', utc(i.closedAt)],
          ['Exercise', i.exerciseId ? `yes (${i.exerciseId})` : 'no'],
          ['Policy version', i.policyVersion],
          ['Last change included', utc(c.lastChangeAt)],
        ],
      },
      none(i.description || '(no description)'),
    ],
  };
}

function rolesSection(i: IncidentView): ReportSection {
  return {
    heading: 'Roles',
    blocks: [
      {
        kind: 'facts',
        items: [
          ['Owner', person(i.roles.owner)],
          ['Responders', i.roles.responders.map(person).join(', ') || '–'],
          ['Communications lead', person(i.roles.communications_lead)],
          ['Regulator approver', person(i.roles.regulator_approver)],
        ],
      },
    ],
  };
}

function clocksSection(i: IncidentView): ReportSection {
  const rows = SLA_TARGET_NAMES.flatMap((name) => {
    const clock = i.sla[name];
    if (!clock) return [[name, '–', '–', '–', '–', 'no target for this severity']];
    const target = `${utc(clock.dueAt)} (${clock.kind} clock)`;
    return [
      [name, utc(clock.startedAt), target, utc(clock.metAt), String(clock.breaches), clockOutcome(clock)],
    ];
  });
  return {
    heading: 'Response clocks',
    blocks: [{ kind: 'table', columns: ['Clock', 'Started', 'Due', 'Met', 'Breaches', 'Outcome'], rows }],
  };
}

function timelineSection(c: PackageContents): ReportSection {
  const rows = c.timeline.map((e) => [utc(e.at), e.kind, e.actor, e.summary]);
  return {
    heading: 'Timeline',
    blocks: rows.length
      ? [{ kind: 'table', columns: ['At', 'Kind', 'By', 'What'], rows }]
      : [none('No timeline entries.')],
  };
}

function communicationsSection(c: PackageContents): ReportSection {
  const rows = c.mails.map(({ path, message: m }) => [utc(m.sentAt), m.recipient, m.subject, path]);
  return {
    heading: 'Communications sent',
    blocks: rows.length
      ? [{ kind: 'table', columns: ['Sent', 'To', 'Subject', 'File'], rows }]
      : [none('No message about this incident was sent by email.')],
  };
}

function reviewSection(c: PackageContents): ReportSection {
  const r = c.review.review;
  const blocks: ReportBlock[] = r
    ? [
        {
          kind: 'facts',
          items: [
            ['State', `${r.state} (version ${r.version})`],
            ['Approved', r.approvedAt ? `${utc(r.approvedAt)} by ${r.approvedBy ?? '–'}` : '–'],
            ['Summary', r.summary],
            ['Root cause', r.rootCause],
            ['Impact', r.impact],
            ['Lessons', r.lessons],
          ],
        },
      ]
    : [none(c.review.required ? 'No review yet; the policy requires one.' : 'No review was written.')];
  const actions = c.review.actions.map((a) => [a.title, a.kind, a.owner, a.dueDate, a.status]);
  blocks.push(
    actions.length
      ? { kind: 'table', columns: ['Action', 'Kind', 'Owner', 'Due', 'Status'], rows: actions }
      : none('No corrective or preventive actions.'),
  );
  return { heading: 'Review and actions', blocks };
}

function breachSection(c: PackageContents): ReportSection {
  const b = c.breach;
  if (!b) return { heading: 'Breach obligations', blocks: [none('No personal data breach was recorded.')] };
  const obligations = b.obligations.map((o) => [
    `${o.regimeName}: ${o.name}`,
    utc(o.dueAt),
    utc(o.metAt),
    o.late ? `${o.state} (late)` : o.state,
  ]);
  const submissions = b.submissions.map((s) => [
    `${s.regime}/${s.obligation}`,
    s.status,
    utc(s.submittedAt),
    s.reference ?? '–',
  ]);
  return {
    heading: 'Breach obligations',
    blocks: [
      {
        kind: 'facts',
        items: [
          ['Status', `${b.record.status} (record version ${b.version})`],
          ['Role', b.record.role],
        ],
      },
      { kind: 'table', columns: ['Obligation', 'Due', 'Met', 'State'], rows: obligations },
      submissions.length
        ? { kind: 'table', columns: ['Submission', 'Status', 'Submitted', 'Reference'], rows: submissions }
        : none('No report or notice was submitted.'),
    ],
  };
}

function evidenceSection(c: PackageContents): ReportSection {
  const files = c.attachments.map(({ item, path }) => [
    item.filename,
    String(item.sizeBytes),
    item.sha256,
    path ?? `purged ${utc(item.purgedAt)}`,
  ]);
  const first = c.segment[0];
  const last = c.segment[c.segment.length - 1];
  return {
    heading: 'Attachments and audit segment',
    blocks: [
      files.length
        ? { kind: 'table', columns: ['File', 'Bytes', 'SHA-256', 'In package'], rows: files }
        : none('No attachments.'),
      {
        kind: 'facts',
        items: [
          ['Audit entries', String(c.segment.length)],
          ['Sequence numbers', first && last ? `${first.seq} to ${last.seq}` : '–'],
          ['Hash of the last entry', last?.hash ?? '–'],
        ],
      },
    ],
  };
}

/** The report's outline: summary, roles, clocks, timeline, communications, review, breach, evidence. */
export function packageReport(c: PackageContents): ReportOutline {
  return {
    title: `${c.incident.reference}: ${c.incident.title}`,
    subtitle: `${c.organization} · Evidence package · as of ${utc(c.lastChangeAt)}`,
    sections: [
      summarySection(c),
      rolesSection(c.incident),
      clocksSection(c.incident),
      timelineSection(c),
      communicationsSection(c),
      reviewSection(c),
      breachSection(c),
      evidenceSection(c),
    ],
  };
}
