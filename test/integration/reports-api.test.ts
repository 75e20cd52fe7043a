import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/cli-io.ts';
import { runCli } from '../../src/cli/program.ts';
import { incidentDriver } from '../support/incident-driver.ts';
import { describeEachDatabase } from '../support/test-databases.ts';
import { ADMIN_TOKEN, startTestVigil, type TestVigil } from '../support/test-vigil.ts';

// biome-ignore lint/suspicious/noExplicitAny: API answers are read loosely here; the figures are asserted exactly.
type Json = Record<string, any>;

const VECTOR = new URL('../fixtures/signals/vectors/sql-audit-failed-logins.jsonl', import.meta.url);
const vector = readFileSync(VECTOR, 'utf8');
const template = vector
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as Json)
  .find((row) => String(row.action_id_s).trim() === 'DBAF')!;

/** Ten failed logins for one principal, a second apart from `start`: enough for the brute-force rule. */
function failedLogins(start: string): string {
  return Array.from({ length: 10 }, (_, i) =>
    JSON.stringify({
      ...template,
      event_time_t: new Date(Date.parse(start) + i * 1000).toISOString(),
      sequence_group_id_g: `00000000-0000-4000-8000-${String(900 + i).padStart(12, '0')}`,
      server_principal_name_s: 'sqladmin',
      client_ip_s: '203.0.113.45',
    }),
  ).join('\n');
}

const DAY = 'from=2026-04-07&to=2026-04-07';

/**
 * One day of incidents on Tuesday 7 April 2026 (London, BST, business hours),
 * driven through the API with a fake clock, then reported at 13:00 UTC.
 */
describeEachDatabase('reports API', (dialect) => {
  let t: TestVigil;
  const refs: Record<string, string> = {};
  let detectedOpenedAt = '';
  let detectedRule = '';

  beforeAll(async () => {
    t = await startTestVigil(dialect, { now: '2026-04-07T09:00:00Z' });
    const d = incidentDriver(t);
    const at = (hhmm: string) => t.clock.set(`2026-04-07T${hhmm}:00Z`);
    const move = (id: string, phase: string) =>
      d.act(id, 'phase', { phase, override: true, reason: 'scripted for the report test' });
    const declare = async (name: string, severity: string) => {
      const incident = await d.declare({ title: `${name} <b>&</b>`, severity, description: name });
      refs[name] = incident.reference;
      return incident.id as string;
    };

    const i1 = await declare('I1', 'critical'); // 09:00
    at('09:10');
    await d.act(i1, 'acknowledge');
    at('09:20');
    await d.act(i1, 'triage', { decision: 'confirmed', reason: 'real' });
    at('09:30');
    const i2 = await declare('I2', 'critical');
    await move(i1, 'contain');
    at('10:00');
    await d.act(i2, 'acknowledge'); // due 09:45: late
    await d.act(i2, 'triage', { decision: 'confirmed', reason: 'real' }); // due 10:00: on time
    const i3 = await declare('I3', 'high');
    at('10:05');
    await d.act(i3, 'acknowledge');
    at('10:15');
    await d.act(i3, 'triage', { decision: 'confirmed', reason: 'real' });
    await move(i3, 'contain');
    at('10:30');
    const receipt = await t.vigil.signals.ingest(
      'sql-audit',
      failedLogins('2026-04-07T10:20:00Z'),
      'application/x-ndjson',
    );
    const i4 = receipt.incidents[0]!.id;
    const detected = await d.get(i4);
    refs.I4 = detected.reference;
    detectedOpenedAt = detected.openedAt;
    detectedRule = (await d.timeline(i4, 'signal_linked'))[0]!.data.ruleId;
    await d.act(i4, 'triage', { decision: 'false_positive', reason: 'the DBA mistyped' });
    at('10:40');
    const exercise = (
      await t.api({
        method: 'POST',
        url: '/api/v1/exercises',
        payload: {
          title: 'Drill',
          scenario: 'Replay.',
          scheduledFor: '2026-04-07',
          facilitator: 'cto@example.com',
        },
      })
    ).json() as Json;
    const ran = await t.api({
      method: 'POST',
      url: `/api/v1/exercises/${exercise.id}/run`,
      payload: { source: 'sql-audit', signals: vector, contentType: 'application/x-ndjson' },
    });
    expect(ran.statusCode, ran.body).toBe(201);
    refs.I5 = (await d.get(ran.json().incidentId)).reference; // never acknowledged: breached, but practice
    at('11:00');
    await move(i1, 'eradicate');
    await move(i3, 'eradicate');
    at('12:00');
    await move(i1, 'recover');
    at('12:30');
    await move(i1, 'review');
    at('13:00');
  });
  afterAll(async () => t.stop());

  const get = (url: string, headers: Record<string, string> = {}) => t.api({ method: 'GET', url, headers });

  /*
   * Hand computation. Times are wall-clock seconds from each incident's opening (UTC; London is +01:00).
   *
   * I1 critical  opened 09:00, acknowledged 09:10 (600; due 09:15), triaged 09:20 (1200; due 09:30),
   *              contain 09:30, eradicate 11:00: contained (7200; due 13:00), recover 12:00, review 12:30:
   *              resolved (12600). Update cadence (due 13:00) stops on reaching review at 12:30: met.
   * I2 critical  opened 09:30, acknowledged 10:00 (1800; due 09:45: LATE), triaged 10:00 (1800; due 10:00:
   *              on time). Containment and cadence due 13:30: running at 13:00.
   * I3 high      opened 10:00 (11:00 local, business time), acknowledged 10:05 (300; due 11:00), triaged
   *              10:15 (900), contain 10:15, eradicate 11:00: contained (3600; due the next business day).
   *              Cadence (one business day): running.
   * I4 high      opened by the brute-force rule at the firing's last signal, 10:20:09; false positive at
   *              10:30:00: triage met (591), closed, so acknowledge and containment were not needed and the
   *              cadence stopped clean (met); dismissed, so no time to resolve.
   * I5 high      a live exercise opened 10:40 and never acknowledged (due 11:40: breached): left out.
   *
   * critical: ack 1 met, 1 breached → 0.5; triage 2 met → 1; containment 1 met, 1 running → 1;
   *           cadence 1 met, 1 running → 1. ack [600, 1800]: median rank ⌈1⌉ → 600, p90 rank ⌈1.8⌉ = 2 → 1800;
   *           triage [1200, 1800] → 1200 / 1800; contain [7200]; resolve [12600].
   * high:     ack 1 met, 1 not needed → 1; triage 2 met → 1; containment 1 met, 1 not needed → 1;
   *           cadence 1 met (I4), 1 running (I3) → 1. ack [300]; triage [591, 900] → 591 / 900; contain [3600].
   * all:      ack [300, 600, 1800] → rank 2 = 600, rank ⌈2.7⌉ = 3 → 1800;
   *           triage [591, 900, 1200, 1800] → rank 2 = 900, rank ⌈3.6⌉ = 4 → 1800;
   *           contain [3600, 7200] → 3600 / 7200; resolve [12600].
   * Breaches: I2 acknowledge, due 09:45, met 10:00.
   */
  const clocks = (ack: number[], triage: number[], containment: number[], update: number[]): Json => {
    const c = ([met, breached, running, notNeeded]: number[]) => ({
      met,
      breached,
      running,
      notNeeded,
      shareMet: met! + breached! === 0 ? null : Math.round((met! / (met! + breached!)) * 10_000) / 10_000,
    });
    return { acknowledge: c(ack), triage: c(triage), containment: c(containment), customerUpdate: c(update) };
  };
  const stats = (count: number, median: number | null, p90: number | null) => ({
    count,
    medianSeconds: median,
    p90Seconds: p90,
  });
  const none = stats(0, null, null);

  it('computes the SLA report exactly as the hand computation', async () => {
    expect(detectedOpenedAt).toBe('2026-04-07T10:20:09.000Z');
    const res = await get(`/api/v1/reports/sla?${DAY}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const report = res.json() as Json;
    expect(report.header).toEqual({
      title: 'Response targets (SLA) report',
      from: '2026-04-06T23:00:00.000Z',
      to: '2026-04-07T23:00:00.000Z',
      generatedAt: '2026-04-07T13:00:00.000Z',
      timeZone: 'Europe/London',
    });
    const f = report.figures;
    expect(f.excludedExercises).toBe(1);
    expect(f.method).toEqual({ times: 'wall-clock seconds from opening', percentiles: 'nearest-rank' });
    expect(f.severities.map((s: Json) => s.severity)).toEqual(['critical', 'high', 'medium', 'low']);
    expect(f.severities[0]).toEqual({
      severity: 'critical',
      incidents: 2,
      clocks: clocks([1, 1, 0, 0], [2, 0, 0, 0], [1, 0, 1, 0], [1, 0, 1, 0]),
      times: {
        acknowledge: stats(2, 600, 1800),
        triage: stats(2, 1200, 1800),
        contain: stats(1, 7200, 7200),
        resolve: stats(1, 12600, 12600),
      },
    });
    expect(f.severities[1]).toEqual({
      severity: 'high',
      incidents: 2,
      clocks: clocks([1, 0, 0, 1], [2, 0, 0, 0], [1, 0, 0, 1], [1, 0, 1, 0]),
      times: {
        acknowledge: stats(1, 300, 300),
        triage: stats(2, 591, 900),
        contain: stats(1, 3600, 3600),
        resolve: none,
      },
    });
    expect(f.severities[2].incidents).toBe(0);
    expect(f.total.incidents).toBe(4);
    expect(f.total.times).toEqual({
      acknowledge: stats(3, 600, 1800),
      triage: stats(4, 900, 1800),
      contain: stats(2, 3600, 7200),
      resolve: stats(1, 12600, 12600),
    });
    expect(f.total.clocks.acknowledge).toEqual({
      met: 2,
      breached: 1,
      running: 0,
      notNeeded: 1,
      shareMet: 0.6667,
    });
    expect(f.breaches).toEqual([
      {
        reference: refs.I2,
        title: 'I2 <b>&</b>',
        severity: 'critical',
        clock: 'acknowledge',
        dueAt: '2026-04-07T09:45:00.000Z',
        metAt: '2026-04-07T10:00:00.000Z',
        status: 'met_late',
        periodsBreached: 1,
      },
    ]);
  });

  it('gives the same period for dates and for the instants they stand for', async () => {
    const byInstants = await get('/api/v1/reports/sla?from=2026-04-06T23:00:00Z&to=2026-04-07T23:00:00Z');
    const byDates = await get(`/api/v1/reports/sla?${DAY}`);
    expect(byInstants.json().figures).toEqual(byDates.json().figures);
    // The day before holds nothing.
    const before = (await get('/api/v1/reports/sla?from=2026-04-06&to=2026-04-06')).json() as Json;
    expect(before.figures.total.incidents).toBe(0);
  });

  it('answers CSV for ?format=csv and for Accept: text/csv, one row per severity and all', async () => {
    const csv = await get(`/api/v1/reports/sla?${DAY}&format=csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe('inline; filename="vigil-sla-2026-04-06-2026-04-07.csv"');
    const lines = csv.body.split('\r\n');
    expect(lines[0]).toBe(
      [
        'severity,incidents',
        ...['acknowledge', 'triage', 'containment', 'customer_update'].map(
          (c) => `${c}_met,${c}_breached,${c}_running,${c}_not_needed,${c}_share_met`,
        ),
        ...['acknowledge', 'triage', 'contain', 'resolve'].map(
          (x) => `time_to_${x}_count,time_to_${x}_median_seconds,time_to_${x}_p90_seconds`,
        ),
      ].join(','),
    );
    expect(lines.slice(1)).toEqual([
      'critical,2,1,1,0,0,0.5,2,0,0,0,1,1,0,1,0,1,1,0,1,0,1,2,600,1800,2,1200,1800,1,7200,7200,1,12600,12600',
      'high,2,1,0,0,1,1,2,0,0,0,1,1,0,0,1,1,1,0,1,0,1,1,300,300,2,591,900,1,3600,3600,0,,',
      'medium,0,0,0,0,0,,0,0,0,0,,0,0,0,0,,0,0,0,0,,0,,,0,,,0,,,0,,',
      'low,0,0,0,0,0,,0,0,0,0,,0,0,0,0,,0,0,0,0,,0,,,0,,,0,,,0,,',
      'all,4,2,1,0,1,0.6667,4,0,0,0,1,2,0,1,1,1,2,0,2,0,1,3,600,1800,4,900,1800,2,3600,7200,1,12600,12600',
      '',
    ]);
    const accepted = await get(`/api/v1/reports/sla?${DAY}`, { accept: 'text/csv' });
    expect(accepted.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(accepted.body).toBe(csv.body);
  });

  it('renders a printable, escaped HTML page with the figures', async () => {
    const res = await get(`/api/v1/reports/sla?${DAY}&format=html`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'");
    const html = res.body;
    expect(html).toContain('@media print');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('50.0 % (1 met, 1 breached, 0 running)');
    expect(html).toContain('10 min / 30 min (n=2)');
    expect(html).toContain('3 h 30 min / 3 h 30 min (n=1)');
    expect(html).toContain(`<td>${refs.I2}</td><td>I2 &lt;b&gt;&amp;&lt;/b&gt;</td>`);
    expect(html).toContain('2026-04-07 10:45 +01:00');
    expect(html).not.toContain('<b>&</b>');
  });

  it('shows where incidents came from and that the brute-force rule was noise here', async () => {
    const report = (await get(`/api/v1/reports/detection?${DAY}`)).json() as Json;
    expect(detectedRule).toBe('brute-force-login');
    expect(report.figures).toMatchObject({ incidents: 4, manual: 3, detection: 1, excludedExercises: 1 });
    expect(report.figures.signalSources).toEqual([{ source: 'sql-audit', incidents: 1 }]);
    expect(report.figures.months).toEqual([
      {
        month: '2026-04',
        manual: 3,
        detection: 1,
        bySignalSource: { 'sql-audit': 1 },
        byRule: { 'brute-force-login': 1 },
      },
    ]);
    expect(report.figures.rules).toEqual([
      {
        ruleId: 'brute-force-login',
        ruleName: expect.any(String),
        opened: 1,
        confirmed: 0,
        falsePositive: 1,
        duplicate: 0,
        untriaged: 0,
        noiseShare: 1,
      },
    ]);
    const csv = (await get(`/api/v1/reports/detection?${DAY}&format=csv`)).body.split('\r\n');
    expect(csv[0]).toBe('rule_id,rule_name,opened,confirmed,false_positive,duplicate,untriaged,noise_share');
    expect(csv[1]).toMatch(/^brute-force-login,.+,1,0,1,0,0,1$/);
  });

  it('maps the period to the ISO 27001 controls and calls out the gaps', async () => {
    const report = (await get(`/api/v1/reports/iso27001?${DAY}`)).json() as Json;
    const byControl = Object.fromEntries(report.figures.controls.map((c: Json) => [c.control, c]));
    expect(Object.fromEntries(Object.entries(byControl).map(([k, c]) => [k, (c as Json).status]))).toEqual({
      'A.5.24': 'partial',
      'A.5.25': 'evidenced',
      'A.5.26': 'partial',
      'A.5.27': 'evidenced',
      'A.5.28': 'gap',
      'A.6.8': 'evidenced',
    });
    expect(byControl['A.5.24'].gaps).toEqual(['no exercise completed in the period']);
    expect(byControl['A.5.26'].gaps).toEqual([`1 response clock breached: ${refs.I2} acknowledge`]);
    expect(byControl['A.5.28'].gaps).toEqual([
      'no evidence attached to or exported from the 4 incidents of the period',
    ]);
    expect(report.figures.summary).toEqual({ evidenced: 3, partial: 2, gap: 1 });
    // The ten failed logins count; the exercise's 35 replayed signals are practice.
    expect(byControl['A.6.8'].evidence).toContainEqual({ item: 'signals received', value: '10' });
    expect(byControl['A.6.8'].evidence).toContainEqual({
      item: 'incidents declared by a person',
      value: '3',
    });

    // The vault's record of an attachment (its table is another domain's) is counted from the audit log.
    const incident = await incidentDriver(t).get(refs.I1!);
    await t.vigil.database.kysely.transaction().execute((trx) =>
      t.vigil.audit.append(trx, {
        actor: { type: 'system', name: 'test' },
        action: 'evidence.attached',
        subject: { type: 'incident', id: incident.id },
        detail: { filename: 'firewall.log' },
        at: t.clock.now(),
      }),
    );
    const after = (await get(`/api/v1/reports/iso27001?${DAY}`)).json() as Json;
    const collection = after.figures.controls.find((c: Json) => c.control === 'A.5.28');
    expect(collection.status).toBe('evidenced');
    expect(collection.evidence).toContainEqual({ item: 'attachments added to the vault', value: '1' });
    const html = (await get(`/api/v1/reports/iso27001?${DAY}&format=html`)).body;
    expect(html).toContain('<span class="status partial">partial</span>');
    expect(html).toContain('<li>no exercise completed in the period</li>');
  });

  it('lists open and overdue actions, and the exercise history', async () => {
    const d = incidentDriver(t);
    const added = await d.act(
      refs.I3!,
      'actions',
      {
        title: 'Block =cmd| & <rotate>',
        kind: 'corrective',
        owner: 'cto@example.com',
        dueDate: '2026-04-07',
      },
      201,
    );
    t.clock.set('2026-04-09T10:00:00Z');
    try {
      const report = (await get(`/api/v1/reports/actions?${DAY}`)).json() as Json;
      expect(report.figures).toMatchObject({
        today: '2026-04-09',
        openCount: 1,
        overdueCount: 1,
        createdInPeriod: 1,
      });
      expect(report.figures.open[0]).toMatchObject({
        id: added.id,
        incidentReference: refs.I3,
        overdue: true,
        daysOverdue: 2,
      });
      const csv = (await get(`/api/v1/reports/actions?${DAY}&format=csv`)).body.split('\r\n');
      expect(csv[1]).toBe(
        `${added.id},${refs.I3},false,Block =cmd| & <rotate>,corrective,cto@example.com,2026-04-07,open,true,2`,
      );
      const iso = (await get(`/api/v1/reports/iso27001?${DAY}`)).json() as Json;
      const learning = iso.figures.controls.find((c: Json) => c.control === 'A.5.27');
      expect(learning).toMatchObject({ status: 'partial', gaps: ['1 corrective action overdue'] });
    } finally {
      t.clock.set('2026-04-07T13:00:00Z');
    }
    const exercises = (await get(`/api/v1/reports/exercises?${DAY}`)).json() as Json;
    expect(exercises.figures).toMatchObject({ completed: 0, planned: 1, lastCompletedOn: null });
    expect(exercises.figures.exercises).toEqual([
      expect.objectContaining({ title: 'Drill', status: 'planned', liveIncidents: 1, actions: 0 }),
    ]);
  });

  it.each([
    ['', 'query.from'],
    ['from=2026-04-07', 'query.to'],
    ['from=2026-04-31&to=2026-05-01', 'query.from'],
    ['from=2026-04-08&to=2026-04-07', 'query.to'],
    ['from=2020-01-01&to=2026-04-07', 'query.to'],
    [`${DAY}&format=pdf`, 'query.format'],
    [`${DAY}&colour=red`, 'query.colour'],
  ])('refuses ?%s with a 400 naming %s', async (query, field) => {
    const res = await get(`/api/v1/reports/sla?${query}`);
    expect(res.statusCode, res.body).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect((res.json() as Json).errors.map((e: Json) => e.field)).toContain(field);
  });

  it('answers 401 without a token', async () => {
    for (const kind of ['sla', 'detection', 'actions', 'exercises', 'iso27001']) {
      const res = await t.vigil.http.inject({ method: 'GET', url: `/api/v1/reports/${kind}?${DAY}` });
      expect(res.statusCode).toBe(401);
    }
  });

  it('serves `vigil report sla` over HTTP', async () => {
    await t.vigil.http.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(t.vigil.http.server.address() as AddressInfo).port}`;
    const out: string[] = [];
    const err: string[] = [];
    let code: number | undefined;
    const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), setExitCode: (c) => (code = c) };
    const args = ['--from', '2026-04-07', '--to', '2026-04-07', '--url', url, '--token', ADMIN_TOKEN];
    await runCli(['report', 'sla', ...args, '--format', 'csv'], io);
    expect(err).toEqual([]);
    expect(code).toBeUndefined();
    expect(out.join('\n')).toContain('critical,2,1,1,0,0,0.5,');
    await runCli(
      ['report', 'sla', '--from', '2026-04-08', '--to', '2026-04-07', '--url', url, '--token', ADMIN_TOKEN],
      io,
    );
    expect(code).toBe(1);
    expect(err.join('\n')).toContain('query.to: must be after from');
  });
});
