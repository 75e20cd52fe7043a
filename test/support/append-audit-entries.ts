/**
 * A separate writer process for the concurrency tests:
 * `node --import tsx test/support/append-audit-entries.ts DATABASE_URL ACTOR COUNT`
 * appends COUNT entries, one transaction each, as another server would.
 */
import { createAuditDal } from '../../src/audit/audit-dal.ts';
import { createAuditService } from '../../src/audit/audit-service.ts';
import { openDatabase } from '../../src/platform/db/database.ts';

const [url, actor, countText] = process.argv.slice(2);
if (!url || !actor || !countText) throw new Error('usage: append-audit-entries DATABASE_URL ACTOR COUNT');
const database = await openDatabase(url);
const audit = createAuditService({ db: database.kysely, dal: createAuditDal(database.dialect) });
const at = new Date('2026-04-07T09:00:00Z');
for (let i = 0; i < Number(countText); i += 1) {
  await database.kysely.transaction().execute((trx) =>
    audit.append(trx, {
      actor: { type: 'system', name: actor },
      action: 'test.appended',
      subject: { type: 'test', id: `${actor}-${i}` },
      detail: { i },
      at,
    }),
  );
}
await database.close();
