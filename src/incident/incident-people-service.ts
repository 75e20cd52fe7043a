import type { Transaction } from 'kysely';
import { formatActor } from '../audit/audit-chain.ts';
import type { Actor } from '../audit/audit-types.ts';
import type { Principal } from '../identity/identity-types.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { Conflict, NotFound, ValidationFailed } from '../platform/errors.ts';
import { meet, updateClocks } from './incident-clock-effects.ts';
import { actOnIncident, actorOf, type IncidentDeps, recordIncidentEvent } from './incident-context.ts';
import type { Incident, IncidentRole, IncidentView, Person } from './incident-types.ts';

/** Roles on an incident, and handing over command. */
export function createIncidentPeopleService(deps: IncidentDeps) {
  const { dal, details, people, policy } = deps;
  const commandChain = [policy.policy.command.primaryOwner, ...policy.policy.command.succession];

  async function person(trx: Transaction<VigilDatabase>, email: string, field: string): Promise<Person> {
    const found = await people.findByEmail(trx, email.toLowerCase());
    if (!found)
      throw new ValidationFailed([
        { field, reason: `no Vigil user has the email ${email}; add them first (vigil user add)` },
      ]);
    return found;
  }

  /** Gives command to `owner`; acknowledgement is complete once the incident has been acknowledged and has an owner. */
  async function setOwner(
    trx: Transaction<VigilDatabase>,
    incident: Incident,
    owner: Person,
    actor: Actor,
    now: Date,
  ) {
    await details.removeRole(trx, incident.id, 'owner');
    await details.addRole(trx, {
      incidentId: incident.id,
      role: 'owner',
      userId: owner.userId,
      at: now,
      by: formatActor(actor),
    });
    await dal.update(trx, incident.id, { owner_id: owner.userId });
    if (incident.acknowledgedAt)
      await updateClocks(deps, trx, { incidentId: incident.id, actor, at: now }, meet(['acknowledge'], now));
  }

  /** The next person in the policy's command chain after the current owner. */
  async function nextInCommand(trx: Transaction<VigilDatabase>, incident: Incident): Promise<Person> {
    const current = incident.ownerId;
    const chain: (Person | null)[] = [];
    for (const p of commandChain) chain.push(await people.findByEmail(trx, p.email.toLowerCase()));
    const index = chain.findIndex((p) => p?.userId === current);
    const candidates = index === -1 ? chain : chain.slice(index + 1);
    const next = candidates.find((p): p is Person => p !== null && p.userId !== current);
    if (!next)
      throw new Conflict(
        `nobody follows the current owner in the policy's succession list; name the new owner with "to"`,
      );
    return next;
  }

  return {
    /** Assigns a role. Owner, communications lead and regulator approver have one holder each; responders many. */
    assignRole(
      principal: Principal,
      idOrReference: string,
      input: { role: IncidentRole; user: string },
    ): Promise<IncidentView> {
      return actOnIncident(deps, idOrReference, async (trx, incident, now) => {
        const who = await person(trx, input.user, 'body.user');
        const actor = actorOf(principal);
        if (input.role === 'owner') {
          await setOwner(trx, incident, who, actor, now);
        } else {
          const held = (await details.listRoles(trx, [incident.id])).filter((a) => a.role === input.role);
          if (held.some((a) => a.person.userId === who.userId))
            throw new Conflict(`${who.email} is already ${input.role} on ${incident.reference}`);
          if (input.role !== 'responder') await details.removeRole(trx, incident.id, input.role);
          await details.addRole(trx, {
            incidentId: incident.id,
            role: input.role,
            userId: who.userId,
            at: now,
            by: formatActor(actor),
          });
        }
        await recordIncidentEvent(deps, trx, {
          incidentId: incident.id,
          actor,
          at: now,
          kind: 'role_assigned',
          action: 'incident.role_assigned',
          summary: `${who.email} is ${input.role.replace('_', ' ')}`,
          data: { role: input.role, user: who.email },
        });
      });
    },

    /** Removes a technical responder. */
    removeResponder(
      principal: Principal,
      idOrReference: string,
      input: { user: string },
    ): Promise<IncidentView> {
      return actOnIncident(deps, idOrReference, async (trx, incident, now) => {
        const who = await person(trx, input.user, 'body.user');
        const removed = await details.removeRole(trx, incident.id, 'responder', who.userId);
        if (removed === 0) throw new NotFound(`responder on ${incident.reference}`, who.email);
        await recordIncidentEvent(deps, trx, {
          incidentId: incident.id,
          actor: actorOf(principal),
          at: now,
          kind: 'role_removed',
          action: 'incident.role_removed',
          summary: `${who.email} is no longer a responder`,
          data: { role: 'responder', user: who.email },
        });
      });
    },

    /**
     * Hands command to `to`, or by default to the next person in the
     * policy's succession list after the current owner. Recorded as a decision.
     */
    handover(
      principal: Principal,
      idOrReference: string,
      input: { to?: string | undefined; reason: string },
    ): Promise<IncidentView> {
      return actOnIncident(deps, idOrReference, async (trx, incident, now) => {
        const to = input.to ? await person(trx, input.to, 'body.to') : await nextInCommand(trx, incident);
        if (to.userId === incident.ownerId)
          throw new Conflict(`${to.email} already holds command of ${incident.reference}`);
        const actor = actorOf(principal);
        const from =
          (await details.listRoles(trx, [incident.id])).find((a) => a.role === 'owner')?.person ?? null;
        await setOwner(trx, incident, to, actor, now);
        await recordIncidentEvent(deps, trx, {
          incidentId: incident.id,
          actor,
          at: now,
          kind: 'handover',
          action: 'incident.handover',
          summary: `command handed from ${from?.email ?? 'nobody'} to ${to.email}: ${input.reason}`,
          data: {
            decision: `handover to ${to.email}`,
            from: from?.email ?? null,
            to: to.email,
            reason: input.reason,
            bySuccession: !input.to,
          },
        });
      });
    },
  };
}

export type IncidentPeopleService = ReturnType<typeof createIncidentPeopleService>;
