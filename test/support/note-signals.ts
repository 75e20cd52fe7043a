import { expect } from 'vitest';
import type { TestVigil } from './test-vigil.ts';

/** Creates an ingest token for every source, as the admin; fails the test unless it is created. */
export async function createIngestToken(t: TestVigil, name: string): Promise<string> {
  const res = await t.api({ method: 'POST', url: '/api/v1/ingest-tokens', payload: { name } });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().token as string;
}

/**
 * Ingests one harmless generic note (no rule counts it) with the sender id `id` and the entity
 * `service`, occurring at `at`; fails the test unless it is accepted (202).
 */
export async function ingestNote(
  t: TestVigil,
  token: string,
  note: { id: string; service: string; at: Date | string },
): Promise<void> {
  const res = await t.vigil.http.inject({
    method: 'POST',
    url: '/api/v1/signals/generic',
    payload: {
      id: note.id,
      source: 'scheduler.example.com',
      type: 'job.note',
      severity: 'info',
      title: `note ${note.id}`,
      timestamp: typeof note.at === 'string' ? note.at : note.at.toISOString(),
      entity: { service: note.service },
    },
    headers: { authorization: `Bearer ${token}` },
  });
  expect(res.statusCode, res.body).toBe(202);
}
