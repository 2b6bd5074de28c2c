import { useEffect, useRef, useState } from 'react';
import type { ClusterChanges, MigrationChange, StreamSnapshot } from '../api/types';

/**
 * connecting: first connection not open yet; live: open; reconnecting: dropped, trying again;
 * unavailable: the browser has no EventSource (pages then poll).
 */
export type StreamStatus = 'connecting' | 'live' | 'reconnecting' | 'unavailable';

export type StreamHandlers = {
  onSnapshot?: (snapshot: StreamSnapshot) => void;
  onMigration?: (change: MigrationChange) => void;
  onClusters?: (changes: ClusterChanges) => void;
  /** The server asks for a full reload (e.g. the stream overflowed). */
  onReset?: () => void;
};

export type StreamState = { status: StreamStatus; lastEventAt?: number };

const MAX_BACKOFF_MS = 30_000;

/**
 * Subscribes to the BFF's event stream while mounted. The browser's EventSource retries by
 * itself (sending Last-Event-ID so nothing is missed); when it gives up (CLOSED) this hook opens
 * a new one with a growing delay. Handlers may change on every render without reconnecting.
 */
export function useEventStream(url: string | undefined, handlers: StreamHandlers): StreamState {
  const handlersRef = useRef(handlers);
  handlersRef.current = handlers;
  const [state, setState] = useState<StreamState>(() => ({
    status: typeof EventSource === 'undefined' ? 'unavailable' : 'connecting',
  }));

  useEffect(() => {
    if (!url || typeof EventSource === 'undefined') return;
    let source: EventSource | undefined;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let attempts = 0;
    let stopped = false;

    const touch = () => setState({ status: 'live', lastEventAt: Date.now() });
    const parse = <T>(event: Event): T | undefined => {
      try {
        return JSON.parse((event as MessageEvent<string>).data) as T;
      } catch {
        return undefined;
      }
    };

    const open = () => {
      if (stopped) return;
      const es = new EventSource(url);
      source = es;
      es.onopen = () => {
        attempts = 0;
        setState((s) => ({ status: 'live', lastEventAt: s.lastEventAt ?? Date.now() }));
      };
      es.onerror = () => {
        setState((s) => ({ ...s, status: 'reconnecting' }));
        if (es.readyState === EventSource.CLOSED) {
          es.close();
          const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** attempts++);
          retryTimer = setTimeout(open, delay);
        }
      };
      es.addEventListener('snapshot', (event) => {
        const data = parse<StreamSnapshot>(event);
        touch();
        if (data) handlersRef.current.onSnapshot?.(data);
      });
      es.addEventListener('migration', (event) => {
        const data = parse<MigrationChange>(event);
        touch();
        if (data) handlersRef.current.onMigration?.(data);
      });
      es.addEventListener('clusters', (event) => {
        const data = parse<ClusterChanges>(event);
        touch();
        if (data) handlersRef.current.onClusters?.(data);
      });
      es.addEventListener('reset', () => {
        touch();
        handlersRef.current.onReset?.();
        // Start over: the next connection begins with a fresh snapshot.
        es.close();
        retryTimer = setTimeout(open, 0);
      });
    };

    setState({ status: 'connecting' });
    open();
    return () => {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      source?.close();
    };
  }, [url]);

  return state;
}
