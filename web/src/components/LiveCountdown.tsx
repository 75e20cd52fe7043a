/**
 * A deadline counting down live, its state always in words (colour is never the only signal):
 * "At risk · 3h 12m left (due …)", "Breached · overdue by 2h 05m", "Met at …". For clocks that
 * carry their own name (a legal obligation's), where ClockBadge names SLA and notice clocks.
 */
import './panel-parts.css';
import { clockStateLabel, formatCountdown } from '../format.ts';
import { useNow } from './ClockBadge.tsx';
import { Instant } from './Instant.tsx';

/** The state now: a pending or at-risk clock whose due time passed on this machine is breached. */
function stateNow(state: string, dueAt: string | null, metAt: string | null, now: number): string {
  if (metAt || !dueAt || (state !== 'pending' && state !== 'at_risk')) return state;
  return new Date(dueAt).getTime() <= now ? 'breached' : state;
}

export function LiveCountdown({
  dueAt,
  metAt = null,
  state,
}: {
  dueAt: string | null;
  metAt?: string | null;
  state: string;
}) {
  const now = useNow();
  const shown = stateNow(state, dueAt, metAt, now);
  let detail: React.ReactNode = null;
  if (metAt) {
    detail = (
      <>
        {/* A clock met after its due time stays breached: say both. */}
        {shown === 'met' ? ' at ' : ' · met late, at '}
        <Instant at={metAt} />
      </>
    );
  } else if (dueAt) {
    detail = (
      <>
        {' · '}
        <span className="countdown-span">{formatCountdown(dueAt, now)}</span>
        {' (due '}
        <Instant at={dueAt} />)
      </>
    );
  }
  return (
    <span className={`live-countdown clock-${shown}`}>
      <strong>{clockStateLabel(shown)}</strong>
      {detail}
    </span>
  );
}
