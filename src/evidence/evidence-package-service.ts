/**
 * Evidence packages: builds an incident's ZIP in a temporary file and
 * records the export in the audit log. The package itself never says who
 * exported it or when; the audit entry does, appended after the package is
 * built and outside its segment, so exporting again with no change in
 * between gives the same bytes.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../audit/audit-types.ts';
import type { Clock } from '../platform/clock.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { assemblePackage } from './evidence-package-builder.ts';
import { createPackageSources, type PackageSourceDeps } from './evidence-package-contents.ts';
import { PACKAGE_EXPORTED_ACTION } from './evidence-package-segment.ts';
import type { EvidencePackage } from './evidence-package-types.ts';
import { writePackageZip } from './evidence-package-zip.ts';

export interface EvidencePackageDeps extends PackageSourceDeps {
  db: Kysely<VigilDatabase>;
  audit: Pick<AuditService, 'append'>;
  clock: Clock;
  /** The `From` header the outbox's mailer sends with; the `.eml` files carry it. */
  mailFrom: string;
  /** Where packages are written while they are served; default the system's temporary directory. */
  tempDir?: string | undefined;
}

/** The `From` of `.eml` files when no SMTP is configured (nothing was then sent by email). */
export const DEFAULT_MAIL_FROM = 'Vigil <vigil@localhost>';

export function createEvidencePackageService(deps: EvidencePackageDeps) {
  const sources = createPackageSources(deps);

  return {
    /**
     * Builds the package of an incident (id or reference) and records the
     * export by `actor` (`evidence.package_exported`, with the package's
     * SHA-256 and last change). NotFound for an unknown incident. The
     * caller reads `stream()` once, or calls `discard()`.
     */
    async build(actor: Actor, idOrReference: string): Promise<EvidencePackage> {
      const contents = await sources.gather(idOrReference);
      const assembled = await assemblePackage(contents, {
        mailFrom: deps.mailFrom,
        open: (sha256) => deps.attachments.open(sha256),
      });
      const dir = await mkdtemp(join(deps.tempDir ?? tmpdir(), 'vigil-package-'));
      const file = join(dir, 'package.zip');
      const discard = () => rm(dir, { recursive: true, force: true });
      let written: { sha256: string; sizeBytes: number };
      try {
        written = await writePackageZip(file, assembled.members, {
          mtime: contents.lastChangeAt,
          comment: assembled.comment,
        });
        const { incident } = contents;
        await deps.db.transaction().execute((trx) =>
          deps.audit.append(trx, {
            actor,
            action: PACKAGE_EXPORTED_ACTION,
            subject: { type: 'incident', id: incident.id },
            detail: { packageSha256: written.sha256, lastChangeAt: contents.lastChangeAt.toISOString() },
            at: deps.clock.now(),
          }),
        );
      } catch (error) {
        await discard();
        throw error;
      }
      return {
        fileName: `${contents.incident.reference}-evidence.zip`,
        sha256: written.sha256,
        sizeBytes: written.sizeBytes,
        lastChangeAt: contents.lastChangeAt,
        stream() {
          const stream = createReadStream(file);
          stream.once('close', () => void discard());
          return stream;
        },
        discard,
      };
    },
  };
}

export type EvidencePackageService = ReturnType<typeof createEvidencePackageService>;
