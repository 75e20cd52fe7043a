/**
 * Compliance status: one document saying, against the policy, what is on
 * track and what is not: incidents with breached response clocks, reviews
 * the policy requires that are not approved, overdue actions, the next
 * exercise, and breaches whose legal clocks are still running.
 */
import type { BreachService } from '../breach/breach-service.ts';
import type { ExerciseCadence } from '../exercise/exercise-cadence.ts';
import type { ExerciseService } from '../exercise/exercise-service.ts';
import type { IncidentService } from '../incident/incident-service.ts';
import type { Clock } from '../platform/clock.ts';
import type { Policy } from '../policy/policy-types.ts';
import type { ReviewService } from '../review/review-service.ts';
import type { CorrectiveAction } from '../review/review-types.ts';

export interface ComplianceStatus {
  generatedAt: Date;
  /** True when nothing below needs attention. */
  onTrack: boolean;
  incidents: { breachedClocks: { reference: string; title: string; severity: string; phase: string }[] };
  reviews: { notApproved: { reference: string; title: string; state: string }[] };
  actions: { open: number; overdue: CorrectiveAction[] };
  exercises: ExerciseCadence;
  breaches: {
    running: { reference: string; regime: string; obligation: string; dueAt: Date | null; state: string }[];
  };
}

/** Pages read at most: a status larger than this is a call to act, not to list. */
const LIST_LIMIT = 200;

export function createComplianceService(deps: {
  incidents: Pick<IncidentService, 'list'>;
  reviews: Pick<ReviewService, 'get' | 'listActions'>;
  exercises: Pick<ExerciseService, 'cadence'>;
  breaches: Pick<BreachService, 'register'>;
  policy: Policy;
  clock: Clock;
}) {
  const { incidents, reviews, exercises, breaches, policy, clock } = deps;
  const closed = policy.lifecycle.phases.at(-1)!.id;
  const reviewPhase = policy.slaRules.customerUpdatesUntil;

  return {
    async status(): Promise<ComplianceStatus> {
      const generatedAt = clock.now();
      // Exercise incidents are practice: they never count against the policy.
      const breached = (
        await incidents.list({ limit: LIST_LIMIT, filter: { breached: true, exercise: false } })
      ).items.filter((i) => i.phase !== closed);
      const inReview = (
        await incidents.list({ limit: LIST_LIMIT, filter: { phase: reviewPhase, exercise: false } })
      ).items;
      const notApproved: ComplianceStatus['reviews']['notApproved'] = [];
      for (const i of inReview) {
        const view = await reviews.get(i.id);
        if (view.required && view.review?.state !== 'approved') {
          notApproved.push({
            reference: i.reference,
            title: i.title,
            state: view.review?.state ?? 'missing',
          });
        }
      }
      const open = [
        ...(await reviews.listActions({ status: 'open' })),
        ...(await reviews.listActions({ status: 'in_progress' })),
      ];
      const overdue = await reviews.listActions({ overdue: true });
      const running = (await breaches.register()).flatMap((b) =>
        b.obligations
          .filter((o) => !o.metAt && ['pending', 'at_risk', 'breached'].includes(o.state))
          .map((o) => ({
            reference: b.reference,
            regime: o.regime,
            obligation: o.obligation,
            dueAt: o.dueAt,
            state: o.state,
          })),
      );
      const cadence = await exercises.cadence();
      return {
        generatedAt,
        onTrack:
          breached.length === 0 &&
          notApproved.length === 0 &&
          overdue.length === 0 &&
          cadence.state === 'on_track' &&
          running.every((r) => r.state === 'pending'),
        incidents: {
          breachedClocks: breached.map((i) => ({
            reference: i.reference,
            title: i.title,
            severity: i.severity,
            phase: i.phase,
          })),
        },
        reviews: { notApproved },
        actions: { open: open.length, overdue },
        exercises: cadence,
        breaches: { running },
      };
    },
  };
}

export type ComplianceService = ReturnType<typeof createComplianceService>;
