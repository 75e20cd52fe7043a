import type { Kysely } from 'kysely';
import type { MigrationContext } from './migration-context.ts';

/** Customers with their contacts, and the customers an incident affects. */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('customers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    // Lower-cased name: uniqueness ignores case the same way on both engines (no collation differences).
    .addColumn('name_key', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('customer_contacts')
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('ordinal', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('customer_contacts_pk', ['customer_id', 'ordinal'])
    .execute();

  await db.schema
    .createTable('incident_customers')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id'))
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('linked_at', 'text', (c) => c.notNull())
    .addColumn('linked_by', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('incident_customers_pk', ['incident_id', 'customer_id'])
    .execute();
  // "Which incidents affected this customer?" without scanning every link.
  await db.schema
    .createIndex('incident_customers_by_customer')
    .on('incident_customers')
    .columns(['customer_id'])
    .execute();
}
