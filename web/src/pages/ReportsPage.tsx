import './pages.css';
import { lazy, Suspense, useEffect, useState } from 'react';
import { get } from '../api.ts';
import { DownloadLink } from '../components/DownloadLink.tsx';
import { ErrorState, LoadingState } from '../components/States.tsx';
import { useQueryState } from '../router.tsx';
import type { MonthPoint } from './ReportCharts.tsx';

const LineTrend = lazy(() => import('./ReportCharts.tsx').then((m) => ({ default: m.LineTrend })));
const StackedBars = lazy(() => import('./ReportCharts.tsx').then((m) => ({ default: m.StackedBars })));

interface ClockFigures {
  met: number;
  breached: number;
}
interface TimeFigures {
  count: number;
  medianSeconds: number | null;
}
interface SlaReport {
  figures: {
    severities: {
      severity: string;
      incidents: number;
      clocks: Record<string, ClockFigures>;
      times: Record<'acknowledge' | 'resolve', TimeFigures>;
    }[];
  };
}
interface DetectionReport {
  figures: {
    incidents: number;
    manual: number;
    months: { month: string; manual: number; bySignalSource: Record<string, number> }[];
  };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The last `count` calendar months up to this one: `[{month: '2026-11', from, to}]`, oldest first. */
function months(count: number): { month: string; from: string; to: string }[] {
  const now = new Date();
  return Array.from({ length: count }, (_, i) => {
    const first = new Date(now.getFullYear(), now.getMonth() - (count - 1 - i), 1);
    const last = new Date(first.getFullYear(), first.getMonth() + 1, 0);
    const y = first.getFullYear();
    const m = pad(first.getMonth() + 1);
    return { month: `${y}-${m}`, from: `${y}-${m}-01`, to: `${y}-${m}-${pad(last.getDate())}` };
  });
}

/** Share of response clocks met (of those decided: met or breached) per severity, in percent. */
function compliance(report: SlaReport): Record<string, number | null> {
  return Object.fromEntries(
    report.figures.severities.map((s) => {
      const clocks = Object.values(s.clocks);
      const met = clocks.reduce((n, c) => n + c.met, 0);
      const decided = clocks.reduce((n, c) => n + c.met + c.breached, 0);
      return [s.severity, decided === 0 ? null : Math.round((100 * met) / decided)];
    }),
  );
}

/** A median over all severities, weighting each severity's median by its count (minutes). */
function weightedMedianMinutes(report: SlaReport, which: 'acknowledge' | 'resolve'): number | null {
  let total = 0;
  let weight = 0;
  for (const s of report.figures.severities) {
    const t = s.times[which];
    if (t.medianSeconds !== null && t.count > 0) {
      total += t.medianSeconds * t.count;
      weight += t.count;
    }
  }
  return weight === 0 ? null : Math.round(total / weight / 60);
}

interface Figures {
  compliance: MonthPoint[];
  severities: string[];
  times: MonthPoint[];
  sources: MonthPoint[];
  sourceNames: string[];
  incidents: number;
}

async function loadFigures(count: number): Promise<Figures> {
  const range = months(count);
  const sla = await Promise.all(
    range.map((m) => get<SlaReport>(`/api/v1/reports/sla?from=${m.from}&to=${m.to}`)),
  );
  const detection = await get<DetectionReport>(
    `/api/v1/reports/detection?from=${range[0]!.from}&to=${range.at(-1)!.to}`,
  );
  const severities = sla[0]?.figures.severities.map((s) => s.severity) ?? [];
  const byMonth = new Map(detection.figures.months.map((m) => [m.month, m]));
  const sourceNames = [
    ...new Set(detection.figures.months.flatMap((m) => Object.keys(m.bySignalSource))),
  ].sort();
  return {
    severities,
    compliance: range.map((m, i) => ({ month: m.month, ...compliance(sla[i]!) })),
    times: range.map((m, i) => ({
      month: m.month,
      'Time to acknowledge': weightedMedianMinutes(sla[i]!, 'acknowledge'),
      'Time to resolve': weightedMedianMinutes(sla[i]!, 'resolve'),
    })),
    sources: range.map((m) => {
      const found = byMonth.get(m.month);
      return {
        month: m.month,
        declared: found?.manual ?? 0,
        ...Object.fromEntries(sourceNames.map((s) => [s, found?.bySignalSource[s] ?? 0])),
      };
    }),
    sourceNames: ['declared', ...sourceNames],
    incidents: detection.figures.incidents,
  };
}

const REPORTS = [
  ['sla', 'Response targets (SLA)'],
  ['detection', 'Incident sources and detection'],
  ['actions', 'Follow-up actions'],
  ['exercises', 'Exercises'],
  ['iso27001', 'ISO 27001 evidence'],
] as const;

function Downloads({ from, to }: { from: string; to: string }) {
  return (
    <div className="card">
      <h2>Download</h2>
      <p className="muted">
        For {from} to {to}: CSV for spreadsheets, HTML to print or save as PDF.
      </p>
      <ul>
        {REPORTS.map(([id, name]) => (
          <li key={id}>
            {name}:{' '}
            <DownloadLink
              href={`/api/v1/reports/${id}?from=${from}&to=${to}&format=csv`}
              filename={`${id}-${from}-${to}.csv`}
            >
              CSV
            </DownloadLink>{' '}
            ·{' '}
            <DownloadLink
              href={`/api/v1/reports/${id}?from=${from}&to=${to}&format=html`}
              filename={`${id}-${from}-${to}.html`}
            >
              printable HTML
            </DownloadLink>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** SLA compliance, response times and incident sources, month by month, with the reports to download. */
export default function ReportsPage() {
  const [query, setQuery] = useQueryState();
  const count = Number(query.get('months') ?? '6') || 6;
  const [figures, setFigures] = useState<Figures | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: attempt re-runs the load on "Try again".
  useEffect(() => {
    let live = true;
    setFigures(null);
    setError(null);
    loadFigures(count).then(
      (f) => live && setFigures(f),
      (e) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [count, attempt]);
  const range = months(count);

  return (
    <section aria-labelledby="reports-title">
      <div className="page-head">
        <h1 id="reports-title">Reports</h1>
        <div className="filter">
          <label htmlFor="report-months">Months shown</label>
          <select
            id="report-months"
            value={String(count)}
            onChange={(e) => setQuery('months', e.target.value)}
          >
            {[3, 6, 12, 24].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p className="lead">
        Exercise incidents are left out, as in the downloadable reports. Months are calendar months in the
        policy's time zone.
      </p>
      {error ? <ErrorState error={error} retry={() => setAttempt((n) => n + 1)} /> : null}
      {!figures && !error && <LoadingState label="Loading the reports" />}
      {figures && (
        <Suspense fallback={<LoadingState label="Loading the charts" />}>
          <div className="card">
            <h2>Response targets met, by severity</h2>
            <p className="muted">
              Share of decided clocks (acknowledge, triage, containment, customer updates) met in time, per
              month, in percent. A month without decided clocks has no point.
            </p>
            <LineTrend
              data={figures.compliance}
              series={figures.severities}
              unit="%"
              label="Line chart: share of response targets met per severity, per month"
            />
          </div>
          <div className="card">
            <h2>Time to acknowledge and to resolve</h2>
            <p className="muted">
              Median minutes from opening, across severities (weighted by count), per month.
            </p>
            <LineTrend
              data={figures.times}
              series={['Time to acknowledge', 'Time to resolve']}
              unit=" min"
              label="Line chart: median minutes to acknowledge and to resolve, per month"
            />
          </div>
          <div className="card">
            <h2>Incidents by source</h2>
            <p className="muted">
              {figures.incidents} incidents in the period: declared by people, or opened by detection; an
              incident fed by several sources counts once for each.
            </p>
            <StackedBars
              data={figures.sources}
              series={figures.sourceNames}
              label="Bar chart: incidents per month by source"
            />
          </div>
        </Suspense>
      )}
      <Downloads from={range[0]!.from} to={range.at(-1)!.to} />
    </section>
  );
}
