import type { Command } from 'commander';
import { resolveClientConfig } from '../app/config.ts';
import { type ApiClient, createApiClient } from './api-client.ts';
import type { CliIo } from './cli-io.ts';

/** The flags every client command takes. */
export interface ClientFlags {
  url?: string;
  token?: string;
  json?: boolean;
}

/** Adds `--url`, `--token` and `--json` to a client command. */
export function clientOptions(command: Command): Command {
  return command
    .option('--url <url>', 'Vigil server URL (env VIGIL_URL, default http://127.0.0.1:8080)')
    .option('--token <token>', 'API token (env VIGIL_TOKEN)')
    .option('--json', 'print the API answer as JSON');
}

/** A client for the server and token the flags (or the environment) name. */
export function clientFor(flags: ClientFlags): ApiClient {
  return createApiClient(resolveClientConfig(flags));
}

/** Prints the API answer as JSON with `--json`, else the lines a person reads. */
export function printAnswer<T>(
  io: CliIo,
  flags: ClientFlags,
  answer: T,
  human: (answer: T) => string[],
): void {
  if (flags.json) {
    io.out(JSON.stringify(answer, null, 2));
    return;
  }
  for (const line of human(answer)) io.out(line);
}

/** Commander's collector for a repeatable option: `--alternative a --alternative b`. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
