import type { ClusterState, MigrationSummary } from '../api/types';

export const DONE_STATES: ClusterState[] = ['Registered', 'Cleaned'];
export const IN_FLIGHT_STATES: ClusterState[] = [
  'Initialized',
  'Deployed',
  'Registering',
  'RollingBack',
];

export type Progress = {
  total: number;
  done: number;
  failed: number;
  rolledBack: number;
  inFlight: number;
  notStarted: number;
  /** 0..100, clusters done over all clusters. */
  percent: number;
};

export const sumStates = (counts: Partial<Record<ClusterState, number>>, states: ClusterState[]) =>
  states.reduce((sum, s) => sum + (counts[s] ?? 0), 0);

export const progressOf = (
  counts: Partial<Record<ClusterState, number>>,
  total: number,
): Progress => {
  const done = sumStates(counts, DONE_STATES);
  return {
    total,
    done,
    failed: counts.Failed ?? 0,
    rolledBack: counts.RolledBack ?? 0,
    inFlight: sumStates(counts, IN_FLIGHT_STATES),
    notStarted: counts.Pending ?? 0,
    percent: total > 0 ? Math.round((done / total) * 100) : 0,
  };
};

export const addCounts = (
  a: Partial<Record<ClusterState, number>>,
  b: Partial<Record<ClusterState, number>>,
): Partial<Record<ClusterState, number>> => {
  const out: Partial<Record<ClusterState, number>> = { ...a };
  for (const [k, v] of Object.entries(b) as [ClusterState, number][]) out[k] = (out[k] ?? 0) + v;
  return out;
};

export const migrationKey = (m: Pick<MigrationSummary, 'namespace' | 'name'>) =>
  `${m.namespace}/${m.name}`;

export const isActive = (m: MigrationSummary) => m.outcome === 'Running';
