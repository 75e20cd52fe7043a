/**
 * `vigil review …` and `vigil action …`: post-incident reviews and the
 * corrective and preventive actions tracked to completion.
 */
import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { resolveClientConfig } from '../app/config.ts';
import type { CliIo } from './cli-io.ts';
import { type ClientFlags, clientFor, clientOptions, printAnswer } from './client-options.ts';
import { incidentPath } from './incident-format.ts';

interface ActionJson {
  id: string;
  title: string;
  kind: string;
  owner: string;
  dueDate: string;
  status: string;
}

interface ReviewJson {
  reference: string;
  required: boolean;
  review: { state: string; version: number; approvedBy: string | null } | null;
  actions: ActionJson[];
}

function actionLine(a: ActionJson): string {
  return `${a.id}  ${a.dueDate}  ${a.status.padEnd(11)} ${a.kind.padEnd(10)} ${a.owner}  ${a.title}`;
}

function reviewLines(r: ReviewJson): string[] {
  const state = r.review
    ? `${r.review.state.replace('_', ' ')} (v${r.review.version}${r.review.approvedBy ? `, approved by ${r.review.approvedBy}` : ''})`
    : 'not written';
  return [
    `${r.reference} review: ${state}${r.required ? '; required before closing' : ''}`,
    ...r.actions.map((a) => `  ${actionLine(a)}`),
  ];
}

export function registerReviewCommands(program: Command, io: CliIo): void {
  const review = program.command('review').description('post-incident reviews');

  clientOptions(review.command('show'))
    .description('the review of an incident, whether it is required, and its actions')
    .argument('<incident>', 'incident id or reference (INC-12)')
    .action(async (incident: string, f: ClientFlags) => {
      printAnswer(io, f, await clientFor(f).get<ReviewJson>(incidentPath(incident, 'review')), reviewLines);
    });

  clientOptions(review.command('write'))
    .description(
      'write the review from a JSON file {summary, rootCause, impact, lessons, customerSummary, ...}',
    )
    .argument('<incident>', 'incident id or reference (INC-12)')
    .argument('<file>', 'the review as JSON')
    .action(async (incident: string, file: string, f: ClientFlags) => {
      const body = JSON.parse(await readFile(file, 'utf8')) as unknown;
      printAnswer(
        io,
        f,
        await clientFor(f).put<ReviewJson>(incidentPath(incident, 'review'), body),
        reviewLines,
      );
    });

  for (const [name, description] of [
    ['submit', 'send the draft for review'],
    ['approve', "approve the review (the policy's review approver on the incident)"],
  ] as const) {
    clientOptions(review.command(name))
      .description(description)
      .argument('<incident>', 'incident id or reference (INC-12)')
      .action(async (incident: string, f: ClientFlags) => {
        printAnswer(
          io,
          f,
          await clientFor(f).post<ReviewJson>(incidentPath(incident, `review/${name}`), undefined),
          reviewLines,
        );
      });
  }

  clientOptions(review.command('export'))
    .description('save the review as Markdown or PDF')
    .argument('<incident>', 'incident id or reference (INC-12)')
    .requiredOption('--out <file>', 'where to write it')
    .option('--format <format>', 'markdown | pdf', 'markdown')
    .action(async (incident: string, f: ClientFlags & { out: string; format: string }) => {
      const { url, token } = resolveClientConfig(f);
      const response = await fetch(
        `${url.replace(/\/+$/, '')}${incidentPath(incident, `review/export?format=${encodeURIComponent(f.format)}`)}`,
        {
          headers: token ? { authorization: `Bearer ${token}` } : {},
        },
      );
      if (!response.ok) {
        io.err(`${response.status} ${await response.text()}`);
        io.setExitCode(1);
        return;
      }
      await writeFile(f.out, Buffer.from(await response.arrayBuffer()));
      io.out(`wrote ${f.out}`);
    });

  const action = program.command('action').description('corrective and preventive actions');

  clientOptions(action.command('add'))
    .description('add an action to an incident')
    .argument('<incident>', 'incident id or reference (INC-12)')
    .requiredOption('--title <text>', 'what is to be done')
    .requiredOption('--kind <kind>', 'corrective | preventive')
    .requiredOption('--owner <email>', 'who owns it')
    .requiredOption('--due <date>', 'target date YYYY-MM-DD')
    .action(
      async (
        incident: string,
        f: ClientFlags & { title: string; kind: string; owner: string; due: string },
      ) => {
        const body = { title: f.title, kind: f.kind, owner: f.owner, dueDate: f.due };
        printAnswer(
          io,
          f,
          await clientFor(f).post<ActionJson>(incidentPath(incident, 'actions'), body),
          (a) => [actionLine(a)],
        );
      },
    );

  clientOptions(action.command('list'))
    .description('actions by target date')
    .option('--owner <email>', "one owner's actions")
    .option('--status <status>', 'open | in_progress | done | wont_do')
    .option('--overdue', 'only open actions past their target date')
    .action(async (f: ClientFlags & { owner?: string; status?: string; overdue?: boolean }) => {
      const query = new URLSearchParams({
        ...(f.owner ? { owner: f.owner } : {}),
        ...(f.status ? { status: f.status } : {}),
        ...(f.overdue ? { overdue: 'true' } : {}),
      }).toString();
      const answer = await clientFor(f).get<{ items: ActionJson[] }>(
        `/api/v1/actions${query ? `?${query}` : ''}`,
      );
      printAnswer(io, f, answer, (a) => (a.items.length === 0 ? ['no actions'] : a.items.map(actionLine)));
    });

  clientOptions(action.command('update'))
    .description("move an action on (won't do needs --reason, from its owner)")
    .argument('<action>', 'action id')
    .option('--status <status>', 'open | in_progress | done | wont_do')
    .option('--reason <text>', 'why it will not be done')
    .option('--owner <email>', 'a new owner')
    .option('--due <date>', 'a new target date YYYY-MM-DD')
    .action(
      async (
        id: string,
        f: ClientFlags & { status?: string; reason?: string; owner?: string; due?: string },
      ) => {
        const body = {
          ...(f.status ? { status: f.status } : {}),
          ...(f.reason ? { wontDoReason: f.reason } : {}),
          ...(f.owner ? { owner: f.owner } : {}),
          ...(f.due ? { dueDate: f.due } : {}),
        };
        printAnswer(
          io,
          f,
          await clientFor(f).patch<ActionJson>(`/api/v1/actions/${encodeURIComponent(id)}`, body),
          (a) => [actionLine(a)],
        );
      },
    );
}
