/**
 * Loading one API resource for a component: the data, the error, whether it is loading, and a
 * reload. A reload keeps the last data on screen, so a panel does not flash empty after an action.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { get } from '../api.ts';

export interface ApiResource<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => Promise<void>;
}

export function useApiResource<T>(path: string | null): ApiResource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(path !== null);
  // Answers to an older path (the page moved on) are dropped.
  const current = useRef(path);
  current.current = path;

  const reload = useCallback(async () => {
    if (path === null) return;
    setLoading(true);
    try {
      const answer = await get<T>(path);
      if (current.current !== path) return;
      setData(answer);
      setError(null);
    } catch (e) {
      if (current.current === path) setError(e);
    } finally {
      if (current.current === path) setLoading(false);
    }
  }, [path]);

  useEffect(() => {
    setData(undefined);
    void reload();
  }, [reload]);

  return { data, error, loading, reload };
}

/**
 * Runs a button's request: one at a time, its problem kept for display, and `then` (usually a
 * reload) after a success.
 */
export function useApiAction(): {
  busy: boolean;
  error: unknown;
  run: <T>(request: () => Promise<T>, then?: (answer: T) => void | Promise<void>) => Promise<boolean>;
  clear: () => void;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(
    async <T>(request: () => Promise<T>, then?: (answer: T) => void | Promise<void>): Promise<boolean> => {
      setBusy(true);
      setError(null);
      try {
        const answer = await request();
        await then?.(answer);
        return true;
      } catch (e) {
        setError(e);
        return false;
      } finally {
        setBusy(false);
      }
    },
    [],
  );
  return { busy, error, run, clear: useCallback(() => setError(null), []) };
}

/**
 * Calls `reload` whenever `signal` changes after the first render: a panel loading its own
 * resource follows the incident the page re-fetches (after live events, or another panel's change).
 */
export function useReloadWhenChanged(signal: unknown, reload: () => Promise<void>): void {
  const first = useRef(signal);
  useEffect(() => {
    if (Object.is(first.current, signal)) return;
    first.current = signal;
    void reload();
  }, [signal, reload]);
}
