import { describe, expect, it } from 'vitest';
import { emailOf, mapRole, parseRoleMap, personFromClaims, safeReturnTo } from './oidc-claims.ts';
import type { OidcRoleMapping } from './oidc-types.ts';

const ROLE_MAP: OidcRoleMapping[] = [
  { value: 'Vigil.Admin', role: 'admin' },
  { value: 'Vigil.IncidentManager', role: 'incident_manager' },
  { value: '5f0e6a12-3c4d-4e5f-8a9b-0c1d2e3f4a5b', role: 'responder' },
];

describe('parseRoleMap', () => {
  it('reads claim value = role pairs, ignoring spaces and empty items', () => {
    expect(parseRoleMap(' Vigil.Admin = admin, ,abc-123=viewer ')).toEqual({
      mappings: [
        { value: 'Vigil.Admin', role: 'admin' },
        { value: 'abc-123', role: 'viewer' },
      ],
    });
    expect(parseRoleMap('')).toEqual({ mappings: [] });
  });

  it.each([
    ['Vigil.Admin', /form/],
    ['=admin', /form/],
    ['Vigil.Admin=root', /not a role/],
    ['Bots=ingest', /not a role/],
    ['A=admin,A=viewer', /twice/],
  ])('refuses %s', (text, reason) => {
    const parsed = parseRoleMap(text);
    expect('error' in parsed && parsed.error).toMatch(reason);
  });
});

describe('mapRole', () => {
  it.each([
    [{ roles: ['Vigil.IncidentManager'] }, 'incident_manager'],
    [{ groups: ['5f0e6a12-3c4d-4e5f-8a9b-0c1d2e3f4a5b'] }, 'responder'],
    // The most powerful match wins, whichever claim it came from.
    [
      { roles: ['Vigil.IncidentManager'], groups: ['5f0e6a12-3c4d-4e5f-8a9b-0c1d2e3f4a5b'] },
      'incident_manager',
    ],
    [{ roles: ['Vigil.IncidentManager', 'Vigil.Admin'] }, 'admin'],
    [{ roles: 'Vigil.Admin' }, 'admin'],
    // Values match exactly.
    [{ roles: ['vigil.admin'] }, null],
    [{ roles: ['Other'] }, null],
    [{}, null],
    [{ roles: [42, null] }, null],
  ])('%j → %s', (claims, role) => {
    expect(mapRole(claims, ROLE_MAP, undefined)).toBe(role);
  });

  it('falls back to the default role only when nothing matches', () => {
    expect(mapRole({ roles: ['Other'] }, ROLE_MAP, 'viewer')).toBe('viewer');
    expect(mapRole({ roles: ['Vigil.Admin'] }, ROLE_MAP, 'viewer')).toBe('admin');
  });
});

describe('emailOf', () => {
  it('prefers email, then preferred_username, then upn, lower-cased', () => {
    expect(emailOf({ iss: 'i', sub: 's', email: 'A@X.io', preferred_username: 'b@x.io' })).toBe('a@x.io');
    expect(emailOf({ iss: 'i', sub: 's', preferred_username: 'B@X.io', upn: 'c@x.io' })).toBe('b@x.io');
    expect(emailOf({ iss: 'i', sub: 's', preferred_username: 'not an address', upn: 'C@x.io' })).toBe(
      'c@x.io',
    );
    expect(emailOf({ iss: 'i', sub: 's', preferred_username: 'bob' })).toBeNull();
  });
});

describe('personFromClaims', () => {
  const settings = { allowedTenants: ['t1'], roleMap: ROLE_MAP, defaultRole: undefined };
  const base = {
    iss: 'https://login.microsoftonline.com/t1/v2.0',
    sub: 'pairwise',
    tid: 't1',
    email: 'a@x.io',
  };

  it('keys the person by oid when present, else sub', () => {
    const withOid = personFromClaims({ ...base, oid: 'o1', roles: ['Vigil.Admin'] }, settings);
    expect(withOid).toMatchObject({
      ok: true,
      person: { subject: 'o1', tenant: 't1', role: 'admin', displayName: 'a@x.io' },
    });
    const withoutOid = personFromClaims({ ...base, roles: ['Vigil.Admin'] }, settings);
    expect(withoutOid).toMatchObject({ ok: true, person: { subject: 'pairwise' } });
  });

  it.each([
    [{ ...base, tid: 't2', roles: ['Vigil.Admin'] }, 'tenant_not_allowed'],
    [{ ...base, tid: undefined, roles: ['Vigil.Admin'] }, 'tenant_not_allowed'],
    [{ ...base, email: undefined, roles: ['Vigil.Admin'] }, 'no_email'],
    [{ ...base }, 'no_role'],
  ])('refuses %j: %s', (claims, reason) => {
    expect(personFromClaims(claims, settings)).toMatchObject({ ok: false, reason });
  });

  it('accepts any tenant when no tenant list is configured', () => {
    const open = { ...settings, allowedTenants: [] };
    expect(personFromClaims({ ...base, tid: undefined, roles: ['Vigil.Admin'] }, open).ok).toBe(true);
  });

  it('says so when Entra left the groups out for overage', () => {
    const result = personFromClaims({ ...base, _claim_names: { groups: 'src1' } }, settings);
    expect(result).toMatchObject({ ok: false, reason: 'no_role' });
    expect(!result.ok && result.message).toMatch(/too many/);
  });
});

describe('safeReturnTo', () => {
  it.each([
    ['/', '/'],
    ['/incidents?status=open#top', '/incidents?status=open#top'],
    ['/a/../b', '/b'],
  ])('keeps the path %s', (given, kept) => {
    expect(safeReturnTo(given)).toBe(kept);
  });

  it.each([
    'https://evil.example/',
    '//evil.example',
    '/\\evil.example',
    '/\tevil',
    'javascript:alert(1)',
    'incidents',
    '',
    `/${'a'.repeat(2048)}`,
  ])('refuses %j', (given) => {
    expect(safeReturnTo(given)).toBeNull();
  });
});
