// One resource's objects, kept in key order for paging, with a bounded history of watch events.
import type { KubeObject } from './types.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoredEvent {
  type: WatchEventType;
  object: KubeObject;
  /** The object before this change (MODIFIED and DELETED), for selector transitions. */
  old?: KubeObject;
  rv: number;
}

export type EventListener = (event: StoredEvent) => void;

/** `namespace/name` for namespaced objects, `name` otherwise: the order a real server lists in. */
export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export class ResourceStore {
  readonly objects = new Map<string, KubeObject>();
  private sortedKeys: string[] | null = null;
  private history: StoredEvent[] = [];
  /** Every event with rv > compactedRv is still in `history`. */
  private compactedRv: number;
  readonly listeners = new Set<EventListener>();

  constructor(
    createdAtRv: number,
    private historyLimit: number,
  ) {
    this.compactedRv = createdAtRv;
  }

  put(key: string, obj: KubeObject, event: StoredEvent): void {
    // The sorted keys are kept up to date in place rather than re-sorted on the next read: with
    // writes and lists interleaved (a migration deleting one cluster's objects, then listing the
    // next one's) every list re-sorted all keys, tens of thousands at 3,000 clusters.
    if (!this.objects.has(key) && this.sortedKeys)
      this.sortedKeys.splice(lowerBound(this.sortedKeys, key), 0, key);
    this.objects.set(key, obj);
    this.record(event);
  }

  remove(key: string, event: StoredEvent): void {
    if (this.objects.delete(key) && this.sortedKeys) {
      const i = lowerBound(this.sortedKeys, key);
      if (this.sortedKeys[i] === key) this.sortedKeys.splice(i, 1);
    }
    this.record(event);
  }

  private record(event: StoredEvent): void {
    this.history.push(event);
    if (this.history.length > this.historyLimit * 1.25) this.compact(this.historyLimit);
    for (const l of this.listeners) l(event);
  }

  /** Drops all but the newest `keep` events (watchers from older versions then get 410 Gone). */
  compact(keep: number): void {
    const drop = this.history.length - keep;
    if (drop <= 0) return;
    this.compactedRv = this.history[drop - 1].rv;
    this.history = this.history.slice(drop);
  }

  setHistoryLimit(limit: number): void {
    this.historyLimit = limit;
    this.compact(limit);
  }

  /** Events after `rv`, or undefined when some of them were already compacted away. */
  eventsSince(rv: number): StoredEvent[] | undefined {
    if (rv < this.compactedRv) return undefined;
    let lo = 0;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.history[mid].rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return this.history.slice(lo);
  }

  /** Every key in order. The array is updated in place by later writes: copy it to keep it. */
  keys(): string[] {
    if (!this.sortedKeys) this.sortedKeys = [...this.objects.keys()].sort();
    return this.sortedKeys;
  }
}

/** First index whose key is not less than `key` in a sorted array. */
function lowerBound(keys: string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
