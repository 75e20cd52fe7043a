/**
 * Adapts the package and report producers to the narrow {@link SharedArtifacts}
 * port that share links use. The composition root passes what exists; a
 * producer that is not wired answers NotFound, which a link shows as the same
 * 404 as an unknown link.
 */
import type { Readable } from 'node:stream';
import { NotFound } from '../platform/errors.ts';
import type { SharedArtifacts, ShareReportFormat, ShareReportKind } from './evidence-request-types.ts';

/** Who builds a package downloaded through a link: Vigil itself, on the recipient's behalf. */
export const SHARED_LINK_ACTOR = { type: 'system', name: 'shared-link' } as const;

export interface ArtifactProducers {
  /** Builds an incident's evidence package (the export is audited by the producer). */
  buildPackage?: ((incidentId: string) => Promise<{ fileName: string; stream(): Readable }>) | undefined;
  renderReport?:
    | ((
        kind: ShareReportKind,
        range: { from: Date; to: Date },
        format: ShareReportFormat,
      ) => Promise<{ contentType: string; body: string }>)
    | undefined;
}

export function sharedArtifacts(producers: ArtifactProducers): SharedArtifacts {
  return {
    async package(incidentId) {
      if (!producers.buildPackage) throw new NotFound('evidence package producer', 'for shared links');
      const built = await producers.buildPackage(incidentId);
      return { fileName: built.fileName, contentType: 'application/zip', body: built.stream() };
    },
    async report(kind, range, format) {
      if (!producers.renderReport) throw new NotFound('report producer', 'for shared links');
      return producers.renderReport(kind, range, format);
    },
  };
}
