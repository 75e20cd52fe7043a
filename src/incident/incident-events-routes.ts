/**
 * `GET /api/v1/events`: live updates for the console as server-sent events.
 *
 * Each open stream polls the database on its own (see incident-events-dal),
 * so it sees changes made by any Vigil process sharing the database; no
 * process has to tell another. The cost is one or two small indexed queries
 * per stream per poll, which suits a console watched by tens of people.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { mayUse } from '../http/authorization.ts';
import { problemResponses } from '../http/problem.ts';
import { ValidationFailed } from '../platform/errors.ts';
import type { TimelineEntry } from '../timeline/timeline-types.ts';
import type { IncidentChange, IncidentEventFeed } from './incident-events-dal.ts';
import { timelineJson } from './incident-schemas.ts';
import type { IncidentService } from './incident-service.ts';

const EventsQuery = z
  .object({
    incident: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .describe("Also stream this incident's new timeline entries (UUID or INC-<n>)"),
  })
  .strict();

export interface IncidentEventOptions {
  feed: IncidentEventFeed;
  incidents: Pick<IncidentService, 'get'>;
  /** How often each stream asks the database for changes; default 1 s. */
  pollMs?: number;
  /** A comment line this often keeps proxies from closing a quiet stream; default 15 s. */
  keepAliveMs?: number;
}

interface StreamScope {
  /** The incident whose timeline is streamed, if any. */
  incidentId: string | null;
  /** Breach entries are for those who may read breaches, as in the timeline route. */
  showBreach: boolean;
}

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * Remembers where a stream is: the newest `updated_at` sent, the incidents
 * already sent at exactly that instant (two changes can share a millisecond),
 * and the last timeline position sent.
 */
function createCursor(start: { since: string; ids: string[] }, timelineSeq: number) {
  let since = start.since;
  let atSince = new Set(start.ids);
  let seq = timelineSeq;
  return {
    get since() {
      return since;
    },
    get seq() {
      return seq;
    },
    /** The changes not sent yet; advances the cursor past them. */
    take(changes: readonly IncidentChange[]): IncidentChange[] {
      const fresh = changes.filter((c) => !(c.updatedAt === since && atSince.has(c.id)));
      for (const c of fresh) {
        if (c.updatedAt > since) {
          since = c.updatedAt;
          atSince = new Set();
        }
        atSince.add(c.id);
      }
      return fresh;
    },
    sentTimeline(entries: readonly TimelineEntry[]) {
      const last = entries.at(-1);
      if (last) seq = last.seq;
    },
  };
}

/** One open stream: polls until the client goes or the server closes, then stops its timers. */
function openStream(
  raw: ServerResponse,
  scope: StreamScope,
  options: IncidentEventOptions,
  onEnd: () => void,
) {
  let ended = false;
  let poll: NodeJS.Timeout | undefined;
  const socket = raw.socket;
  const keepAlive = setInterval(() => raw.write(': keep-alive\n\n'), options.keepAliveMs ?? 15_000);
  const end = () => {
    if (ended) return;
    ended = true;
    clearTimeout(poll);
    clearInterval(keepAlive);
    // Nothing else is ever sent on this connection: close it, so a closing server does not wait for it.
    if (!raw.writableEnded) raw.end(() => socket?.destroy());
    onEnd();
  };
  raw.on('close', end);
  const start = async () => {
    const { feed } = options;
    const cursor = createCursor(
      await feed.frontier(),
      scope.incidentId ? await feed.lastTimelineSeq(scope.incidentId) : 0,
    );
    const tick = async () => {
      const changes = cursor.take(await feed.changedSince(cursor.since));
      for (const c of changes) raw.write(frame('incident', c));
      if (!scope.incidentId) return;
      const entries = await feed.timelineAfter(scope.incidentId, cursor.seq);
      cursor.sentTimeline(entries);
      for (const e of entries) {
        if (scope.showBreach || e.kind !== 'breach') raw.write(frame('timeline', timelineJson(e)));
      }
    };
    const schedule = () => {
      if (ended) return;
      poll = setTimeout(() => {
        tick().then(schedule, end);
      }, options.pollMs ?? 1_000);
    };
    if (ended) return;
    raw.write(frame('ready', { since: cursor.since || null, timelineSeq: cursor.seq }));
    schedule();
  };
  return { start, end };
}

export function registerIncidentEventRoutes(app: FastifyInstance, options: IncidentEventOptions): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const open = new Set<() => void>();

  // preClose, not onClose: Fastify waits for open connections before onClose, and a stream never finishes.
  app.addHook('preClose', async () => {
    for (const end of open) end();
  });

  api.get(
    '/api/v1/events',
    {
      schema: {
        tags: ['incidents'],
        summary: 'Live updates as server-sent events (text/event-stream)',
        description:
          'Events: `ready` once; `incident` (`{id, reference, updatedAt}`) when an incident is declared or ' +
          'changed; with `incident`, `timeline` (a timeline entry, as the timeline route shapes it) for each ' +
          'new entry of that incident. A comment line every 15 s keeps the stream open. The request must ' +
          'accept `text/event-stream` (400 otherwise).',
        querystring: EventsQuery,
        response: problemResponses(400, 401, 403, 404),
      },
    },
    async (request, reply) => {
      // A client that did not ask for a stream (a script, a test's inject) gets an answer, not a hang.
      if (!request.headers.accept?.includes('text/event-stream')) {
        throw new ValidationFailed([{ field: 'headers.accept', reason: 'must accept text/event-stream' }]);
      }
      const ref = request.query.incident;
      // Resolved before the stream opens, so an unknown incident is a plain 404.
      const incidentId = ref ? (await options.incidents.get(ref)).id : null;
      const scope = { incidentId, showBreach: mayUse(request, 'breaches:read') };
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        // The stream holds its connection to the end; closing it then lets a server close at once.
        connection: 'close',
        'x-accel-buffering': 'no',
        'x-request-id': request.id,
      });
      const stream = openStream(raw, scope, options, () => open.delete(stream.end));
      open.add(stream.end);
      await stream.start().catch((error: unknown) => {
        request.log.warn({ err: error }, 'event stream failed');
        stream.end();
      });
    },
  );
}
