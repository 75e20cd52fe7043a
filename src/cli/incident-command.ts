import type { Command } from 'commander';
import type { CliIo } from './cli-io.ts';
import { type ClientFlags, clientFor, clientOptions, printAnswer } from './client-options.ts';
import { registerIncidentCustomerCommands } from './incident-customer-commands.ts';
import {
  details,
  type IncidentJson,
  type IncidentPage,
  incidentPath,
  summaryLine,
} from './incident-format.ts';
import { registerIncidentResponseCommands } from './incident-response-commands.ts';

interface ListFlags extends ClientFlags {
  limit: string;
  cursor?: string;
  phase?: string;
  severity?: string;
  owner?: string;
  breached?: boolean;
  outOfHours?: boolean;
  openedFrom?: string;
  openedTo?: string;
}

/** The list query the flags ask for; flags not given are left out. */
export function listQuery(flags: ListFlags): URLSearchParams {
  const query = new URLSearchParams({ limit: flags.limit });
  const text: [string, string | undefined][] = [
    ['cursor', flags.cursor],
    ['phase', flags.phase],
    ['severity', flags.severity],
    ['owner', flags.owner],
    ['openedFrom', flags.openedFrom],
    ['openedTo', flags.openedTo],
  ];
  for (const [name, value] of text) if (value !== undefined) query.set(name, value);
  if (flags.breached) query.set('breached', 'true');
  if (flags.outOfHours) query.set('outOfHours', 'true');
  return query;
}

function listLines(page: IncidentPage): string[] {
  const lines = page.items.length === 0 ? ['no incidents'] : page.items.map(summaryLine);
  return page.nextCursor ? [...lines, `more: --cursor ${page.nextCursor}`] : lines;
}

function registerDeclare(incident: Command, io: CliIo): void {
  clientOptions(incident.command('declare'))
    .description('declare an incident')
    .requiredOption('--title <text>', 'short title')
    .requiredOption('--severity <id>', 'a severity id of the policy, e.g. critical')
    .requiredOption('--description <text>', 'what is known so far')
    .option('--opened <iso>', 'when handling began, if earlier than now (ISO 8601 with offset)')
    .action(
      async (
        flags: ClientFlags & { title: string; severity: string; description: string; opened?: string },
      ) => {
        const body = { title: flags.title, severity: flags.severity, description: flags.description };
        const created = await clientFor(flags).post<IncidentJson>(
          '/api/v1/incidents',
          flags.opened ? { ...body, openedAt: flags.opened } : body,
        );
        printAnswer(io, flags, created, details);
      },
    );
}

function registerList(incident: Command, io: CliIo): void {
  clientOptions(incident.command('list'))
    .description('list incidents, newest opened first')
    .option('--limit <n>', 'page size (1-200)', '50')
    .option('--cursor <cursor>', 'continue from a previous page')
    .option('--phase <id>', 'only incidents in this phase')
    .option('--severity <id>', 'only incidents of this severity')
    .option('--owner <email>', 'only incidents this person owns')
    .option('--breached', 'only incidents with a breached response clock')
    .option('--out-of-hours', 'only incidents opened out of hours')
    .option('--opened-from <iso>', 'opened at or after this instant (ISO 8601 with offset)')
    .option('--opened-to <iso>', 'opened before this instant (ISO 8601 with offset)')
    .action(async (flags: ListFlags) => {
      const page = await clientFor(flags).get<IncidentPage>(`/api/v1/incidents?${listQuery(flags)}`);
      printAnswer(io, flags, page, listLines);
    });
}

function registerShow(incident: Command, io: CliIo): void {
  clientOptions(incident.command('show'))
    .description('show one incident: owner, roles, response clocks and the current checklist')
    .argument('<id>', 'incident id or reference (INC-12)')
    .action(async (id: string, flags: ClientFlags) => {
      printAnswer(io, flags, await clientFor(flags).get<IncidentJson>(incidentPath(id)), details);
    });
}

/** `vigil incident ...`: the incident REST API from the terminal. */
export function registerIncidentCommands(program: Command, io: CliIo): void {
  const incident = program
    .command('incident')
    .description('declare, run and review incidents on a Vigil server');
  registerDeclare(incident, io);
  registerList(incident, io);
  registerShow(incident, io);
  registerIncidentResponseCommands(incident, io);
  registerIncidentCustomerCommands(incident, io);
}
