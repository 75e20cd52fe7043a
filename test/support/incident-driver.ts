import { expect } from 'vitest';
import type { TestVigil } from './test-vigil.ts';

// biome-ignore lint/suspicious/noExplicitAny: API answers are read loosely in scenario tests; the schemas are tested elsewhere.
type Json = Record<string, any>;

/** Drives one incident through the public API, as a client would. */
export function incidentDriver(t: TestVigil) {
  async function call(
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    payload?: unknown,
    expected?: number,
  ): Promise<Json> {
    const res = await t.api({ method, url, ...(payload === undefined ? {} : { payload: payload as Json }) });
    if (expected !== undefined) expect(res.statusCode, res.body).toBe(expected);
    return res.json() as Json;
  }
  return {
    call,
    declare: (body: Json) => call('POST', '/api/v1/incidents', body, 201),
    get: (id: string) => call('GET', `/api/v1/incidents/${id}`, undefined, 200),
    act: (id: string, action: string, body?: Json, expected = 200) =>
      call('POST', `/api/v1/incidents/${id}/${action}`, body ?? {}, expected),
    timeline: async (id: string, kind?: string) =>
      (await call('GET', `/api/v1/incidents/${id}/timeline${kind ? `?kind=${kind}` : ''}`, undefined, 200))
        .items as Json[],
    states: async (id: string) => {
      const incident = await call('GET', `/api/v1/incidents/${id}`, undefined, 200);
      return Object.fromEntries(
        Object.entries(incident.sla as Record<string, Json | null>).map(([k, v]) => [k, v ? v.state : null]),
      );
    },
  };
}
