/**
 * The detection report's figures: where real incidents came from (a
 * person's declaration or a detection rule, and which signal sources fed
 * them), by month, and each rule's detection quality from the triage
 * decisions on the incidents it opened. Pure.
 */
import { DateTime } from 'luxon';
import { groupBy, share } from './report-stats.ts';
import type { IncidentRow, SignalLinkRow } from './report-types.ts';

export type IncidentOrigin = 'manual' | 'detection';

/** How an incident was judged: its triage decision, or confirmed by moving on to contain without one. */
export type TriageOutcome = 'confirmed' | 'false_positive' | 'duplicate' | 'untriaged';

export interface MonthFigures {
  /** `YYYY-MM` in the policy's time zone. */
  month: string;
  manual: number;
  detection: number;
  bySignalSource: Record<string, number>;
  byRule: Record<string, number>;
}

export interface RuleQuality {
  ruleId: string;
  ruleName: string;
  opened: number;
  confirmed: number;
  falsePositive: number;
  duplicate: number;
  untriaged: number;
  /** (false positives + duplicates) / opened, four decimals: how noisy the rule is. */
  noiseShare: number | null;
}

export interface DetectionFigures {
  incidents: number;
  manual: number;
  detection: number;
  /** Incidents fed by each signal source (an incident fed by two counts once for each). */
  signalSources: { source: string; incidents: number }[];
  months: MonthFigures[];
  /** Noisiest first (by noise share, then incidents opened). */
  rules: RuleQuality[];
  excludedExercises: number;
}

/** The rule that opened an incident: the rule on its earliest rule-made link; null for a declaration. */
export function openingRule(links: readonly SignalLinkRow[]): string | null {
  const byRule = links
    .filter((l) => l.ruleId !== null)
    .sort((a, b) => a.linkedAt.getTime() - b.linkedAt.getTime() || Number(a.signalId) - Number(b.signalId));
  return byRule[0]?.ruleId ?? null;
}

export function triageOutcome(i: IncidentRow): TriageOutcome {
  if (i.triageDecision === 'false_positive' || i.triageDecision === 'duplicate') return i.triageDecision;
  if (i.triageDecision === 'confirmed' || i.triageStartedAt) return 'confirmed';
  return 'untriaged';
}

const bump = (record: Record<string, number>, key: string) => {
  record[key] = (record[key] ?? 0) + 1;
};

export function computeDetectionFigures(input: {
  incidents: readonly IncidentRow[];
  links: readonly SignalLinkRow[];
  ruleNames: ReadonlyMap<string, string>;
  timeZone: string;
}): DetectionFigures {
  const real = input.incidents.filter((i) => i.exerciseId === null);
  const months = new Map<string, MonthFigures>();
  const sources = new Map<string, number>();
  const rules = new Map<string, RuleQuality>();
  const linksOf = groupBy(input.links, (l) => l.incidentId);
  let detection = 0;
  for (const incident of [...real].sort((a, b) => a.openedAt.getTime() - b.openedAt.getTime())) {
    const links = linksOf.get(incident.id) ?? [];
    const rule = openingRule(links);
    const month = DateTime.fromJSDate(incident.openedAt, { zone: input.timeZone }).toFormat('yyyy-MM');
    const m = months.get(month) ?? { month, manual: 0, detection: 0, bySignalSource: {}, byRule: {} };
    months.set(month, m);
    const fedBy = [...new Set(links.map((l) => l.source))].sort();
    for (const s of fedBy) {
      bump(m.bySignalSource, s);
      sources.set(s, (sources.get(s) ?? 0) + 1);
    }
    if (rule === null) {
      m.manual += 1;
      continue;
    }
    detection += 1;
    m.detection += 1;
    bump(m.byRule, rule);
    const q = rules.get(rule) ?? emptyQuality(rule, input.ruleNames.get(rule) ?? rule);
    rules.set(rule, q);
    q.opened += 1;
    const outcome = triageOutcome(incident);
    if (outcome === 'false_positive') q.falsePositive += 1;
    else if (outcome === 'duplicate') q.duplicate += 1;
    else q[outcome] += 1;
  }
  const quality = [...rules.values()].map((q) => ({
    ...q,
    noiseShare: share(q.falsePositive + q.duplicate, q.opened),
  }));
  quality.sort(
    (a, b) =>
      (b.noiseShare ?? 0) - (a.noiseShare ?? 0) || b.opened - a.opened || a.ruleId.localeCompare(b.ruleId),
  );
  return {
    incidents: real.length,
    manual: real.length - detection,
    detection,
    signalSources: [...sources.entries()]
      .map(([source, incidents]) => ({ source, incidents }))
      .sort((a, b) => b.incidents - a.incidents || a.source.localeCompare(b.source)),
    months: [...months.values()].sort((a, b) => a.month.localeCompare(b.month)),
    rules: quality,
    excludedExercises: input.incidents.length - real.length,
  };
}

function emptyQuality(ruleId: string, ruleName: string): RuleQuality {
  return {
    ruleId,
    ruleName,
    opened: 0,
    confirmed: 0,
    falsePositive: 0,
    duplicate: 0,
    untriaged: 0,
    noiseShare: null,
  };
}
