import { type Command, InvalidArgumentError } from 'commander';
import type { CliIo } from './cli-io.ts';
import { type ClientFlags, clientFor, clientOptions, printAnswer } from './client-options.ts';

interface ContactJson {
  name: string;
  email: string;
  role: string;
}

interface CustomerJson {
  id: string;
  name: string;
  contacts: ContactJson[];
  createdAt: string;
}

const CONTACT_PATTERN = /^(.+?)\s*<([^<>\s]+)>\s*(\S+)$/;

/** Parses `"Name <email> role"`; the server checks the email and role. */
export function parseContact(value: string, previous: ContactJson[] = []): ContactJson[] {
  const match = CONTACT_PATTERN.exec(value.trim());
  if (!match) throw new InvalidArgumentError(`expected "Name <email> role", got "${value}"`);
  return [...previous, { name: match[1]!, email: match[2]!, role: match[3]! }];
}

function customerLines(c: CustomerJson): string[] {
  return [
    `${c.name.padEnd(32)} ${c.id}`,
    ...c.contacts.map((k) => `  ${k.role.padEnd(10)} ${k.name} <${k.email}>`),
  ];
}

/** `vigil customer add|list`: the customers incidents may affect, over the REST API. */
export function registerCustomerCommands(program: Command, io: CliIo): void {
  const customer = program.command('customer').description('list and add customers and their contacts');

  clientOptions(customer.command('add'))
    .description('add a customer with at least one contact')
    .requiredOption('--name <name>', 'the customer name (unique, ignoring case)')
    .requiredOption(
      '--contact <contact>',
      '"Name <email> role", role one of primary, security, dpo, technical, billing, legal (repeatable)',
      parseContact,
      [],
    )
    .action(async (flags: ClientFlags & { name: string; contact: ContactJson[] }) => {
      const body = { name: flags.name, contacts: flags.contact };
      const created = await clientFor(flags).post<CustomerJson>('/api/v1/customers', body);
      printAnswer(io, flags, created, (c) => [`added ${customerLines(c)[0]}`, ...customerLines(c).slice(1)]);
    });

  clientOptions(customer.command('list'))
    .description('list customers by name, with their contacts')
    .action(async (flags: ClientFlags) => {
      const page = await clientFor(flags).get<{ items: CustomerJson[] }>('/api/v1/customers');
      printAnswer(io, flags, page, (p) =>
        p.items.length > 0 ? p.items.flatMap(customerLines) : ['no customers'],
      );
    });
}
