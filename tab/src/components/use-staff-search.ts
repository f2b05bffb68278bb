import { useEffect, useState } from 'react';
import { api, query, type ApiFailure } from '../api-client';

/**
 * Staff whose name or e-mail matches what is typed, asked of `path` (`?q=`) a moment after typing stops,
 * so a fast typist sends one request, not one a key. An answer that arrives after the words changed is dropped.
 * With `whenEmpty: false` nothing is asked until something is typed.
 */
export function useStaffSearch<T extends { id: string }>(path: string, q: string, o: { whenEmpty?: boolean } = {}) {
  const [choices, setChoices] = useState<T[]>([]);
  const [error, setError] = useState<ApiFailure | undefined>();
  const whenEmpty = o.whenEmpty ?? true;
  useEffect(() => {
    if (!whenEmpty && !q.trim()) {
      setChoices([]);
      return;
    }
    let live = true;
    const t = setTimeout(() => {
      api.get<T[]>(`${path}${query({ q })}`).then(
        (found) => live && (setChoices(found), setError(undefined)),
        (x: ApiFailure) => live && setError(x),
      );
    }, 200);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [path, q, whenEmpty]);
  return { choices, error };
}
