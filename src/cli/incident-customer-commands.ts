import type { Command } from 'commander';
import type { CliIo } from './cli-io.ts';
import { type ClientFlags, clientFor, clientOptions, collect, printAnswer } from './client-options.ts';
import { type IncidentJson, incidentPath } from './incident-format.ts';

type AffectedJson = IncidentJson & { affectedCustomers?: { id: string; name: string }[] };

/** `vigil incident affect`: link (or with --remove, unlink) the customers an incident affects. */
export function registerIncidentCustomerCommands(incident: Command, io: CliIo): void {
  clientOptions(incident.command('affect'))
    .description('link customers affected by an incident (with --remove, unlink them)')
    .argument('<id>', 'incident id or reference (INC-12)')
    .requiredOption('--customer <id>', 'customer id (repeatable)', collect, [])
    .requiredOption('--reason <text>', 'why; recorded on the timeline')
    .option('--remove', 'unlink the customers instead')
    .action(
      async (id: string, flags: ClientFlags & { customer: string[]; reason: string; remove?: boolean }) => {
        const body = { customerIds: flags.customer, reason: flags.reason };
        const client = clientFor(flags);
        const path = incidentPath(id, 'affected-customers');
        const answer = flags.remove
          ? await client.delete<AffectedJson>(path, body)
          : await client.post<AffectedJson>(path, body);
        printAnswer(io, flags, answer, (i) => {
          const names = (i.affectedCustomers ?? []).map((c) => c.name);
          return [`${i.reference} affects ${names.length > 0 ? names.join(', ') : 'no customers'}`];
        });
      },
    );
}
