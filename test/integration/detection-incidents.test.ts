import { readFileSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import {
  applyEdits,
  copyDefaultPolicyFolder,
  DEFAULT_FILE_TEXT,
} from '../../src/policy/fixtures/policy-variants.ts';
import { describeEachDatabase } from '../support/test-databases.ts';
import { startTestVigil, type TestVigil } from '../support/test-vigil.ts';

// biome-ignore lint/suspicious/noExplicitAny: API answers are read loosely here; their schemas are tested by the routes.
type Json = Record<string, any>;

const template = readFileSync(
  new URL('../fixtures/signals/vectors/sql-audit-failed-logins.jsonl', import.meta.url),
  'utf8',
)
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as Json)
  .find((row) => String(row.action_id_s).trim() === 'DBAF')!;

let sequence = 0;

/** `count` failed logins for `principal` from `ip`, a second apart from `start`, as SQL audit NDJSON. */
function failedLogins(principal: string, start: string, count: number, ip = '203.0.113.45'): string {
  return Array.from({ length: count }, (_, i) => {
    sequence += 1;
    return JSON.stringify({
      ...template,
      event_time_t: new Date(Date.parse(start) + i * 1000).toISOString(),
      sequence_group_id_g: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
      server_principal_name_s: principal,
      client_ip_s: ip,
    });
  }).join('\n');
}

/** Incidents from detection: routing, joining, and the boundaries that make a new incident open instead. */
describeEachDatabase('incidents from detection', (dialect) => {
  let t: TestVigil;
  afterEach(async () => t.stop());

  const ingest = async (body: string) => t.vigil.signals.ingest('sql-audit', body, 'application/x-ndjson');
  const incident = async (id: string) =>
    (await t.api({ method: 'GET', url: `/api/v1/incidents/${id}` })).json() as Json;

  it('routes what a rule opens to the owner and responders it names', async () => {
    const policy = applyEdits(DEFAULT_FILE_TEXT, [
      [
        '      maxCorrelation: 24 hours\n      category: unauthorised_access\n    # Failed logins, many accounts',
        '      maxCorrelation: 24 hours\n      category: unauthorised_access\n      owner: cto@example.com\n      responders: [head-of-engineering@example.com]\n    # Failed logins, many accounts',
      ],
    ]);
    t = await startTestVigil(dialect, {
      now: '2024-05-14T03:00:00Z',
      policyPath: await copyDefaultPolicyFolder(policy),
    });
    const receipt = await ingest(failedLogins('sqladmin', '2024-05-14T02:10:00Z', 10));
    const opened = await incident(receipt.incidents[0]!.id);
    expect(opened.owner.email).toBe('cto@example.com');
    expect(opened.roles.responders.map((p: Json) => p.email)).toEqual(['head-of-engineering@example.com']);
    expect(opened.declaredBy.email).toBe('detection@vigil.invalid');
    expect(opened.category).toBe('unauthorised_access');
    expect(opened.severity).toBe('high');
  });

  it('joins a later firing that shares an entity, but opens a new incident once the first reached review', async () => {
    t = await startTestVigil(dialect, { now: '2024-05-14T05:00:00Z' });
    const first = (await ingest(failedLogins('sqladmin', '2024-05-14T02:10:00Z', 10))).incidents[0]!;
    expect(first.opened).toBe(true);
    // Another principal from the same address, an hour later: the address correlates.
    const joined = (await ingest(failedLogins('backup_svc', '2024-05-14T03:10:00Z', 10))).incidents;
    expect(joined).toEqual([{ id: first.id, reference: first.reference, opened: false }]);

    for (const phase of ['contain', 'eradicate', 'recover', 'review']) {
      const moved = await t.api({
        method: 'POST',
        url: `/api/v1/incidents/${first.id}/phase`,
        payload: { phase, override: true, reason: 'moving on for the test' },
      });
      expect(moved.statusCode, moved.body).toBe(200);
    }
    const again = (await ingest(failedLogins('sqladmin', '2024-05-14T04:20:00Z', 10))).incidents;
    expect(again).toHaveLength(1);
    expect(again[0]!.opened).toBe(true);
    expect(again[0]!.id).not.toBe(first.id);
    const followUp = await incident(again[0]!.id);
    expect(followUp.description).toContain(`Follows ${first.reference}`);
    const notes = (
      await t.api({ method: 'GET', url: `/api/v1/incidents/${first.id}/timeline?kind=note` })
    ).json() as Json;
    expect(notes.items.map((e: Json) => e.summary).join('\n')).toContain(again[0]!.reference);
  });

  it('stops correlating after the rule’s maximum correlation window', async () => {
    t = await startTestVigil(dialect, { now: '2024-05-16T06:00:00Z' });
    const first = (await ingest(failedLogins('sqladmin', '2024-05-14T02:10:00Z', 10))).incidents[0]!;
    // 25 hours later: past the 24-hour correlation window of the default rules.
    const later = (await ingest(failedLogins('sqladmin', '2024-05-15T03:10:00Z', 10))).incidents;
    expect(later).toHaveLength(1);
    expect(later[0]!.opened).toBe(true);
    expect(later[0]!.id).not.toBe(first.id);
  });
});
