import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiFailure } from '../api/client';
import { toApiFailure } from '../api/client';

export type ApiState<T> = {
  data?: T;
  error?: ApiFailure;
  /** True until the first answer (or error) arrives; stays false during background reloads. */
  loading: boolean;
  reload: () => void;
  setData: (update: (previous: T | undefined) => T | undefined) => void;
};

/**
 * Calls the BFF when `key` changes (and on `reload`); keeps the last data while a reload runs so
 * pages never flash back to a spinner, and drops answers that arrive after a newer request.
 * `key` undefined means "nothing to load yet".
 */
export function useApi<T>(
  key: string | undefined,
  load: (signal: AbortSignal) => Promise<T>,
): ApiState<T> {
  const [data, setDataState] = useState<T>();
  const [error, setError] = useState<ApiFailure>();
  const [loading, setLoading] = useState(key !== undefined);
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const lastKey = useRef<string | undefined>(undefined);

  useEffect(() => {
    if (key === undefined) {
      setLoading(false);
      return;
    }
    if (lastKey.current !== key) {
      // A different thing to load: forget what belonged to the previous one.
      lastKey.current = key;
      setDataState(undefined);
      setLoading(true);
    }
    const controller = new AbortController();
    loadRef.current(controller.signal).then(
      (value) => {
        if (controller.signal.aborted) return;
        setDataState(value);
        setError(undefined);
        setLoading(false);
      },
      async (err: unknown) => {
        if (controller.signal.aborted) return;
        const failure = await toApiFailure(err);
        if (controller.signal.aborted) return;
        setError(failure);
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [key, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const setData = useCallback(
    (update: (previous: T | undefined) => T | undefined) => setDataState(update),
    [],
  );
  return { data, error, loading, reload, setData };
}
