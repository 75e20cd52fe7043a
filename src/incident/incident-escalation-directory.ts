import type { Transaction } from 'kysely';
import type { VigilDatabase } from '../platform/db/schema.ts';
import type { IncidentDeps } from './incident-context.ts';

export interface EscalationRecipient {
  email: string;
  name: string;
  reason: 'incident_owner' | 'next_in_succession';
}

/**
 * Who hears of a breached clock, as the policy's `slaRules.notifyOnBreach`
 * says: the incident's owner, and the next person in the command chain
 * after the owner (the most senior engineering leader when the primary
 * owner holds command).
 */
export function createEscalationDirectory(deps: Pick<IncidentDeps, 'dal' | 'details' | 'people' | 'policy'>) {
  const { dal, details, people, policy } = deps;
  const phases = policy.policy.lifecycle.phases;
  const closedPhase = phases[phases.length - 1]!.id;
  const chain = [policy.policy.command.primaryOwner, ...policy.policy.command.succession];
  const notify = policy.policy.slaRules.notifyOnBreach;

  return {
    async escalationRecipients(
      trx: Transaction<VigilDatabase>,
      incidentId: string,
    ): Promise<EscalationRecipient[]> {
      const owner =
        (await details.listRoles(trx, [incidentId])).find((a) => a.role === 'owner')?.person ?? null;
      const recipients: EscalationRecipient[] = [];
      if (owner && notify.includes('incident_owner')) {
        recipients.push({ email: owner.email, name: owner.name, reason: 'incident_owner' });
      }
      if (notify.includes('next_in_succession')) {
        const index = owner
          ? chain.findIndex((p) => p.email.toLowerCase() === owner.email.toLowerCase())
          : -1;
        const next = chain.slice(index + 1).find((p) => p.email.toLowerCase() !== owner?.email.toLowerCase());
        if (next) {
          const known = await people.findByEmail(trx, next.email.toLowerCase());
          recipients.push({
            email: next.email,
            name: known?.name ?? next.name ?? next.title,
            reason: 'next_in_succession',
          });
        }
      }
      return recipients;
    },

    async updateReminderRecipients(
      trx: Transaction<VigilDatabase>,
      incidentId: string,
    ): Promise<{ email: string; name: string }[]> {
      const roles = await details.listRoles(trx, [incidentId]);
      const person =
        roles.find((a) => a.role === 'communications_lead')?.person ??
        roles.find((a) => a.role === 'owner')?.person;
      return person ? [{ email: person.email, name: person.name }] : [];
    },

    async incidentSummary(trx: Transaction<VigilDatabase>, incidentId: string) {
      const record = await dal.findById(trx, incidentId);
      if (!record) return null;
      const { reference, title, severity, phase, openedAt } = record.incident;
      return { reference, title, severity, phase, openedAt, closed: phase === closedPhase };
    },
  };
}
