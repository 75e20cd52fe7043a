import { z } from 'zod';
import type { FieldIssue } from '../platform/errors.ts';

/** An RFC 9457 problem document, with Vigil's extension members. */
export interface Problem {
  /** `urn:vigil:problem:<slug>`: stable, documented in docs/errors.md. */
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  requestId?: string;
  /** For `validation-failed`: each refused field and why. */
  errors?: FieldIssue[];
  /** For `invalid-transition`: the states that may follow. */
  allowed?: string[];
}

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

export function problemType(slug: string): string {
  return `urn:vigil:problem:${slug}`;
}

/** The problem document schema, as OpenAPI shows it on every error response. */
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), reason: z.string() })).optional(),
    allowed: z.array(z.string()).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

/** Response schemas for the given error statuses, to spread into a route's `response`. */
export function problemResponses<S extends number>(...statuses: S[]): Record<S, typeof ProblemSchema> {
  return Object.fromEntries(statuses.map((s) => [s, ProblemSchema])) as Record<S, typeof ProblemSchema>;
}
