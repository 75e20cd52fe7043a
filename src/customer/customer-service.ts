import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { formatActor } from '../audit/audit-chain.ts';
import type { AuditService } from '../audit/audit-service.ts';
import type { Actor } from '../audit/audit-types.ts';
import type { Principal } from '../identity/identity-types.ts';
import { actorOf } from '../identity/principal-actor.ts';
import type { Clock } from '../platform/clock.ts';
import type { VigilDatabase } from '../platform/db/schema.ts';
import { Conflict, NotFound, ValidationFailed } from '../platform/errors.ts';
import type { CustomerDal } from './customer-dal.ts';
import type { CreateCustomerInput, Customer } from './customer-types.ts';

/** Customers and the people to contact at each when an incident affects them. */
export function createCustomerService(deps: {
  db: Kysely<VigilDatabase>;
  dal: CustomerDal;
  audit: Pick<AuditService, 'append'>;
  clock: Clock;
}) {
  const { db, dal, audit, clock } = deps;

  return {
    /**
     * Creates a customer with at least one contact, audited as done by
     * `principal`. Emails are stored in lower case; a name already in use
     * (in any case) is a Conflict.
     */
    async create(principal: Principal, input: CreateCustomerInput): Promise<Customer> {
      if (input.contacts.length === 0)
        throw new ValidationFailed([{ field: 'body.contacts', reason: 'name at least one contact' }]);
      const actor: Actor = actorOf(principal);
      const customer: Customer = {
        id: randomUUID(),
        name: input.name,
        contacts: input.contacts.map((c) => ({ ...c, email: c.email.toLowerCase() })),
        createdAt: clock.now(),
        createdBy: formatActor(actor),
      };
      await db.transaction().execute(async (trx) => {
        if (!(await dal.insertIfNew(trx, customer)))
          throw new Conflict(`a customer named ${customer.name} already exists`);
        await audit.append(trx, {
          actor,
          action: 'customer.created',
          subject: { type: 'customer', id: customer.id },
          detail: { name: customer.name, contacts: customer.contacts },
          at: customer.createdAt,
        });
      });
      return customer;
    },

    /** Every customer, by name. */
    async list(): Promise<Customer[]> {
      return dal.list(db);
    },

    /** One customer, or NotFound. */
    async get(id: string): Promise<Customer> {
      const found = await dal.findById(db, id);
      if (!found) throw new NotFound('customer', id);
      return found;
    },
  };
}

export type CustomerService = ReturnType<typeof createCustomerService>;
