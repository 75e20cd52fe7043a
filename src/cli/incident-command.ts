import type { Command } from 'commander';
import { resolveClientConfig } from '../app/config.ts';
import { createApiClient } from './api-client.ts';
import type { CliIo } from './cli-io.ts';

interface IncidentJson {
  id: string;
  reference: string;
  title: string;
  severity: string;
  phase: string;
  openedAt: string;
  outOfHours: boolean;
  description: string;
  declaredBy: { email: string };
  policyVersion: string;
}

interface ClientFlags {
  url?: string;
  token?: string;
  json?: boolean;
}

function clientOptions(command: Command): Command {
  return command
    .option('--url <url>', 'Vigil server URL (env VIGIL_URL, default http://127.0.0.1:8080)')
    .option('--token <token>', 'API token (env VIGIL_TOKEN)')
    .option('--json', 'print the API answer as JSON');
}

function summaryLine(i: IncidentJson): string {
  const hours = i.outOfHours ? ' (out of hours)' : '';
  return `${i.reference}  ${i.severity.padEnd(8)} ${i.phase.padEnd(9)} ${i.openedAt}${hours}  ${i.title}`;
}

function details(i: IncidentJson): string[] {
  return [
    `${i.reference}: ${i.title}`,
    `  id:          ${i.id}`,
    `  severity:    ${i.severity}`,
    `  phase:       ${i.phase}`,
    `  opened:      ${i.openedAt}${i.outOfHours ? ' (out of hours)' : ''}`,
    `  declared by: ${i.declaredBy.email}`,
    `  policy:      ${i.policyVersion}`,
    `  description: ${i.description}`,
  ];
}

/** `vigil incident declare|list|show`: the REST API from the terminal. */
export function registerIncidentCommands(program: Command, io: CliIo): void {
  const incident = program
    .command('incident')
    .description('declare, list and show incidents on a Vigil server');

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
        const client = createApiClient(resolveClientConfig(flags));
        const body = { title: flags.title, severity: flags.severity, description: flags.description };
        const created = await client.post<IncidentJson>(
          '/api/v1/incidents',
          flags.opened ? { ...body, openedAt: flags.opened } : body,
        );
        if (flags.json) io.out(JSON.stringify(created, null, 2));
        else for (const line of details(created)) io.out(line);
      },
    );

  clientOptions(incident.command('list'))
    .description('list incidents, newest opened first')
    .option('--limit <n>', 'page size (1-200)', '50')
    .option('--cursor <cursor>', 'continue from a previous page')
    .action(async (flags: ClientFlags & { limit: string; cursor?: string }) => {
      const client = createApiClient(resolveClientConfig(flags));
      const query = new URLSearchParams({ limit: flags.limit });
      if (flags.cursor) query.set('cursor', flags.cursor);
      const page = await client.get<{ items: IncidentJson[]; nextCursor: string | null }>(
        `/api/v1/incidents?${query}`,
      );
      if (flags.json) return io.out(JSON.stringify(page, null, 2));
      if (page.items.length === 0) io.out('no incidents');
      for (const item of page.items) io.out(summaryLine(item));
      if (page.nextCursor) io.out(`more: --cursor ${page.nextCursor}`);
    });

  clientOptions(incident.command('show'))
    .description('show one incident')
    .argument('<id>', 'incident id or reference (INC-12)')
    .action(async (id: string, flags: ClientFlags) => {
      const client = createApiClient(resolveClientConfig(flags));
      const found = await client.get<IncidentJson>(`/api/v1/incidents/${encodeURIComponent(id)}`);
      if (flags.json) io.out(JSON.stringify(found, null, 2));
      else for (const line of details(found)) io.out(line);
    });
}
