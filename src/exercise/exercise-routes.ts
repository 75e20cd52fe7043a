import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requirePrincipal } from '../http/authentication.ts';
import { problemResponses } from '../http/problem.ts';
import type { Principal } from '../identity/identity-types.ts';
import { UserEmail } from '../identity/user-email.ts';
import { Conflict } from '../platform/errors.ts';
import { actionJson } from '../review/review-routes.ts';
import type { ReviewService } from '../review/review-service.ts';
import { ACTION_KINDS } from '../review/review-types.ts';
import type { ExerciseCadence } from './exercise-cadence.ts';
import type { Exercise, ExerciseService } from './exercise-service.ts';

const Text = (max: number) => z.string().trim().max(max);
const Loose = z.object({}).passthrough();
const Params = z.object({ xid: z.uuid() }).strict();

export function exerciseJson(e: Exercise) {
  return { ...e, createdAt: e.createdAt.toISOString(), updatedAt: e.updatedAt.toISOString() };
}

export function cadenceJson(c: ExerciseCadence) {
  return { ...c, nextDueAt: c.nextDueAt.toISOString(), warnFrom: c.warnFrom.toISOString() };
}

/** How a live exercise's signal file is played: all at once, or paced as recorded. */
export type ReplaySpeed = { mode: 'compressed' } | { mode: 'real'; speedup: number };

/** What a live run did: the records stored and firings at once, or the records queued for their instants. */
export type LiveRunOutcome =
  | { incidentId: string; reference: string; speed: 'compressed'; stored: number; firings: number }
  | {
      incidentId: string;
      reference: string;
      speed: 'real';
      speedup: number;
      scheduled: number;
      firstReleaseAt: string | null;
      lastReleaseAt: string | null;
    };

/** Opens a live exercise's incident and replays its signal file; the composition root joins the domains. */
export type LiveExerciseRunner = (
  principal: Principal,
  exercise: Exercise,
  input: {
    title: string;
    severity: string;
    source: string;
    signals: string;
    contentType: string | undefined;
    speed: ReplaySpeed;
  },
) => Promise<LiveRunOutcome>;

/** `/api/v1/exercises`: tabletop exercises and the policy's cadence. */
export function registerExerciseRoutes(
  app: FastifyInstance,
  deps: {
    exercises: ExerciseService;
    reviews: Pick<ReviewService, 'addExerciseAction'>;
    runLive: LiveExerciseRunner;
  },
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const { exercises, reviews, runLive } = deps;
  const tags = ['exercises'];

  api.post(
    '/api/v1/exercises',
    {
      schema: {
        tags,
        summary: 'Plan a tabletop exercise',
        body: z
          .object({
            title: Text(300).min(1),
            scenario: Text(50_000).min(1),
            scheduledFor: z.iso.date(),
            facilitator: UserEmail,
            participants: z.array(Text(300).min(1)).max(100).default([]),
          })
          .strict(),
        response: { 201: Loose, ...problemResponses(400, 401, 413, 415) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(exerciseJson(await exercises.create(requirePrincipal(request), request.body))),
  );

  api.get(
    '/api/v1/exercises',
    {
      schema: {
        tags,
        summary: 'Exercises, newest first, with the cadence the policy asks for',
        response: { 200: z.object({ items: z.array(Loose), cadence: Loose }), ...problemResponses(401) },
      },
    },
    async (request) => {
      requirePrincipal(request);
      return {
        items: (await exercises.list()).map(exerciseJson),
        cadence: cadenceJson(await exercises.cadence()),
      };
    },
  );

  api.get(
    '/api/v1/exercises/:xid',
    {
      schema: {
        tags,
        summary: 'One exercise',
        params: Params,
        response: { 200: Loose, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => {
      requirePrincipal(request);
      return exerciseJson(await exercises.get(request.params.xid));
    },
  );

  api.post(
    '/api/v1/exercises/:xid/complete',
    {
      schema: {
        tags,
        summary: 'Record that the exercise took place, with its findings',
        params: Params,
        body: z
          .object({
            findings: Text(50_000).min(1),
            completedOn: z.iso.date().optional(),
            participants: z.array(Text(300).min(1)).max(100).optional(),
          })
          .strict(),
        response: { 200: Loose, ...problemResponses(400, 401, 404, 409, 413, 415) },
      },
    },
    async (request) =>
      exerciseJson(await exercises.complete(requirePrincipal(request), request.params.xid, request.body)),
  );

  api.post(
    '/api/v1/exercises/:xid/actions',
    {
      schema: {
        tags,
        summary: 'Add an action that came out of the exercise',
        params: Params,
        body: z
          .object({
            title: Text(500).min(1),
            kind: z.enum(ACTION_KINDS),
            owner: UserEmail,
            dueDate: z.iso.date(),
          })
          .strict(),
        response: { 201: Loose, ...problemResponses(400, 401, 404, 413, 415) },
      },
    },
    async (request, reply) => {
      await exercises.get(request.params.xid);
      const action = await reviews.addExerciseAction(
        requirePrincipal(request),
        request.params.xid,
        request.body,
      );
      return reply.code(201).send(actionJson(action));
    },
  );

  api.post(
    '/api/v1/exercises/:xid/run',
    {
      schema: {
        tags,
        summary:
          'Run the exercise live: open an exercise incident and replay a signal file through detection',
        description:
          'With `speed: "compressed"` (the default) the whole file is replayed at once. With `speed: "real"` each record is released when its recorded offset from the first record has passed (divided by `speedup`), so the incident unfolds as the attack did; the records wait in a durable queue and the engine releases them. The incident is flagged as an exercise: kept out of the compliance status and the breach register, and its customer messages go to the facilitator.',
        params: Params,
        body: z
          .object({
            title: Text(200).min(1).optional().describe('Default: the exercise title'),
            severity: z.string().min(1).max(50).default('high'),
            source: z.string().min(1).max(50).describe('The signal file’s source format, e.g. sql-audit'),
            signals: z
              .string()
              .min(1)
              .max(32 * 1024 * 1024)
              .describe('The signal file’s content'),
            contentType: z.string().max(100).optional().describe('e.g. application/x-ndjson'),
            speed: z.enum(['compressed', 'real']).default('compressed'),
            speedup: z
              .number()
              .min(1)
              .max(3600)
              .optional()
              .describe('With speed "real": play the file this many times faster (60: a minute a second)'),
          })
          .strict()
          .refine((b) => b.speedup === undefined || b.speed === 'real', {
            path: ['speedup'],
            message: 'speedup applies only with speed "real"',
          }),
        response: { 201: Loose, ...problemResponses(400, 401, 404, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const principal = requirePrincipal(request);
      const exercise = await exercises.get(request.params.xid);
      if (exercise.status === 'completed') throw new Conflict(`exercise ${exercise.id} is already completed`);
      const b = request.body;
      const ran = await runLive(principal, exercise, {
        title: b.title ?? exercise.title,
        severity: b.severity,
        source: b.source,
        signals: b.signals,
        contentType: b.contentType,
        speed: b.speed === 'real' ? { mode: 'real', speedup: b.speedup ?? 1 } : { mode: 'compressed' },
      });
      return reply.code(201).send(ran);
    },
  );
}
