import type { Command } from 'commander';
import { NotFound } from '../platform/errors.ts';
import type { CliIo } from './cli-io.ts';
import { type ClientFlags, clientFor, clientOptions, printAnswer } from './client-options.ts';
import { readStandardInput, secretFromInput } from './secret-input.ts';

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

/** `vigil user add|list|password`: the people a Vigil server knows, over its REST API. */
export function registerUserCommands(
  program: Command,
  io: CliIo,
  readSecret: () => Promise<string> = readStandardInput,
): void {
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

  clientOptions(user.command('password'))
    .description("set a user's password (admin); reads it from standard input, never from the command line")
    .argument('<email>', 'whose password to set')
    .action(async (email: string, flags: ClientFlags) => {
      const password = secretFromInput(await readSecret());
      const client = clientFor(flags);
      const wanted = email.trim().toLowerCase();
      const found = (await client.get<{ items: UserJson[] }>('/api/v1/users')).items.find(
        (u) => u.email === wanted,
      );
      if (!found) throw new NotFound('user', wanted);
      await client.put(`/api/v1/users/${found.id}/password`, { password });
      io.out(`password set for ${found.email}; their sessions have been ended`);
    });

  clientOptions(user.command('list'))
    .description('list users, oldest first')
    .action(async (flags: ClientFlags) => {
      const page = await clientFor(flags).get<{ items: UserJson[] }>('/api/v1/users');
      printAnswer(io, flags, page, (p) => (p.items.length > 0 ? p.items.map(userLine) : ['no users']));
    });
}
