// The ManagedClusterMigration API (compatible with the global hub's) and the names the engine
// puts on hubs. Nothing here may add fields to spec or status: richer data lives in the
// per-migration ConfigMap (progress.ts) and in annotations.
import type { KubeObject } from '../hubs/hub-client.js';

export const PHASES = [
  'Pending',
  'Validating',
  'Initializing',
  'Deploying',
  'Registering',
  'Rollbacking',
  'Cleaning',
  'Completed',
  'Failed',
] as const;
export type Phase = (typeof PHASES)[number];
export const TERMINAL: readonly Phase[] = ['Completed', 'Failed'];

export const CONDITION = {
  started: 'MigrationStarted',
  validated: 'ResourceValidated',
  initialized: 'ResourceInitialized',
  deployed: 'ResourceDeployed',
  registered: 'ClusterRegistered',
  rolledBack: 'ResourceRolledBack',
  cleaned: 'ResourceCleaned',
} as const;

/** The condition each working phase owns, and its success reason (as the reference spells them). */
export const PHASE_CONDITION: Partial<Record<Phase, { type: string; success: string }>> = {
  Validating: { type: CONDITION.validated, success: 'ResourceValidated' },
  Initializing: { type: CONDITION.initialized, success: 'ResourceInitialized' },
  Deploying: { type: CONDITION.deployed, success: 'ResourcesDeployed' },
  Registering: { type: CONDITION.registered, success: 'ClusterRegistered' },
  Rollbacking: { type: CONDITION.rolledBack, success: 'ResourceRolledBack' },
  Cleaning: { type: CONDITION.cleaned, success: 'ResourceCleaned' },
};

export const REASON = { waiting: 'Waiting', error: 'Error', timeout: 'Timeout' } as const;

export interface MigrationCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  lastUpdateTime?: string;
}

export interface MigrationSpec {
  from: string;
  to: string;
  includedManagedClusters?: string[];
  includedManagedClustersPlacementRef?: string;
  supportedConfigs?: { stageTimeout?: string };
}

export interface MigrationStatus {
  phase?: Phase;
  conditions?: MigrationCondition[];
}

export interface Migration extends KubeObject {
  spec: MigrationSpec;
  status?: MigrationStatus;
}

// ---- annotations, labels and names on the hubs ---------------------------------------------------

export const ANNOTATION = {
  /** On a migration: `rollback` asks for a rollback (of a running or a failed migration). */
  request: 'global-hub.open-cluster-management.io/migration-request',
  migrating: 'global-hub.open-cluster-management.io/migrating',
  klusterletConfig: 'agent.open-cluster-management.io/klusterlet-config',
  disableAutoImport: 'import.open-cluster-management.io/disable-auto-import',
  cdPause: 'hive.openshift.io/reconcile-pause',
  bmhPause: 'baremetalhost.metal3.io/paused',
  restoreStatus: 'velero.io/restore-status',
} as const;

export const LABEL = {
  restoreName: 'velero.io/restore-name',
  backup: 'cluster.open-cluster-management.io/backup',
  preserve: 'siteconfig.open-cluster-management.io/preserve',
  placement: 'cluster.open-cluster-management.io/placement',
  localCluster: 'local-cluster',
  /** Marks objects the engine created on a hub, with the migration's name as value. */
  owner: 'hub-migration.openshift.io/migration',
} as const;

/**
 * A plan is one migration per batch, run one after another. Batches carry the plan's name as a
 * label and their position as annotations; a batch that needs approval waits until it has the
 * `approved` annotation, and a batch after a failed one waits for approval too.
 */
export const PLAN = {
  label: 'hub-migration.openshift.io/plan',
  batch: 'hub-migration.openshift.io/batch',
  batches: 'hub-migration.openshift.io/batches',
  approvalRequired: 'hub-migration.openshift.io/approval-required',
  approved: 'hub-migration.openshift.io/approved',
} as const;

/** Finalizer on migrations: deleting a running migration rolls it back first. */
export const MIGRATION_FINALIZER = 'hub-migration.openshift.io/rollback-on-delete';

export const names = {
  bootstrapSecret: (to: string) => `bootstrap-${to}`,
  bootstrapSecretNamespace: 'multicluster-engine',
  klusterletConfig: (to: string) => `migration-${to}`,
  /** ServiceAccount on the target hub whose token registers the migrating clusters. */
  serviceAccount: (migration: string) => `migration-${migration}`,
  serviceAccountNamespace: 'open-cluster-management-global-hub-agent',
  registrationBinding: (migration: string) => `global-hub-migration-${migration}-registration`,
  sarRole: (migration: string) => `global-hub-migration-${migration}-sar`,
};

export function isTerminal(phase: Phase | undefined): boolean {
  return phase !== undefined && TERMINAL.includes(phase);
}
