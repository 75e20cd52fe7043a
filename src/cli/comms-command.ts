import type { Command } from 'commander';
import type { CliIo } from './cli-io.ts';
import { type ClientFlags, clientFor, clientOptions, collect, printAnswer } from './client-options.ts';
import { incidentPath } from './incident-format.ts';

/** A communication as the API answers it, the parts the CLI prints. */
interface CommunicationJson {
  id: string;
  audience: string;
  template: string | null;
  status: string;
  approvers: string[];
  approvedBy: string | null;
  deliveries: {
    recipient: string;
    status: string;
    subject: string;
    response: string | null;
    lastError: string | null;
  }[];
}

interface PreviewJson {
  messages: { recipient: string; subject: string; text: string }[];
}

function commsPath(incident: string, rest = ''): string {
  return incidentPath(incident, `communications${rest}`);
}

function summary(c: CommunicationJson): string[] {
  const approval =
    c.approvers.length === 0
      ? 'no approval needed'
      : c.approvedBy
        ? `approved by ${c.approvedBy}`
        : `needs approval by ${c.approvers.join(' or ')}`;
  const lines = [`${c.id}  ${c.audience}  ${c.template ?? 'free-form'}  ${c.status}  (${approval})`];
  for (const d of c.deliveries) {
    const detail = d.status === 'failed' ? d.lastError : d.response;
    lines.push(`  ${d.status.padEnd(7)} ${d.recipient}${detail ? `  ${detail}` : ''}`);
  }
  return lines;
}

type DraftFlags = ClientFlags & {
  audience: string;
  template?: string;
  subject?: string;
  body?: string;
  customer: string[];
  to: string[];
  happened?: string;
  doing?: string;
  youShould?: string;
  nextUpdate?: string;
};

/** `vigil comms draft|list|preview|approve|send`: communications on an incident. */
export function registerCommsCommands(program: Command, io: CliIo): void {
  const comms = program
    .command('comms')
    .description('draft, preview, approve and send incident communications');

  clientOptions(comms.command('draft'))
    .description('draft a message to customers or staff, from a policy template or free-form')
    .argument('<incident>', 'incident id or reference (INC-12)')
    .requiredOption('--audience <audience>', 'customers or internal')
    .option('--template <id>', 'policy template, e.g. customer_update')
    .option('--subject <text>', 'free-form subject (instead of a template)')
    .option('--body <text>', 'free-form body (instead of a template)')
    .option('--customer <id>', 'customer to tell (repeatable; default every affected customer)', collect, [])
    .option('--to <email>', 'extra internal recipient (repeatable)', collect, [])
    .option('--happened <text>', 'what happened (default: the incident description)')
    .option('--doing <text>', 'what we are doing')
    .option('--you-should <text>', 'what the customer should do')
    .option('--next-update <text>', 'when the next update comes (default: from the cadence)')
    .action(async (incident: string, flags: DraftFlags) => {
      const body = {
        audience: flags.audience,
        ...(flags.template ? { template: flags.template } : {}),
        ...(flags.subject !== undefined ? { subject: flags.subject } : {}),
        ...(flags.body !== undefined ? { body: flags.body } : {}),
        ...(flags.customer.length > 0 ? { customerIds: flags.customer } : {}),
        ...(flags.to.length > 0 ? { recipients: flags.to } : {}),
        ...(flags.happened !== undefined ? { whatHappened: flags.happened } : {}),
        ...(flags.doing !== undefined ? { whatWeAreDoing: flags.doing } : {}),
        ...(flags.youShould !== undefined ? { whatYouShouldDo: flags.youShould } : {}),
        ...(flags.nextUpdate !== undefined ? { nextUpdateAt: flags.nextUpdate } : {}),
      };
      const answer = await clientFor(flags).post<CommunicationJson>(commsPath(incident), body);
      printAnswer(io, flags, answer, summary);
    });

  clientOptions(comms.command('list'))
    .description("list an incident's communications with their deliveries")
    .argument('<incident>', 'incident id or reference (INC-12)')
    .action(async (incident: string, flags: ClientFlags) => {
      const answer = await clientFor(flags).get<{ items: CommunicationJson[] }>(commsPath(incident));
      printAnswer(io, flags, answer, (a) =>
        a.items.length === 0 ? ['no communications'] : a.items.flatMap(summary),
      );
    });

  clientOptions(comms.command('preview'))
    .description('show the message each recipient would get, as text')
    .argument('<incident>', 'incident id or reference (INC-12)')
    .argument('<communication>', 'communication id')
    .action(async (incident: string, id: string, flags: ClientFlags) => {
      const answer = await clientFor(flags).post<PreviewJson>(
        commsPath(incident, `/${id}/preview`),
        undefined,
      );
      printAnswer(io, flags, answer, (p) =>
        p.messages.flatMap((m) => [`To: ${m.recipient}`, `Subject: ${m.subject}`, '', m.text, '']),
      );
    });

  for (const [name, description] of [
    ['approve', "approve a draft (as the incident's communications lead or owner)"],
    ['send', 'queue a communication for delivery'],
  ] as const) {
    clientOptions(comms.command(name))
      .description(description)
      .argument('<incident>', 'incident id or reference (INC-12)')
      .argument('<communication>', 'communication id')
      .action(async (incident: string, id: string, flags: ClientFlags) => {
        const answer = await clientFor(flags).post<CommunicationJson>(
          commsPath(incident, `/${id}/${name}`),
          undefined,
        );
        printAnswer(io, flags, answer, summary);
      });
  }
}
