import type { Kysely, Transaction } from 'kysely';
import { fromDbInstant, toDbInstant } from '../platform/db/instant-codec.ts';
import type { CustomerContactsTable, CustomersTable, VigilDatabase } from '../platform/db/schema.ts';
import type { ContactRole, Customer, CustomerRef } from './customer-types.ts';

type Executor = Kysely<VigilDatabase> | Transaction<VigilDatabase>;

function toCustomer(row: CustomersTable, contacts: readonly CustomerContactsTable[]): Customer {
  return {
    id: row.id,
    name: row.name,
    contacts: contacts
      .filter((c) => c.customer_id === row.id)
      .sort((a, b) => a.ordinal - b.ordinal)
      .map((c) => ({ name: c.name, email: c.email, role: c.role as ContactRole })),
    createdAt: fromDbInstant(row.created_at),
    createdBy: row.created_by,
  };
}

/** Queries of customers and their contacts. */
export function createCustomerDal() {
  async function withContacts(db: Executor, rows: readonly CustomersTable[]): Promise<Customer[]> {
    if (rows.length === 0) return [];
    const contacts = await db
      .selectFrom('customer_contacts')
      .selectAll()
      .where(
        'customer_id',
        'in',
        rows.map((r) => r.id),
      )
      .execute();
    return rows.map((r) => toCustomer(r, contacts));
  }

  return {
    /**
     * Inserts the customer and its contacts unless the name is taken (in any
     * case); true when this call stored it. The unique `name_key` makes a
     * racing second insert a no-op rather than an error.
     */
    async insertIfNew(trx: Transaction<VigilDatabase>, customer: Customer): Promise<boolean> {
      const result = await trx
        .insertInto('customers')
        .values({
          id: customer.id,
          name: customer.name,
          name_key: customer.name.toLowerCase(),
          created_at: toDbInstant(customer.createdAt),
          created_by: customer.createdBy,
        })
        .onConflict((oc) => oc.column('name_key').doNothing())
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) return false;
      await trx
        .insertInto('customer_contacts')
        .values(customer.contacts.map((c, ordinal) => ({ customer_id: customer.id, ordinal, ...c })))
        .execute();
      return true;
    },

    /** Every customer, by name (case-insensitively). */
    async list(db: Executor): Promise<Customer[]> {
      const rows = await db.selectFrom('customers').selectAll().orderBy('name_key').execute();
      return withContacts(db, rows);
    },

    async findById(db: Executor, id: string): Promise<Customer | null> {
      const row = await db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? ((await withContacts(db, [row]))[0] ?? null) : null;
    },

    /** Those of `ids` that exist, with their contacts, by name. */
    async findWithContacts(db: Executor, ids: readonly string[]): Promise<Customer[]> {
      if (ids.length === 0) return [];
      const rows = await db
        .selectFrom('customers')
        .selectAll()
        .where('id', 'in', ids)
        .orderBy('name_key')
        .execute();
      return withContacts(db, rows);
    },

    /** Those of `ids` that exist, with their names. */
    async findRefs(db: Executor, ids: readonly string[]): Promise<CustomerRef[]> {
      if (ids.length === 0) return [];
      return db.selectFrom('customers').select(['id', 'name']).where('id', 'in', ids).execute();
    },
  };
}

export type CustomerDal = ReturnType<typeof createCustomerDal>;
