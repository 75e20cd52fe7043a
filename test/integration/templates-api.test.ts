import { afterEach, expect, it } from 'vitest';
import { describeEachDatabase } from '../support/test-databases.ts';
import { startTestVigil, type TestVigil } from '../support/test-vigil.ts';

// biome-ignore lint/suspicious/noExplicitAny: API answers are read loosely here; their schemas are tested by the routes.
type Json = Record<string, any>;

/** The console learns which templates it may draft from, and which fields each asks for. */
describeEachDatabase('message templates API', (dialect) => {
  let t: TestVigil;
  afterEach(async () => {
    await t.stop();
  });

  it('lists the policy templates with audience, placeholders and the fields a person writes', async () => {
    t = await startTestVigil(dialect);
    const res = await t.api({ method: 'GET', url: '/api/v1/templates' });
    expect(res.statusCode).toBe(200);
    const items = (res.json() as Json).items as Json[];
    const byId = new Map(items.map((i) => [i.id, i]));
    const update = byId.get('customer_update')!;
    expect(update.audience).toBe('customers');
    expect(update.draftable).toBe(true);
    expect(update.subject).toContain('{{reference}}');
    expect(update.placeholders).toEqual(
      expect.arrayContaining(['recipientName', 'whatHappened', 'reference']),
    );
    expect(update.fields).toEqual(['nextUpdateAt', 'whatHappened', 'whatWeAreDoing', 'whatYouShouldDo']);
    expect(byId.get('internal_update')!.audience).toBe('internal');
    const escalation = byId.get('escalation')!;
    expect(escalation.draftable).toBe(false);
    expect(escalation.fields).toEqual([]);
  });

  it('drafts from a listed template with exactly its listed fields', async () => {
    t = await startTestVigil(dialect);
    const items = ((await t.api({ method: 'GET', url: '/api/v1/templates' })).json() as Json).items as Json[];
    const internal = items.find((i) => i.id === 'internal_update')!;
    const incident = (
      await t.api({
        method: 'POST',
        url: '/api/v1/incidents',
        payload: { title: 'Templates', severity: 'low', description: 'Seen in the logs' },
      })
    ).json() as Json;
    const fields = Object.fromEntries((internal.fields as string[]).map((f) => [f, `text for ${f}`]));
    const draft = await t.api({
      method: 'POST',
      url: `/api/v1/incidents/${incident.id}/communications`,
      payload: { audience: 'internal', template: 'internal_update', ...fields },
    });
    expect(draft.statusCode).toBe(201);
    expect((draft.json() as Json).template).toBe('internal_update');
  });

  it('refuses a caller without credentials', async () => {
    t = await startTestVigil(dialect);
    const res = await t.vigil.http.inject({ method: 'GET', url: '/api/v1/templates' });
    expect(res.statusCode).toBe(401);
  });
});
