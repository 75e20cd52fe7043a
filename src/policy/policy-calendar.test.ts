import { describe, expect, it } from 'vitest';
import { createBusinessCalendar } from '../calendar/business-calendar.ts';
import { DEFAULT_TEXT, policyVariant } from './fixtures/policy-variants.ts';
import { calendarConfigFromPolicy } from './policy-calendar.ts';
import { parsePolicy } from './policy-loader.ts';

function policyFrom(text: string) {
  const result = parsePolicy(text, 'policy.yaml');
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.policy.policy;
}

describe('calendarConfigFromPolicy', () => {
  it('maps the default policy to the London business calendar', () => {
    expect(calendarConfigFromPolicy(policyFrom(DEFAULT_TEXT))).toEqual({
      timeZone: 'Europe/London',
      workingDays: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
      opensAt: '09:00',
      closesAt: '17:00',
      holidays: { country: 'GB', subdivision: 'ENG' },
      closures: [],
    });
  });

  it('carries closures, no holidays and other hours', () => {
    const policy = policyFrom(
      policyVariant(
        ['closures: []', 'closures: ["2026-12-24"]'],
        ['  holidays:\n    country: GB\n    subdivision: ENG\n', '  holidays: null\n'],
        ['closesAt: "17:00"', 'closesAt: "17:30"'],
      ),
    );
    const config = calendarConfigFromPolicy(policy);
    expect(config).toMatchObject({ closures: ['2026-12-24'], holidays: null, closesAt: '17:30' });
    expect(createBusinessCalendar(config).businessDayMs).toBe(8.5 * 3_600_000);
  });

  it('gives a calendar whose business day is 8 hours and which skips English bank holidays', () => {
    const calendar = createBusinessCalendar(calendarConfigFromPolicy(policyFrom(DEFAULT_TEXT)));
    expect(calendar.businessDayMs).toBe(8 * 3_600_000);
    // Easter Monday 2026, 10:00 BST.
    expect(calendar.isBusinessTime(new Date('2026-04-06T09:00:00Z'))).toBe(false);
    expect(calendar.isBusinessTime(new Date('2026-04-07T09:00:00Z'))).toBe(true);
  });
});
