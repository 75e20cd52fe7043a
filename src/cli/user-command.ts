import type { Command } from 'commander';
import type { CliIo } from './cli-io.ts';
import { type ClientFlags, clientFor, clientOptions, printAnswer } from './client-options.ts';

interface UserJson {
  id: string;
  email: string;
  name: string;
  role: string;
  createdAt: string;
}

function userLine(u: UserJson): string {
  return `${u.email.padEnd(32)} ${u.role.padEnd(16)} ${u.name}`;
}

/** `vigil user add|list`: the people a Vigil server knows, over its REST API. */
export function registerUserCommands(program: Command, io: CliIo): void {
  const user = program.command('user').description('list and add users on a Vigil server');

  clientOptions(user.command('add'))
    .description('add a user')
    .requiredOption('--email <email>', 'their email (stored in lower case)')
    .requiredOption('--name <name>', 'their display name')
    .option('--role <role>', 'admin, incident_manager, responder, communications, auditor, viewer or ingest')
    .action(async (flags: ClientFlags & { email: string; name: string; role?: string }) => {
      const body = { email: flags.email, name: flags.name, role: flags.role };
      const created = await clientFor(flags).post<UserJson>('/api/v1/users', body);
      printAnswer(io, flags, created, (u) => [`added ${userLine(u)}`]);
    });

  clientOptions(user.command('list'))
    .description('list users, oldest first')
    .action(async (flags: ClientFlags) => {
      const page = await clientFor(flags).get<{ items: UserJson[] }>('/api/v1/users');
      printAnswer(io, flags, page, (p) => (p.items.length > 0 ? p.items.map(userLine) : ['no users']));
    });
}
