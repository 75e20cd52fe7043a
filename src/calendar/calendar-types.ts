/**
 * Types of the business calendar: the policy's working week, opening hours,
 * public holidays and closure dates in one IANA time zone.
 */

export type Weekday = 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday' | 'sunday';

export interface BusinessCalendarConfig {
  /** IANA time zone in which the hours and dates below are read, e.g. `Europe/London`. */
  timeZone: string;
  /** Days of the week that have business hours. */
  workingDays: readonly Weekday[];
  /** Local opening time `HH:MM`; business time is the half-open interval [opensAt, closesAt). */
  opensAt: string;
  /** Local closing time `HH:MM`, later than `opensAt` on the same day. */
  closesAt: string;
  /**
   * Public holidays from the date-holidays data set, e.g. `{ country: 'GB', subdivision: 'ENG' }`
   * for the bank holidays of England and Wales; `null` for none.
   */
  holidays: { country: string; subdivision?: string | undefined } | null;
  /** Extra local dates (`YYYY-MM-DD`) on which the organisation is closed. */
  closures: readonly string[];
}

/**
 * Business-time arithmetic. Instants are `Date`s (UTC); durations are milliseconds.
 * Implementations are pure: they never read the clock.
 */
export interface BusinessCalendar {
  readonly config: BusinessCalendarConfig;
  /** Length of one business day in milliseconds (closesAt - opensAt), e.g. 8 h. */
  readonly businessDayMs: number;
  /** True when `t` lies inside business hours on a business day. */
  isBusinessTime(t: Date): boolean;
  /** The first instant >= `t` that is business time (`t` itself when it already is). */
  nextBusinessOpening(t: Date): Date;
  /** The earliest instant at which `durationMs` of business time has elapsed since `t`. */
  addBusinessDuration(t: Date, durationMs: number): Date;
  /** Business time in [a, b), in milliseconds; negative when `b` is before `a`. */
  businessDurationBetween(a: Date, b: Date): number;
}
