import type { SeverityHint, SignalKind } from '../signal-types.ts';

/** One SQL audit record, whichever Log Analytics layout it came in. */
export interface AuditEvent {
  eventTime: Date;
  /** Trimmed and upper-cased (`action_id` is varchar(4), sometimes blank-padded). */
  actionId: string;
  actionName?: string | undefined;
  succeeded?: boolean | undefined;
  principal?: string | undefined;
  databasePrincipal?: string | undefined;
  targetPrincipal?: string | undefined;
  clientIp?: string | undefined;
  application?: string | undefined;
  host?: string | undefined;
  database?: string | undefined;
  server?: string | undefined;
  schemaName?: string | undefined;
  objectName?: string | undefined;
  statement?: string | undefined;
  additionalInformation?: string | undefined;
  responseRows?: number | undefined;
  affectedRows?: number | undefined;
  durationMs?: number | undefined;
  eventId?: string | undefined;
  sequenceGroupId?: string | undefined;
  sequenceNumber?: number | undefined;
  resourceId?: string | undefined;
}

const AUTH_FAILURE = new Set(['DBAF', 'LGIF']);
const AUTH_SUCCESS = new Set(['DBAS', 'LGIS']);
const PERMISSION = new Set(['G', 'GWG', 'D', 'DWC', 'R', 'RWG', 'RWC', 'APRL', 'DPRL']);
const SCHEMA = new Set(['CR', 'AL', 'DR']);
const BACKUP = new Set(['BA', 'BAL', 'RS']);
/** Batch / RPC completion and per-object access: classified by their statement and rows. */
const STATEMENT = new Set(['BCM', 'RCM', 'SL', 'IN', 'UP', 'DL', 'EX']);

// With Azure SQL's default audit groups, GRANT, ALTER ROLE, DROP and BACKUP
// arrive only as BATCH COMPLETED rows, so statements are classified too.
const PERMISSION_STATEMENT =
  /^\s*(GRANT|REVOKE|DENY)\b|\bALTER\s+(SERVER\s+)?ROLE\b[\s\S]*\b(ADD|DROP)\s+MEMBER\b|\bsp_addrolemember\b/i;
const SCHEMA_STATEMENT =
  /^\s*(CREATE|ALTER|DROP)\s+(TABLE|VIEW|PROCEDURE|PROC|FUNCTION|SCHEMA|USER|LOGIN|TRIGGER|INDEX|DATABASE)\b/i;
const BACKUP_STATEMENT = /^\s*(BACKUP|RESTORE)\b/i;
const PRIVILEGED_ROLE =
  /\b(db_owner|db_securityadmin|db_accessadmin|db_ddladmin|sysadmin|securityadmin|serveradmin|loginmanager|dbmanager|CONTROL)\b/i;

/**
 * The kind and severity hint of one audit record:
 *
 * | action_id (trimmed) | kind | severity |
 * |---|---|---|
 * | DBAF, LGIF | auth_failure | low |
 * | DBAS, LGIS | auth_success | info |
 * | G, GWG, D, DWC, R, RWG, RWC, APRL, DPRL | permission_change | medium; high for a privileged role (db_owner, sysadmin, securityadmin, …) or CONTROL |
 * | CR, AL, DR | schema_change | medium; DROP → high |
 * | BA, BAL, RS | backup_restore | low; RESTORE → medium |
 * | BCM, RCM, SL, IN, UP, DL, EX | by statement (GRANT/REVOKE/DENY/ADD MEMBER → permission_change, CREATE/ALTER/DROP → schema_change, BACKUP/RESTORE → backup_restore), else data_access when rows were returned or affected (info), else generic_alert | as above |
 * | anything else | generic_alert | info |
 *
 * Bursts (many DBAF, DBAS after DBAF) are for detection rules, not here.
 */
export function classifyAuditEvent(event: AuditEvent): { kind: SignalKind; severityHint: SeverityHint } {
  const id = event.actionId;
  const statement = event.statement ?? '';
  if (AUTH_FAILURE.has(id)) return { kind: 'auth_failure', severityHint: 'low' };
  if (AUTH_SUCCESS.has(id)) return { kind: 'auth_success', severityHint: 'info' };
  if (PERMISSION.has(id)) return permissionChange(event);
  if (SCHEMA.has(id)) return schemaChange(id === 'DR' || /^\s*DROP\b/i.test(statement));
  if (BACKUP.has(id)) return backupRestore(id === 'RS' || /^\s*RESTORE\b/i.test(statement));
  if (STATEMENT.has(id)) {
    if (PERMISSION_STATEMENT.test(statement)) return permissionChange(event);
    const schema = SCHEMA_STATEMENT.exec(statement);
    if (schema) return schemaChange(schema[1]?.toUpperCase() === 'DROP');
    const backup = BACKUP_STATEMENT.exec(statement);
    if (backup) return backupRestore(backup[1]?.toUpperCase() === 'RESTORE');
    if ((event.responseRows ?? 0) > 0 || (event.affectedRows ?? 0) > 0) {
      return { kind: 'data_access', severityHint: 'info' };
    }
  }
  return { kind: 'generic_alert', severityHint: 'info' };
}

function permissionChange(event: AuditEvent): { kind: SignalKind; severityHint: SeverityHint } {
  const privileged = PRIVILEGED_ROLE.test(`${event.statement ?? ''} ${event.objectName ?? ''}`);
  return { kind: 'permission_change', severityHint: privileged ? 'high' : 'medium' };
}

function schemaChange(drop: boolean): { kind: SignalKind; severityHint: SeverityHint } {
  return { kind: 'schema_change', severityHint: drop ? 'high' : 'medium' };
}

function backupRestore(restore: boolean): { kind: SignalKind; severityHint: SeverityHint } {
  return { kind: 'backup_restore', severityHint: restore ? 'medium' : 'low' };
}
