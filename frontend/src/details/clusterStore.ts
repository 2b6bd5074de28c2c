import { useMemo, useSyncExternalStore } from 'react';
import type { ClusterRow, ClusterState } from '../api/types';

/**
 * Every cluster row of one migration, kept outside React so that thousands of rows and a steady
 * stream of changes stay cheap: a change replaces only the changed row objects (unchanged rows
 * keep their identity, so memoised row components skip rendering), and subscribers hear about
 * each batch of changes once.
 */
export class ClusterStore {
  private rows = new Map<string, ClusterRow>();
  private version = 0;
  /** Changes only when clusters come or go (not when they change): what the name order needs. */
  private namesVersion = 0;
  private cached: { version: number; rows: ClusterRow[] } = { version: -1, rows: [] };
  private listeners = new Set<() => void>();
  /** False until the first full load (REST or stream snapshot). */
  loaded = false;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getVersion = (): number => this.version;

  getNamesVersion = (): number => this.namesVersion;

  /** All rows (a new array only when something changed). */
  all(): ClusterRow[] {
    if (this.cached.version !== this.version) {
      this.cached = { version: this.version, rows: [...this.rows.values()] };
    }
    return this.cached.rows;
  }

  get(name: string): ClusterRow | undefined {
    return this.rows.get(name);
  }

  get size(): number {
    return this.rows.size;
  }

  replaceAll(rows: ClusterRow[]): void {
    const next = new Map<string, ClusterRow>();
    let changed = !this.loaded || rows.length !== this.rows.size;
    for (const row of rows) {
      const old = this.rows.get(row.name);
      if (old && sameRow(old, row)) next.set(row.name, old);
      else {
        next.set(row.name, row);
        changed = true;
      }
    }
    this.loaded = true;
    // The same rows again (the list and the stream's snapshot both bring them on a first load):
    // nothing to sort, count or render again.
    if (!changed && next.size === this.rows.size) return;
    if (next.size !== this.rows.size || [...next.keys()].some((n) => !this.rows.has(n)))
      this.namesVersion++;
    this.rows = next;
    this.bump();
  }

  /** Applies changed rows; returns how many actually changed. */
  applyRows(rows: ClusterRow[]): number {
    let changed = 0;
    for (const row of rows) {
      const old = this.rows.get(row.name);
      if (old && sameRow(old, row)) continue;
      if (!old) this.namesVersion++;
      this.rows.set(row.name, row);
      changed++;
    }
    if (changed) this.bump();
    return changed;
  }

  private bump() {
    this.version++;
    for (const listener of this.listeners) listener();
  }
}

const sameRow = (a: ClusterRow, b: ClusterRow) =>
  a.state === b.state &&
  a.hub === b.hub &&
  a.error === b.error &&
  a.started === b.started &&
  a.updated === b.updated;

export type SortKey = 'name' | 'state' | 'hub' | 'updated';
export type ClusterFilter = {
  states: ClusterState[];
  hub?: string;
  search?: string;
  errorsOnly?: boolean;
};
export type ClusterView = {
  rows: ClusterRow[];
  /** Rows that match the filter (all pages). */
  matching: number;
  total: number;
  counts: Record<ClusterState, number>;
};

const STATE_ORDER: Record<ClusterState, number> = {
  Failed: 0,
  RollingBack: 1,
  Registering: 2,
  Deployed: 3,
  Initialized: 4,
  Pending: 5,
  Registered: 6,
  Cleaned: 7,
  RolledBack: 8,
};

// One collator for every comparison: String#localeCompare sets one up per call, which made
// sorting 3,000 rows cost tens of milliseconds.
const collator = new Intl.Collator();
const byName = (a: ClusterRow, b: ClusterRow) => collator.compare(a.name, b.name);

const compare = (key: SortKey) => (a: ClusterRow, b: ClusterRow) => {
  switch (key) {
    case 'state':
      return STATE_ORDER[a.state] - STATE_ORDER[b.state] || byName(a, b);
    case 'hub':
      return collator.compare(a.hub, b.hub) || byName(a, b);
    case 'updated':
      return a.updated < b.updated ? -1 : a.updated > b.updated ? 1 : byName(a, b);
    default:
      return byName(a, b);
  }
};

export const emptyCounts = (): Record<ClusterState, number> => ({
  Pending: 0,
  Initialized: 0,
  Deployed: 0,
  Registering: 0,
  Registered: 0,
  Cleaned: 0,
  RollingBack: 0,
  RolledBack: 0,
  Failed: 0,
});

/** The page of rows to show, filtered and sorted, recomputed only when the store changes. */
export function useClusterView(
  store: ClusterStore,
  filter: ClusterFilter,
  sort: { key: SortKey; desc: boolean },
  page: { offset: number; limit: number },
): ClusterView {
  const version = useSyncExternalStore(store.subscribe, store.getVersion);
  const { states, hub, search, errorsOnly } = filter;
  const stateKey = states.join(',');
  const all = useMemo(() => store.all(), [store, version]); // eslint-disable-line react-hooks/exhaustive-deps -- version is the store's change signal
  const counts = useMemo(() => {
    const c = emptyCounts();
    for (const row of all) c[row.state]++;
    return c;
  }, [all]);
  // Sorted once per change of the rows or of the order; a filter then only picks from the
  // sorted rows (keeping their order), so toggling a filter on 3,000 rows does not sort again.
  // By name (the usual order), the order only changes when clusters come or go: while thousands
  // of rows stream changes, each change looks the rows up in that order instead of sorting again.
  const namesVersion = store.getNamesVersion();
  const nameOrder = useMemo(
    () => [...store.all()].sort(byName).map((row) => row.name),
    [store, namesVersion], // eslint-disable-line react-hooks/exhaustive-deps -- namesVersion is the store's signal for its names
  );
  const ordered = useMemo(() => {
    const rows =
      sort.key === 'name'
        ? nameOrder.flatMap((n) => store.get(n) ?? [])
        : [...all].sort(compare(sort.key));
    if (sort.desc) rows.reverse();
    return rows;
  }, [store, all, nameOrder, sort.key, sort.desc]);
  const sorted = useMemo(() => {
    const wanted = new Set(stateKey ? (stateKey.split(',') as ClusterState[]) : []);
    const needle = search?.trim().toLowerCase();
    if (!wanted.size && !hub && !errorsOnly && !needle) return ordered;
    return ordered.filter(
      (row) =>
        (!wanted.size || wanted.has(row.state)) &&
        (!hub || row.hub === hub) &&
        (!errorsOnly || !!row.error) &&
        (!needle || row.name.toLowerCase().includes(needle)),
    );
  }, [ordered, stateKey, hub, errorsOnly, search]);
  const rows = useMemo(
    () => sorted.slice(page.offset, page.offset + page.limit),
    [sorted, page.offset, page.limit],
  );
  return { rows, matching: sorted.length, total: all.length, counts };
}
