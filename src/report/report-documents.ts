/**
 * The report documents: a header and the figures of one report kind. The
 * JSON format is the document itself (instants as ISO 8601 UTC); the CSV
 * and HTML renderers format the same document.
 */
import type { DetectionFigures } from './report-detection.ts';
import type { ActionFigures, ExerciseFigures } from './report-follow-up.ts';
import type { ControlFinding, ControlStatus } from './report-iso27001.ts';
import type { SlaFigures } from './report-sla.ts';
import type { ReportHeader, ReportKind } from './report-types.ts';

export type ReportDocument =
  | { kind: 'sla'; header: ReportHeader; figures: SlaFigures }
  | { kind: 'detection'; header: ReportHeader; figures: DetectionFigures }
  | { kind: 'actions'; header: ReportHeader; figures: ActionFigures }
  | { kind: 'exercises'; header: ReportHeader; figures: ExerciseFigures }
  | {
      kind: 'iso27001';
      header: ReportHeader;
      figures: { controls: ControlFinding[]; summary: Record<ControlStatus, number> };
    };

export const REPORT_TITLES: Record<ReportKind, string> = {
  sla: 'Response targets (SLA) report',
  detection: 'Incident sources and detection quality',
  actions: 'Open and overdue corrective actions',
  exercises: 'Exercise history',
  iso27001: 'ISO/IEC 27001:2022 incident management controls',
};

/** The document as JSON text; `Date`s serialise as ISO 8601 UTC. */
export function reportJson(doc: ReportDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
