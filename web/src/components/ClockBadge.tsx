/**
 * An SLA or legal clock, live: its state in words (and colour), and a countdown that ticks every
 * second from `dueAt` on the viewer's machine (by the server's time, see `serverNow`), so the board
 * never waits for the server to tick.
 */
import './ClockBadge.css';
import { useEffect, useState } from 'react';
import { serverNow } from '../api.ts';
import {
  clockNameLabel,
  clockStateLabel,
  formatCountdown,
  formatInstant,
  policyZoneTitle,
} from '../format.ts';

/** The server's current time, refreshed every second while mounted; one timer per component using it. */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => serverNow());
  useEffect(() => {
    const timer = setInterval(() => setNow(serverNow()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

export interface ClockLike {
  state: string;
  dueAt: string | null;
  metAt: string | null;
  stoppedAt?: string | null;
}

/**
 * The state shown now: the server's state, advanced locally as time passes (pending → breached
 * once due), so a countdown reaching zero says so without a reload.
 */
function stateNow(clock: ClockLike, now: number, atRiskAt?: string): string {
  if (clock.metAt || clock.stoppedAt || !clock.dueAt) return clock.state;
  if (clock.state !== 'pending' && clock.state !== 'at_risk') return clock.state;
  if (new Date(clock.dueAt).getTime() <= now) return 'breached';
  if (atRiskAt && new Date(atRiskAt).getTime() <= now) return 'at_risk';
  return clock.state;
}

export function ClockBadge({
  name,
  clock,
  now,
  compact = false,
}: {
  name: string;
  clock: ClockLike & { atRiskAt?: string };
  now: number;
  compact?: boolean;
}) {
  const state = stateNow(clock, now, clock.atRiskAt);
  let detail = '';
  if (clock.metAt) detail = compact ? '' : ` at ${formatInstant(clock.metAt)}`;
  else if (clock.stoppedAt) detail = ' (stopped)';
  else if (clock.dueAt) detail = ` · ${formatCountdown(clock.dueAt, now)}`;
  const title = clock.dueAt ? `Due ${policyZoneTitle(clock.dueAt)}` : undefined;
  return (
    <span className={`clock-badge clock-${state}`} title={title}>
      <span className="clock-name">{clockNameLabel(name)}:</span> <strong>{clockStateLabel(state)}</strong>
      {detail && <span className="clock-detail">{detail}</span>}
    </span>
  );
}
