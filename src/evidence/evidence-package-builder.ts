/**
 * Turns an incident's package contents into the files of the ZIP and its
 * manifest. Everything but the attachments is rendered in memory (JSON,
 * the report, the mail); attachments stay streams until the writer reaches
 * them. The order of the members is fixed: manifest, README, then every
 * other file by path.
 */
import type { Readable } from 'node:stream';
import { sentMailEml } from './evidence-package-eml.ts';
import { reportHtml } from './evidence-package-html.ts';
import { archiveComment, buildManifest, byPath, fileEntry, prettyJson } from './evidence-package-manifest.ts';
import { reportPdf } from './evidence-package-pdf.ts';
import { packageReadme } from './evidence-package-readme.ts';
import { type PackageContents, packageReport } from './evidence-package-report.ts';
import {
  MANIFEST_PATH,
  type PackageFileEntry,
  type PackageManifest,
  type PackageMember,
  SEGMENT_PATH,
} from './evidence-package-types.ts';

/** The rendered package: its members in archive order, and the archive comment. */
export interface AssembledPackage {
  manifest: PackageManifest;
  members: PackageMember[];
  comment: string;
}

/** Text and JSON compress well; the PDF and attachments are stored as they are. */
const bytes = (path: string, content: Buffer, compress = true): PackageMember => ({
  path,
  kind: 'bytes',
  bytes: content,
  compress,
});

async function documentMembers(c: PackageContents, mailFrom: string): Promise<PackageMember[]> {
  const outline = packageReport(c);
  const breach = c.breach;
  const members = [
    bytes('incident/incident.json', prettyJson(c.incident)),
    bytes('incident/timeline.json', prettyJson(c.timeline)),
    bytes('incident/decisions.json', prettyJson(c.decisions)),
    bytes('report/report.html', reportHtml(outline)),
    bytes('report/report.pdf', await reportPdf(outline, c.lastChangeAt), false),
    bytes('review/review.json', prettyJson({ required: c.review.required, review: c.review.review })),
    bytes('review/actions.json', prettyJson(c.review.actions)),
    bytes('breach/records.json', prettyJson(breach ? { ...breach, submissions: undefined } : null)),
    bytes('breach/submissions.json', prettyJson(breach?.submissions ?? [])),
    bytes(SEGMENT_PATH, prettyJson(c.segment)),
    bytes(
      'communications/messages.json',
      prettyJson(
        c.mails.map(({ path, message: m }) => ({
          file: path,
          outboxId: m.id,
          kind: m.kind,
          communicationId: m.communicationId,
          recipient: m.recipient,
          subject: m.subject,
          sentAt: m.sentAt,
          response: m.response,
        })),
      ),
    ),
  ];
  for (const { path, message } of c.mails) members.push(bytes(path, await sentMailEml(message, mailFrom)));
  if (c.attachments.length > 0) {
    const items = c.attachments.map(({ item, path }) => ({ ...item, file: path }));
    members.push(bytes('attachments/items.json', prettyJson(items)));
  }
  return members;
}

/** One member per distinct attachment path (the same content under the same name is stored once). */
function attachmentMembers(c: PackageContents, open: (sha256: string) => Promise<Readable>): PackageMember[] {
  const seen = new Map<string, PackageMember>();
  for (const { item, path } of c.attachments) {
    if (!path || seen.has(path)) continue;
    const { sha256, sizeBytes: size } = item;
    seen.set(path, { path, kind: 'stream', sha256, size, open: () => open(sha256) });
  }
  return [...seen.values()];
}

function entryOf(member: PackageMember): PackageFileEntry {
  return member.kind === 'bytes'
    ? fileEntry(member.path, member.bytes)
    : { path: member.path, sha256: member.sha256, size: member.size };
}

/**
 * Renders the package.
 *
 * @param mailFrom the `From` the mailer sends with, for the `.eml` files.
 * @param open streams an attachment's content from the vault.
 */
export async function assemblePackage(
  c: PackageContents,
  options: { mailFrom: string; open: (sha256: string) => Promise<Readable> },
): Promise<AssembledPackage> {
  const i = c.incident;
  const last = c.segment[c.segment.length - 1];
  const lastChangeAt = c.lastChangeAt.toISOString();
  const readme = bytes(
    'README.txt',
    packageReadme({ reference: i.reference, lastChangeAt, lastSeq: last?.seq ?? null }),
  );
  const others = [...(await documentMembers(c, options.mailFrom)), ...attachmentMembers(c, options.open)];
  const files = [readme, ...others.sort(byPath)];
  const manifest = buildManifest({
    incident: { id: i.id, reference: i.reference },
    policyVersion: i.policyVersion,
    lastChangeAt,
    audit: {
      entries: c.segment.length,
      firstSeq: c.segment[0]?.seq ?? null,
      lastSeq: last?.seq ?? null,
      lastHash: last?.hash ?? null,
    },
    files: files.map(entryOf),
    purged: c.attachments
      .filter(({ path, item }) => path === null && item.purgedAt)
      .map(({ item }) => ({
        itemId: item.id,
        filename: item.filename,
        sha256: item.sha256,
        sizeBytes: item.sizeBytes,
        purgedAt: item.purgedAt!.toISOString(),
      })),
  });
  const manifestBytes = prettyJson(manifest);
  return {
    manifest,
    members: [bytes(MANIFEST_PATH, manifestBytes), ...files],
    comment: archiveComment(manifestBytes),
  };
}
