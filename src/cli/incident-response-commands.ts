import { type Command, Option } from 'commander';
import type { ApiClient } from './api-client.ts';
import type { CliIo } from './cli-io.ts';
import { type ClientFlags, clientFor, clientOptions, collect, printAnswer } from './client-options.ts';
import {
  type IncidentJson,
  incidentPath,
  personText,
  type TimelineEntryJson,
  timelineLine,
} from './incident-format.ts';

const TRIAGE_DECISIONS = ['confirmed', 'false_positive', 'duplicate'];
const INCIDENT_ROLES = ['owner', 'responder', 'communications_lead', 'regulator_approver'];

type Change = (client: ApiClient) => Promise<IncidentJson>;

/** Sends one change and prints the incident it answers with: JSON, or one headline. */
async function change(
  io: CliIo,
  flags: ClientFlags,
  send: Change,
  headline: (i: IncidentJson) => string,
): Promise<void> {
  printAnswer(io, flags, await send(clientFor(flags)), (i) => [headline(i)]);
}

function rolesText(i: IncidentJson): string {
  const roles = i.roles;
  if (!roles) return `owner ${personText(i.owner)}`;
  const responders = roles.responders.length > 0 ? roles.responders.map((p) => p.email).join(', ') : 'none';
  return [
    `owner ${personText(roles.owner ?? i.owner)}`,
    `responders ${responders}`,
    `comms lead ${personText(roles.communications_lead)}`,
    `regulator approver ${personText(roles.regulator_approver)}`,
  ].join('; ');
}

function checklistProgress(i: IncidentJson): string {
  const items = (i.checklist ?? []).filter((c) => c.phase === i.phase);
  return `${items.filter((c) => c.done).length}/${items.length} of the ${i.phase} checklist done`;
}

function registerAckAndTriage(incident: Command, io: CliIo): void {
  clientOptions(incident.command('ack'))
    .description('acknowledge an incident (with an owner, this meets the acknowledge target)')
    .argument('<id>', 'incident id or reference (INC-12)')
    .action(async (id: string, flags: ClientFlags) =>
      change(
        io,
        flags,
        (c) => c.post(incidentPath(id, 'acknowledge')),
        (i) => `${i.reference} acknowledged at ${i.acknowledgedAt ?? '?'}`,
      ),
    );

  clientOptions(incident.command('triage'))
    .description('record the triage decision')
    .argument('<id>', 'incident id or reference (INC-12)')
    .addOption(
      new Option('--decision <decision>', 'the decision').choices(TRIAGE_DECISIONS).makeOptionMandatory(),
    )
    .requiredOption('--reason <text>', 'why')
    .option('--duplicate-of <id>', 'the incident this one duplicates (with --decision duplicate)')
    .action(
      async (id: string, flags: ClientFlags & { decision: string; reason: string; duplicateOf?: string }) => {
        const body = { decision: flags.decision, reason: flags.reason, duplicateOf: flags.duplicateOf };
        await change(
          io,
          flags,
          (c) => c.post(incidentPath(id, 'triage'), body),
          (i) =>
            `${i.reference} triaged ${i.triage?.decision ?? flags.decision}: ${i.triage?.reason ?? flags.reason}`,
        );
      },
    );
}

function registerRoles(incident: Command, io: CliIo): void {
  clientOptions(incident.command('assign'))
    .description('give a person a role on an incident')
    .argument('<id>', 'incident id or reference (INC-12)')
    .addOption(new Option('--role <role>', 'the incident role').choices(INCIDENT_ROLES).makeOptionMandatory())
    .requiredOption('--user <email>', "the person's email")
    .action(async (id: string, flags: ClientFlags & { role: string; user: string }) =>
      change(
        io,
        flags,
        (c) => c.post(incidentPath(id, 'roles'), { role: flags.role, user: flags.user }),
        (i) => `${i.reference} ${rolesText(i)}`,
      ),
    );

  clientOptions(incident.command('unassign'))
    .description('take a responder off an incident')
    .argument('<id>', 'incident id or reference (INC-12)')
    .requiredOption('--user <email>', "the responder's email")
    .action(async (id: string, flags: ClientFlags & { user: string }) =>
      change(
        io,
        flags,
        (c) => c.delete(incidentPath(id, 'roles'), { role: 'responder', user: flags.user }),
        (i) => `${i.reference} ${rolesText(i)}`,
      ),
    );
}

function registerPhaseAndChecklist(incident: Command, io: CliIo): void {
  clientOptions(incident.command('phase'))
    .description('move an incident to another phase of the lifecycle')
    .argument('<id>', 'incident id or reference (INC-12)')
    .argument('<phase>', 'the phase to move to, e.g. contain')
    .option('--reason <text>', 'why (required with --override)')
    .option('--override', 'move on although mandatory checklist items are open')
    .action(
      async (id: string, phase: string, flags: ClientFlags & { reason?: string; override?: boolean }) => {
        const body = { phase, reason: flags.reason, override: flags.override ? true : undefined };
        await change(
          io,
          flags,
          (c) => c.post(incidentPath(id, 'phase'), body),
          (i) => `${i.reference} is now in ${i.phase} (${checklistProgress(i)})`,
        );
      },
    );

  clientOptions(incident.command('check'))
    .description("tick (or with --undo, untick) an item of the current phase's checklist")
    .argument('<id>', 'incident id or reference (INC-12)')
    .argument('<item>', 'the checklist item id, e.g. access-restricted')
    .option('--undo', 'mark the item as not done')
    .action(async (id: string, item: string, flags: ClientFlags & { undo?: boolean }) =>
      change(
        io,
        flags,
        (c) => c.post(incidentPath(id, 'checklist'), { item, done: !flags.undo }),
        (i) => `${i.reference} ${item} ${flags.undo ? 'not done' : 'done'} (${checklistProgress(i)})`,
      ),
    );
}

function registerClassification(incident: Command, io: CliIo): void {
  clientOptions(incident.command('classify'))
    .description(
      'set the category and the affected components (component:C/I/A impact, e.g. database:high/none/low)',
    )
    .argument('<id>', 'incident id or reference (INC-12)')
    .option('--category <id>', 'a category id of the policy, e.g. unauthorised_access')
    .option(
      '--component <spec>',
      'component:confidentiality/integrity/availability (repeatable)',
      collect,
      [],
    )
    .option('--reason <text>', 'why')
    .action(
      async (
        id: string,
        flags: ClientFlags & { category?: string; component: string[]; reason?: string },
      ) => {
        const components = flags.component.map((spec) => {
          const [component = '', impact = ''] = spec.split(':');
          const [confidentiality = 'none', integrity = 'none', availability = 'none'] = impact.split('/');
          return { component, confidentiality, integrity, availability };
        });
        const body = {
          category: flags.category,
          components: flags.component.length > 0 ? components : undefined,
          reason: flags.reason,
        };
        await change(
          io,
          flags,
          (c) => c.post(incidentPath(id, 'classification'), body),
          (i) => `${i.reference} is ${i.category ?? 'uncategorised'}`,
        );
      },
    );
}

function registerCustomerUpdate(incident: Command, io: CliIo): void {
  clientOptions(incident.command('customer-update'))
    .description('record a customer update that was sent (meets the current period of the update cadence)')
    .argument('<id>', 'incident id or reference (INC-12)')
    .requiredOption('--summary <text>', 'what the customers were told')
    .option('--sent-at <iso>', 'when it was sent, if not now (ISO 8601 with offset)')
    .action(async (id: string, flags: ClientFlags & { summary: string; sentAt?: string }) =>
      change(
        io,
        flags,
        (c) => c.post(incidentPath(id, 'customer-updates'), { summary: flags.summary, sentAt: flags.sentAt }),
        (i) =>
          `${i.reference} next customer update due ${i.sla?.customerUpdate?.dueAt ?? '(none: the cadence has ended)'}`,
      ),
    );
}

function registerSeverityAndHandover(incident: Command, io: CliIo): void {
  clientOptions(incident.command('severity'))
    .description("change an incident's severity")
    .argument('<id>', 'incident id or reference (INC-12)')
    .argument('<severity>', 'a severity id of the policy, e.g. critical')
    .requiredOption('--reason <text>', 'why')
    .action(async (id: string, severity: string, flags: ClientFlags & { reason: string }) =>
      change(
        io,
        flags,
        (c) => c.post(incidentPath(id, 'severity'), { severity, reason: flags.reason }),
        (i) => `${i.reference} severity is now ${i.severity} (highest ${i.highestSeverity ?? i.severity})`,
      ),
    );

  clientOptions(incident.command('handover'))
    .description('hand command to someone else (default: the next in the succession)')
    .argument('<id>', 'incident id or reference (INC-12)')
    .option('--to <email>', 'the new owner')
    .requiredOption('--reason <text>', 'why')
    .action(async (id: string, flags: ClientFlags & { to?: string; reason: string }) =>
      change(
        io,
        flags,
        (c) => c.post(incidentPath(id, 'handover'), { to: flags.to, reason: flags.reason }),
        (i) => `${i.reference} is now owned by ${personText(i.owner ?? i.roles?.owner)}`,
      ),
    );
}

interface NoteFlags extends ClientFlags {
  decision?: boolean;
  rationale?: string;
  alternative: string[];
}

function registerTimeline(incident: Command, io: CliIo): void {
  clientOptions(incident.command('note'))
    .description('add a note, or with --decision a decision, to the timeline')
    .argument('<id>', 'incident id or reference (INC-12)')
    .argument('<text>', 'what to record')
    .option('--decision', 'record a decision rather than a note')
    .option('--rationale <text>', 'why the decision was taken')
    .option('--alternative <text>', 'an alternative considered (repeatable)', collect, [])
    .action(async (id: string, text: string, flags: NoteFlags) => {
      const body = {
        kind: flags.decision ? 'decision' : 'note',
        text,
        rationale: flags.rationale,
        alternatives: flags.alternative.length > 0 ? flags.alternative : undefined,
      };
      const entry = await clientFor(flags).post<TimelineEntryJson>(incidentPath(id, 'timeline'), body);
      printAnswer(io, flags, entry, (e) => [timelineLine(e)]);
    });

  clientOptions(incident.command('timeline'))
    .description("show an incident's timeline, oldest first")
    .argument('<id>', 'incident id or reference (INC-12)')
    .option('--kind <kinds>', 'only these kinds, comma separated (e.g. note,decision)')
    .action(async (id: string, flags: ClientFlags & { kind?: string }) => {
      const query = flags.kind ? `?${new URLSearchParams({ kind: flags.kind })}` : '';
      const page = await clientFor(flags).get<{ items: TimelineEntryJson[] }>(
        incidentPath(id, `timeline${query}`),
      );
      printAnswer(io, flags, page, (p) => (p.items.length > 0 ? p.items.map(timelineLine) : ['no entries']));
    });
}

/** `vigil incident ack|triage|assign|unassign|phase|check|severity|handover|note|timeline`. */
export function registerIncidentResponseCommands(incident: Command, io: CliIo): void {
  registerAckAndTriage(incident, io);
  registerRoles(incident, io);
  registerPhaseAndChecklist(incident, io);
  registerClassification(incident, io);
  registerCustomerUpdate(incident, io);
  registerSeverityAndHandover(incident, io);
  registerTimeline(incident, io);
}
