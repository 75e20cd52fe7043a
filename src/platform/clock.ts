/**
 * The only place in Vigil that reads the wall clock.
 *
 * Every component receives a {@link Clock} so that tests can cross weekends,
 * DST changes and 72-hour deadlines in milliseconds instead of waiting.
 * The lint rule in `lint/no-wall-clock.grit` rejects `Date.now()` and
 * `new Date()` everywhere else.
 */
export interface Clock {
  /** The current instant (UTC; a `Date` carries no zone). */
  now(): Date;
}

/** The real clock, used by the composition root in production. */
export const systemClock: Clock = {
  now: () => new Date(),
};

/**
 * A clock that moves only when told to.
 *
 * @example
 * const clock = new FakeClock('2026-04-07T08:30:00Z');
 * clock.advance(15 * 60_000); // 08:45 UTC
 */
export class FakeClock implements Clock {
  private current: number;

  constructor(start: Date | string) {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  /** Moves the clock to `to`; time may move backwards, as a test wishes. */
  set(to: Date | string): void {
    this.current = new Date(to).getTime();
  }

  /** Moves the clock forward by `ms` milliseconds of wall time. */
  advance(ms: number): void {
    this.current += ms;
  }
}
