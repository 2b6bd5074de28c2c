// The BFF's JSON API and event stream, as the console plugin sees them. Types only and no imports,
// so the frontend can import this file too. Every route is under /api/v1 and documented in
// backend/openapi.yaml (a test checks that the two agree).
//
// Conventions:
// - Errors: any non-2xx answer has the body `ApiError`.
// - Lists of many items are paged: `offset` + `limit` (default 100, at most 1000) and `total`.
// - Mutations need the header `X-CSRFToken` equal to the `csrf-token` cookie (consoleFetch sends it).

export const API_BASE = '/api/v1';

/** The body of every error answer. */
export interface ApiError {
  /** HTTP status, repeated for convenience. */
  status: number;
  /** Machine-readable: Unauthorized, Forbidden, NotFound, Invalid, Conflict, TooLarge, BadRequest, Unavailable, Internal. */
  reason: string;
  /** A sentence an administrator understands, with what to do next where there is something to do. */
  message: string;
  /** With 422 Invalid: one message per invalid field, keyed by its path (e.g. `clusters[3]`, `stageTimeout`). */
  fields?: Record<string, string>;
}

export interface Page<T> {
  items: T[];
  total: number;
  offset: number;
  limit: number;
}

// ---- who am I ------------------------------------------------------------------------------------

/** GET /api/v1/me: what the caller may do, so pages can explain instead of failing. */
export interface Me {
  user: string;
  /** Namespace that holds ManagedClusterMigrations on the global hub. */
  migrationNamespace: string;
  can: {
    listMigrations: boolean;
    createMigrations: boolean;
    /** Patch (rollback, approve) and delete migrations. */
    updateMigrations: boolean;
    deleteMigrations: boolean;
    /** List ManagedClusters on the global hub (hubs and their clusters). */
    listHubs: boolean;
  };
  /** Whether this BFF drives migrations (false: observe mode, another controller drives them). */
  engineEnabled: boolean;
}

// ---- hubs and their clusters ---------------------------------------------------------------------

/** GET /api/v1/hubs → { items: Hub[] } */
export interface Hub {
  name: string;
  /** The hub's ManagedCluster on the global hub is Available. */
  available: boolean;
  /** The BFF can reach the hub's API with its kubeconfig Secret. */
  connected: boolean;
  /** Why the hub cannot be used (absent when it can). */
  reason?: string;
  acmVersion?: string;
  mceVersion?: string;
  /** Components enabled in its MultiClusterHub and MultiClusterEngine. */
  components: string[];
  /** Managed clusters on the hub (absent when the hub cannot be read). */
  clusterCount?: number;
  /** Clusters Available on the hub. */
  availableClusterCount?: number;
  /** The global hub itself (`local-cluster`). */
  isGlobalHub: boolean;
  checkedAt: string;
}

export type ClusterAvailability = 'True' | 'False' | 'Unknown';

/**
 * GET /api/v1/hubs/{hub}/clusters → Page<HubCluster>
 * Query: search (substring of the name), available (True|False|Unknown), ztp (true|false),
 * clusterSet, label (a label selector, e.g. `env=prod,region in (east)`), sort (name|available),
 * order (asc|desc), offset, limit.
 */
export interface HubCluster {
  name: string;
  available: ClusterAvailability;
  labels: Record<string, string>;
  /** `cluster.open-cluster-management.io/clusterset` label. */
  clusterSet?: string;
  /** Provisioned by ZTP (has a ClusterDeployment or ClusterInstance on the hub). */
  ztp: boolean;
  /** ZTP provisioning not finished (ClusterDeployment not Provisioned, …). */
  provisioning: boolean;
  /** In a non-terminal migration: its name. */
  migration?: string;
  /** Why this cluster cannot be migrated at all (local-cluster, hosted mode, a hub itself). */
  notMigratable?: string;
  createdAt?: string;
}

/** POST /api/v1/hubs/{hub}/clusters/reconcile: pasted names checked against the hub. */
export interface ReconcileRequest {
  /** Names as pasted (the server trims; blank entries are ignored). At most 20,000. */
  names: string[];
  /** When given, names of clusters already on this hub are reported in `onTarget`. */
  target?: string;
}
export interface ReconcileResult {
  /** Unique names found on the hub and not on the target, in pasted order. */
  found: string[];
  unknown: string[];
  onTarget: string[];
  /** Names pasted more than once (each listed once). */
  duplicates: string[];
  /** Not DNS-1123 names. */
  invalid: string[];
}

/** GET /api/v1/hubs/{hub}/placements → { items: PlacementSummary[] } */
export interface PlacementSummary {
  namespace: string;
  name: string;
  clusterSets: string[];
  numberOfClusters?: number;
  /** Clusters currently decided by the Placement. */
  decided: number;
  /** Plain-words description of the predicates, e.g. `env = prod and region in (east, west)`. */
  description: string;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** POST /api/v1/hubs/{hub}/placement-preview: which clusters a selector would pick. */
export interface PlacementPreviewRequest {
  clusterSets?: string[];
  labelSelector?: LabelSelector;
  numberOfClusters?: number;
}
export interface PlacementPreview {
  matched: number;
  total: number;
  /** First 1,000 matched and not-matched names (sorted). */
  matchedNames: string[];
  notMatchedNames: string[];
  /** e.g. "matches every cluster on the hub", "matches no cluster". */
  warning?: string;
}

// ---- validation (dry run) ------------------------------------------------------------------------

/** POST /api/v1/validate: every check of the engine, nothing changed. */
export interface ValidateRequest {
  from: string;
  to: string;
  /** Exactly one of clusters / placement. */
  clusters?: string[];
  /** Name of a Placement on the source hub. */
  placement?: string;
}
export interface CheckResult {
  ok: boolean;
  errors: string[];
  warnings: string[];
}
export interface HubCheck extends CheckResult {
  hub: string;
  role: 'source' | 'target';
  acmVersion?: string;
}
export interface ClusterCheck extends CheckResult {
  name: string;
  kind: 'ztp' | 'plain';
}
export interface ValidationResult {
  ok: boolean;
  hubs: HubCheck[];
  clusters: ClusterCheck[];
  /** The clusters the migration would move (the list, or the Placement's decisions). */
  resolvedClusters: string[];
  errors: string[];
  warnings: string[];
}

// ---- migrations ----------------------------------------------------------------------------------

export type Phase =
  | 'Pending'
  | 'Validating'
  | 'Initializing'
  | 'Deploying'
  | 'Registering'
  | 'Rollbacking'
  | 'Cleaning'
  | 'Completed'
  | 'Failed';

/** What the UI shows: a Failed migration that rolled back is "RolledBack". */
export type Outcome = 'Running' | 'Queued' | 'Completed' | 'Failed' | 'RolledBack' | 'Partial';

export type ClusterState =
  | 'Pending'
  | 'Initialized'
  | 'Deployed'
  | 'Registering'
  | 'Registered'
  | 'Cleaned'
  | 'RollingBack'
  | 'RolledBack'
  | 'Failed';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  lastUpdateTime?: string;
}

/** A phase as the stepper shows it. */
export interface PhaseStep {
  phase: Phase;
  state: 'pending' | 'running' | 'done' | 'failed' | 'skipped';
  started?: string;
  finished?: string;
  seconds?: number;
}

export interface PlanRef {
  /** Plan name (label `hub-migration.openshift.io/plan`). */
  name: string;
  /** 1-based. */
  batch: number;
  batches: number;
  /** This batch waits for an administrator's approval before it starts. */
  awaitingApproval: boolean;
}

/** GET /api/v1/migrations → { items: MigrationSummary[] } ; also the stream's `migration` event. */
export interface MigrationSummary {
  namespace: string;
  name: string;
  uid: string;
  from: string;
  to: string;
  phase: Phase;
  outcome: Outcome;
  /** Static list or Placement name. */
  selection: { clusters: number } | { placement: string };
  plan?: PlanRef;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** Clusters by state (from the progress ConfigMap; all zero before validation). */
  counts: Record<ClusterState, number>;
  total: number;
  /** First few failures, for the list's popover. */
  firstFailures: { cluster: string; error: string }[];
  /** The last condition message that explains the current state. */
  message?: string;
  /** Being deleted (rolling back before it goes). */
  deleting: boolean;
  /** Actions the state allows (not the caller's rights: see Me.can). */
  actions: {
    rollback: boolean;
    retryFailed: boolean;
    migrateBack: boolean;
    approve: boolean;
    delete: boolean;
  };
}

/** GET /api/v1/migrations/{namespace}/{name} */
export interface MigrationDetail extends MigrationSummary {
  stageTimeout: string;
  conditions: Condition[];
  phases: PhaseStep[];
  /** Clusters finished (Cleaned, Registered, RolledBack, Failed) per minute over the last minutes. */
  ratePerMinute?: number;
  /** Seconds left; absent means "estimating…" (too little progress to say honestly). */
  etaSeconds?: number;
  /** The object as YAML, without managedFields. */
  yaml: string;
}

/** POST /api/v1/migrations: create one migration (as the caller). */
export interface CreateMigrationRequest {
  /** DNS-1123 name; generated from from/to when absent. */
  name?: string;
  from: string;
  to: string;
  /** Exactly one of clusters (1..5000 unique names) / placement. */
  clusters?: string[];
  placement?: string;
  /** Go duration such as 90s, 15m, 1h30m (at least 1m, at most 24h); default: 5m a stage, 12m Registering. */
  stageTimeout?: string;
}

/** POST /api/v1/plans: a plan is one migration per batch, run one after another. */
export interface CreatePlanRequest {
  /** DNS-1123 name; the batches are `<name>-1`, `<name>-2`, … */
  name: string;
  from: string;
  to: string;
  clusters: string[];
  /** 1..5000 clusters a batch. */
  batchSize: number;
  /** Each batch after the first waits for "approve next batch". */
  approvalBetweenBatches: boolean;
  stageTimeout?: string;
}
export interface CreatePlanResult {
  plan: string;
  migrations: MigrationSummary[];
}

/** GET /api/v1/plans → { items: PlanSummary[] } */
export interface PlanSummary {
  name: string;
  namespace: string;
  from: string;
  to: string;
  batches: number;
  total: number;
  counts: Record<ClusterState, number>;
  /** Batches that ended Completed. */
  completedBatches: number;
  outcome: Outcome;
  etaSeconds?: number;
  migrations: string[];
}

/** POST /api/v1/migrations/{ns}/{name}/rollback, /approve: answer the updated summary. */
/** POST /api/v1/migrations/{ns}/{name}/retry-failed and /migrate-back: create a new migration. */
export interface FollowUpRequest {
  name?: string;
  stageTimeout?: string;
}
/** DELETE /api/v1/migrations/{ns}/{name}: 202 with the summary (rollback runs before it goes). */

/**
 * GET /api/v1/migrations/{ns}/{name}/clusters → Page<ClusterRow> & { counts }
 * Query: state (repeatable or comma list), hub, search, error (true: only with an error),
 * sort (name|state|hub|updated), order (asc|desc), offset, limit.
 * GET …/clusters.csv: the same rows (filters apply, no paging) as CSV.
 */
export interface ClusterRow {
  name: string;
  state: ClusterState;
  hub: string;
  error?: string;
  started?: string;
  updated: string;
}
export interface ClusterPage extends Page<ClusterRow> {
  counts: Record<ClusterState, number>;
}

/** GET /api/v1/migrations/{ns}/{name}/clusters/{cluster}: one cluster's objects on each hub. */
export interface ClusterDetail extends ClusterRow {
  objects: { hub: string; kind: string; namespace?: string; name: string }[];
}

/** GET /api/v1/migrations/{ns}/{name}/health: the migrated clusters on the target. */
export interface HealthReport {
  hub: string;
  checkedAt: string;
  clusters: {
    total: number;
    available: number;
    /** Compliance of the policies replicated to the migrated clusters on the target. */
    policies: { compliant: number; nonCompliant: number; pending: number };
    /** ZTP clusters' ClusterInstance status on the target. */
    clusterInstances: { completed: number; notCompleted: number; absent: number };
  };
  items: {
    name: string;
    available: ClusterAvailability;
    compliant?: boolean;
    clusterInstance?: string;
    /** Seconds from the start of the migration until Available on the target. */
    secondsToAvailable?: number;
  }[];
  /** Steps left to the administrator. */
  checklist: string[];
}

/** GET /api/v1/migrations/{ns}/{name}/events → { items: MigrationEvent[] } (oldest first). */
export interface MigrationEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  count: number;
  firstTimestamp: string;
  lastTimestamp: string;
}

// ---- the event stream (GET /api/v1/stream, text/event-stream) -------------------------------------
//
// Query: migration=<ns>/<name> (optional) also streams that migration's per-cluster changes.
// Every event has an `id` (monotonic); reconnecting with `Last-Event-ID` replays what was missed,
// or sends a fresh `snapshot` when the gap is too old. A `: keep-alive` comment every 15 s.
//
//   event: snapshot   data: StreamSnapshot        (first event, and after a gap)
//   event: migration  data: MigrationChange       (added, changed, deleted)
//   event: clusters   data: ClusterChanges        (only with ?migration=)
//   event: reset      data: {}                    (the client must reload: e.g. stream overflow)

export interface StreamSnapshot {
  migrations: MigrationSummary[];
  /** With ?migration=: every cluster row of that migration. */
  clusters?: ClusterRow[];
}
export interface MigrationChange {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  migration: MigrationSummary;
}
export interface ClusterChanges {
  migration: string; // <ns>/<name>
  rows: ClusterRow[];
}
