/**
 * Live updates from `GET /api/v1/events`. With a session cookie the browser's EventSource carries
 * it; with a pasted API token it cannot (EventSource sends no Authorization header), so the caller
 * falls back to polling: `onTick` every 10 s instead of events.
 */
import { useEffect, useRef } from 'react';
import { storedToken } from '../api.ts';

export interface LiveHandlers {
  onIncident?: (change: { id: string; reference: string; updatedAt: string }) => void;
  onTimeline?: (entry: unknown) => void;
  /** Called every 10 s when events cannot be received (pasted token). */
  onPoll?: () => void;
}

export function useLiveEvents(incident: string | null, handlers: LiveHandlers): void {
  const latest = useRef(handlers);
  latest.current = handlers;
  useEffect(() => {
    if (storedToken()) {
      const timer = setInterval(() => latest.current.onPoll?.(), 10_000);
      return () => clearInterval(timer);
    }
    const source = new EventSource(
      `/api/v1/events${incident ? `?incident=${encodeURIComponent(incident)}` : ''}`,
    );
    source.addEventListener('incident', (e) =>
      latest.current.onIncident?.(JSON.parse((e as MessageEvent).data)),
    );
    source.addEventListener('timeline', (e) =>
      latest.current.onTimeline?.(JSON.parse((e as MessageEvent).data)),
    );
    return () => source.close();
  }, [incident]);
}
