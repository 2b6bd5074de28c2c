import type {
  ClusterRow,
  ClusterState,
  Hub,
  Me,
  MigrationDetail,
  MigrationSummary,
} from '../api/types';

export const zeroCounts = (): Record<ClusterState, number> => ({
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

export const me = (over: Partial<Me['can']> = {}): Me => ({
  user: 'admin',
  migrationNamespace: 'multicluster-global-hub',
  can: {
    listMigrations: true,
    createMigrations: true,
    updateMigrations: true,
    deleteMigrations: true,
    listHubs: true,
    ...over,
  },
  engineEnabled: true,
});

export const summary = (over: Partial<MigrationSummary> = {}): MigrationSummary => ({
  namespace: 'multicluster-global-hub',
  name: 'wave-1',
  uid: `uid-${over.name ?? 'wave-1'}`,
  from: 'hub1',
  to: 'hub2',
  phase: 'Deploying',
  outcome: 'Running',
  selection: { clusters: 10 },
  createdAt: '2026-11-20T10:00:00Z',
  startedAt: '2026-11-20T10:00:05Z',
  counts: { ...zeroCounts(), Pending: 4, Deployed: 3, Cleaned: 2, Failed: 1 },
  total: 10,
  firstFailures: [{ cluster: 'sno-007', error: 'klusterlet did not join hub2' }],
  deleting: false,
  actions: { rollback: true, retryFailed: false, migrateBack: false, approve: false, delete: true },
  ...over,
});

export const detail = (over: Partial<MigrationDetail> = {}): MigrationDetail => ({
  ...summary(over),
  stageTimeout: '5m',
  conditions: [],
  phases: [
    { phase: 'Validating', state: 'done', started: '2026-11-20T10:00:05Z', seconds: 4 },
    { phase: 'Initializing', state: 'done', started: '2026-11-20T10:00:09Z', seconds: 20 },
    { phase: 'Deploying', state: 'running', started: '2026-11-20T10:00:29Z' },
    { phase: 'Registering', state: 'pending' },
    { phase: 'Cleaning', state: 'pending' },
  ],
  yaml: 'apiVersion: global-hub.open-cluster-management.io/v1alpha1\nkind: ManagedClusterMigration\n',
  ...over,
});

export const hub = (over: Partial<Hub> = {}): Hub => ({
  name: 'hub1',
  available: true,
  connected: true,
  acmVersion: '2.13',
  components: ['search', 'cluster-lifecycle'],
  clusterCount: 40,
  availableClusterCount: 38,
  isGlobalHub: false,
  checkedAt: '2026-11-20T10:00:00Z',
  ...over,
});

export const clusterRows = (n: number, state: ClusterState = 'Pending'): ClusterRow[] =>
  Array.from({ length: n }, (_, i) => ({
    name: `sno-${String(i).padStart(4, '0')}`,
    state,
    hub: 'hub1',
    updated: '2026-11-20T10:00:00Z',
  }));
