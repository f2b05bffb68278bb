import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiFailure } from '../api-client';

export interface Loaded<T> {
  data?: T;
  error?: ApiFailure;
  loading: boolean;
  reload(): void;
}

/**
 * GETs `path` (undefined: nothing yet) and keeps the answer; `pollMs` reloads
 * it while the page is open and visible. A failed reload keeps what was shown.
 */
export function useLoad<T>(path: string | undefined, o: { pollMs?: number } = {}): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiFailure; loading: boolean }>({ loading: !!path });
  const seq = useRef(0);
  const load = useCallback(
    (quiet: boolean) => {
      if (!path) return;
      const mine = ++seq.current;
      if (!quiet) setState((s) => ({ ...s, loading: true }));
      api.get<T>(path).then(
        (data) => mine === seq.current && setState({ data, loading: false }),
        (error: ApiFailure) => mine === seq.current && setState((s) => ({ data: s.data, error, loading: false })),
      );
    },
    [path],
  );
  useEffect(() => {
    setState({ loading: !!path });
    load(false);
  }, [load, path]);
  useEffect(() => {
    if (!o.pollMs || !path) return;
    const t = setInterval(() => document.visibilityState === 'visible' && load(true), o.pollMs);
    return () => clearInterval(t);
  }, [load, o.pollMs, path]);
  return { ...state, reload: () => load(false) };
}
