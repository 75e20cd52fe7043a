import { describe, expect, it } from 'vitest';
import { type BreachJson, registerCsv } from './breach-command.ts';

const breach: BreachJson = {
  reference: 'INC-7',
  title: 'Export left "public", briefly',
  version: 2,
  record: {
    status: 'confirmed',
    role: 'controller',
    awarenessAt: '2026-04-07T08:00:00.000Z',
    confirmedAt: '2026-04-07T09:00:00.000Z',
    nature: ['confidentiality', 'integrity'],
    dataCategories: ['contact details'],
    peopleCategories: ['customers'],
    approxPeople: 1200,
    approxRecords: null,
    likelyConsequences: 'Phishing,\nlikely',
    measuresTaken: '',
    measuresProposed: '',
  },
  assessment: { riskToRights: false, highRisk: false, rationale: 'Deleted unread', exception: null },
  clocks: {
    customer: { dueAt: '2026-04-10T09:00:00.000Z', metAt: null, state: 'pending' },
    regulator: { dueAt: '2026-04-10T08:00:00.000Z', metAt: null, state: 'not_required' },
  },
  obligations: [],
  submissions: [
    {
      id: 's1',
      regime: 'uk-gdpr',
      obligation: 'customers',
      status: 'submitted',
      late: true,
      reference: null,
    },
  ],
};

describe('registerCsv', () => {
  it('writes a header and one RFC 4180 row per breach, quoting what needs it', () => {
    const [header, row, ...rest] = registerCsv([breach]).split('\r\n');
    expect(rest).toEqual([]);
    expect(header!.split(',')).toHaveLength(22);
    expect(header!.startsWith('reference,title,status,role,awarenessAt')).toBe(true);
    expect(row).toBe(
      [
        'INC-7',
        '"Export left ""public"", briefly"',
        'confirmed',
        'controller',
        '2026-04-07T08:00:00.000Z',
        '2026-04-07T09:00:00.000Z',
        'confidentiality; integrity',
        'contact details',
        'customers',
        '1200',
        '',
        '"Phishing,\nlikely"',
        '',
        '',
        'false',
        'false',
        'Deleted unread',
        '2026-04-10T08:00:00.000Z',
        'not_required',
        '2026-04-10T09:00:00.000Z',
        'pending',
        'uk-gdpr/customers (late)',
      ].join(','),
    );
  });

  it('writes only the header for an empty register', () => {
    expect(registerCsv([]).split('\r\n')).toHaveLength(1);
  });
});
