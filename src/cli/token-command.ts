import type { Command } from 'commander';
import type { CliIo } from './cli-io.ts';
import { type ClientFlags, clientFor, clientOptions, printAnswer } from './client-options.ts';

interface TokenJson {
  id: string;
  name: string;
  owner: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  secret?: string;
}

function tokenLine(t: TokenJson): string {
  const state = t.revokedAt ? `revoked ${t.revokedAt}` : t.expiresAt ? `expires ${t.expiresAt}` : 'no expiry';
  const used = t.lastUsedAt ? `used ${t.lastUsedAt}` : 'never used';
  return `${t.id}  ${t.name.padEnd(24)} ${t.scopes.join(',').padEnd(16)} ${t.owner}  ${state}, ${used}`;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** `vigil token create|list|revoke`: API tokens, over the REST API. */
export function registerTokenCommands(program: Command, io: CliIo): void {
  const token = program.command('token').description('create, list and revoke API tokens');

  clientOptions(token.command('create'))
    .description('create an API token; its secret is printed once')
    .requiredOption('--name <name>', 'what the token is for')
    .requiredOption(
      '--scope <scope>',
      'read, write, admin, ingest or ingest:SOURCE (repeatable)',
      collect,
      [],
    )
    .option('--expires <instant>', 'ISO 8601 instant after which it stops working')
    .option('--owner <email>', 'create it for another user (administrators)')
    .action(
      async (flags: ClientFlags & { name: string; scope: string[]; expires?: string; owner?: string }) => {
        const body = {
          name: flags.name,
          scopes: flags.scope,
          ...(flags.expires ? { expiresAt: flags.expires } : {}),
          ...(flags.owner ? { owner: flags.owner } : {}),
        };
        const created = await clientFor(flags).post<TokenJson>('/api/v1/tokens', body);
        printAnswer(io, flags, created, (t) => [
          tokenLine(t),
          `secret (shown once, store it now): ${t.secret}`,
        ]);
      },
    );

  clientOptions(token.command('list'))
    .description('your API tokens (everyone’s for administrators), newest first')
    .action(async (flags: ClientFlags) => {
      const page = await clientFor(flags).get<{ items: TokenJson[] }>('/api/v1/tokens');
      printAnswer(io, flags, page, (p) => (p.items.length > 0 ? p.items.map(tokenLine) : ['no tokens']));
    });

  clientOptions(token.command('revoke'))
    .description('revoke an API token at once')
    .argument('<id>', 'token id')
    .action(async (id: string, flags: ClientFlags) => {
      const revoked = await clientFor(flags).delete<TokenJson>(`/api/v1/tokens/${encodeURIComponent(id)}`);
      printAnswer(io, flags, revoked, (t) => [tokenLine(t)]);
    });
}
