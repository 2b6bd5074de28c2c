// What the API shows of a migration: its summary (list, stream), its details (phases, rate, ETA,
// YAML) and the state-gated actions, computed from the object and its progress ConfigMaps.
import { stringify } from 'yaml';
import { getCondition } from '../engine/conditions.js';
import { batchOf, planHold } from '../engine/plans.js';
import { CLUSTER_STATES as ENGINE_STATES } from '../engine/progress.js';
import type { Migration, Phase } from '../engine/types.js';
import { CONDITION, PHASE_CONDITION, PLAN } from '../engine/types.js';
import type {
  ClusterRow,
  ClusterState,
  MigrationDetail,
  MigrationSummary,
  Outcome,
  PhaseStep,
} from './contract.js';

export const CLUSTER_STATES: readonly ClusterState[] = ENGINE_STATES;

const WORK_PHASES: readonly Phase[] = [
  'Validating',
  'Initializing',
  'Deploying',
  'Registering',
  'Cleaning',
];
const RUNNING: readonly Phase[] = [...WORK_PHASES, 'Rollbacking'];

/** How far along a cluster is, for the progress fraction behind the ETA. */
const WEIGHT: Record<ClusterState, number> = {
  Pending: 0,
  Initialized: 0.15,
  Deployed: 0.35,
  Registering: 0.5,
  Registered: 0.85,
  Cleaned: 1,
  RollingBack: 0.5,
  RolledBack: 1,
  Failed: 1,
};

/** The progress of one migration as the API knows it from its ConfigMaps. */
export interface ProgressView {
  order: string[];
  rows: Map<string, ClusterRow>;
}

export function zeroCounts(): Record<ClusterState, number> {
  return Object.fromEntries(CLUSTER_STATES.map((s) => [s, 0])) as Record<ClusterState, number>;
}

export function countRows(p: ProgressView | undefined): Record<ClusterState, number> {
  const counts = zeroCounts();
  if (!p) return counts;
  for (const n of p.order) counts[p.rows.get(n)?.state ?? 'Pending']++;
  return counts;
}

export const keyOf = (m: { metadata: { namespace?: string; name: string } }) =>
  `${m.metadata.namespace ?? ''}/${m.metadata.name}`;

function outcome(m: Migration, counts: Record<ClusterState, number>): Outcome {
  const phase = m.status?.phase ?? 'Pending';
  if (phase === 'Pending') return 'Queued';
  if (phase === 'Completed') return 'Completed';
  if (phase !== 'Failed') return 'Running';
  const moved = counts.Registered + counts.Cleaned;
  if (moved > 0) return 'Partial';
  return getCondition(m.status?.conditions, CONDITION.rolledBack)?.status === 'True'
    ? 'RolledBack'
    : 'Failed';
}

/** The condition message that best explains where the migration is. */
function currentMessage(m: Migration): string | undefined {
  const conds = m.status?.conditions ?? [];
  const latest = [...conds].sort((a, b) =>
    (b.lastUpdateTime ?? b.lastTransitionTime).localeCompare(
      a.lastUpdateTime ?? a.lastTransitionTime,
    ),
  )[0];
  return latest?.message;
}

export function summarize(
  m: Migration,
  progress: ProgressView | undefined,
  siblings: readonly Migration[],
): MigrationSummary {
  const counts = countRows(progress);
  const phase = m.status?.phase ?? 'Pending';
  const out = outcome(m, counts);
  const failures: { cluster: string; error: string }[] = [];
  if (progress)
    for (const n of progress.order) {
      const r = progress.rows.get(n);
      if (r?.error) failures.push({ cluster: n, error: r.error });
      if (failures.length >= 5) break;
    }
  const b = batchOf(m);
  const hold = phase === 'Pending' ? planHold(m, siblings) : undefined;
  const awaitingApproval = Boolean(hold && !/Waiting for batch/.test(hold));
  const started = getCondition(m.status?.conditions, CONDITION.started);
  const terminal = phase === 'Completed' || phase === 'Failed';
  const rolledBack = getCondition(m.status?.conditions, CONDITION.rolledBack)?.status === 'True';
  const moved = counts.Registered + counts.Cleaned;
  const notMoved = counts.Failed + counts.RolledBack;
  return {
    namespace: m.metadata.namespace ?? '',
    name: m.metadata.name,
    uid: m.metadata.uid ?? '',
    from: m.spec.from,
    to: m.spec.to,
    phase,
    outcome: out,
    selection: m.spec.includedManagedClustersPlacementRef
      ? { placement: m.spec.includedManagedClustersPlacementRef }
      : { clusters: m.spec.includedManagedClusters?.length ?? 0 },
    ...(b ? { plan: { name: b.plan, batch: b.batch, batches: b.batches, awaitingApproval } } : {}),
    createdAt: m.metadata.creationTimestamp
      ? new Date(m.metadata.creationTimestamp).toISOString()
      : '',
    startedAt: started?.status === 'True' ? started.lastTransitionTime : undefined,
    finishedAt: terminal ? finishedAt(m) : undefined,
    counts,
    total: progress?.order.length ?? m.spec.includedManagedClusters?.length ?? 0,
    firstFailures: failures,
    message: hold ?? currentMessage(m),
    deleting: Boolean(m.metadata.deletionTimestamp),
    actions: {
      rollback:
        !m.metadata.deletionTimestamp &&
        (['Validating', 'Initializing', 'Deploying', 'Registering'].includes(phase) ||
          (phase === 'Failed' && !rolledBack)),
      retryFailed: terminal && notMoved > 0,
      migrateBack: terminal && moved > 0,
      approve: phase === 'Pending' && awaitingApproval,
      delete: !m.metadata.deletionTimestamp,
    },
  };
}

function finishedAt(m: Migration): string | undefined {
  const times = (m.status?.conditions ?? []).map((c) => c.lastUpdateTime ?? c.lastTransitionTime);
  return times.sort().at(-1);
}

/**
 * The phase stepper. A phase's condition turns True when the phase ends; it starts when the phase
 * before it ended (Validating: when the migration started).
 */
export function phaseSteps(m: Migration): PhaseStep[] {
  const conds = m.status?.conditions;
  const phase = m.status?.phase ?? 'Pending';
  const started = getCondition(conds, CONDITION.started);
  let previousEnd = started?.status === 'True' ? started.lastTransitionTime : undefined;
  const rollback = getCondition(conds, CONDITION.rolledBack);
  const steps: PhaseStep[] = [];
  let failedAt: Phase | undefined;
  for (const p of WORK_PHASES) {
    const c = getCondition(conds, PHASE_CONDITION[p]!.type);
    const step: PhaseStep = { phase: p, state: 'pending' };
    if (c?.status === 'True') {
      step.state = 'done';
      step.started = previousEnd;
      step.finished = c.lastTransitionTime;
      previousEnd = c.lastTransitionTime;
    } else if (phase === p) {
      step.state = 'running';
      step.started = previousEnd ?? c?.lastTransitionTime;
    } else if (c && c.status === 'False' && c.reason !== 'Waiting') {
      step.state = 'failed';
      step.started = previousEnd;
      step.finished = c.lastUpdateTime ?? c.lastTransitionTime;
      failedAt ??= p;
    } else if (rollback || phase === 'Failed' || phase === 'Completed') {
      step.state = 'skipped';
    }
    if (step.started && step.finished)
      step.seconds = Math.max(0, (Date.parse(step.finished) - Date.parse(step.started)) / 1000);
    steps.push(step);
  }
  if (rollback) {
    const step: PhaseStep = {
      phase: 'Rollbacking',
      state: phase === 'Rollbacking' ? 'running' : rollback.status === 'True' ? 'done' : 'failed',
      started: rollback.lastTransitionTime,
    };
    if (step.state !== 'running') {
      step.finished = rollback.lastUpdateTime ?? rollback.lastTransitionTime;
      step.seconds = Math.max(0, (Date.parse(step.finished) - Date.parse(step.started!)) / 1000);
    }
    steps.push(step);
  }
  return steps;
}

/**
 * The rate (clusters a minute) and the seconds left. While running, the rate counts work done,
 * each cluster weighted by how far through its steps it is, so that a migration moving normally
 * through a bulk phase never reads as stalled; the ETA waits until enough has happened to say
 * something honest (10% of the work and 15 s). A finished migration gives its average rate.
 */
export function estimate(
  m: Migration,
  progress: ProgressView | undefined,
  now = Date.now(),
): { ratePerMinute?: number; etaSeconds?: number } {
  const phase = m.status?.phase ?? 'Pending';
  const start = getCondition(m.status?.conditions, CONDITION.started);
  if (!progress || progress.order.length === 0 || start?.status !== 'True') return {};
  const startMs = Date.parse(start.lastTransitionTime);
  if (!RUNNING.includes(phase)) {
    const end = finishedAt(m);
    if (phase === 'Pending' || !end) return {};
    const seconds = (Date.parse(end) - startMs) / 1000;
    const done = progress.order.filter((n) => progress.rows.get(n)?.state === 'Cleaned').length;
    return seconds > 0 ? { ratePerMinute: (done / seconds) * 60 } : {};
  }
  const elapsed = (now - startMs) / 1000;
  let work = 0;
  for (const n of progress.order) work += WEIGHT[progress.rows.get(n)?.state ?? 'Pending'];
  const fraction = work / progress.order.length;
  const ratePerMinute = elapsed > 0 ? (work / elapsed) * 60 : undefined;
  if (elapsed < 15 || fraction < 0.1 || fraction >= 1) return { ratePerMinute };
  return { ratePerMinute, etaSeconds: Math.round((elapsed * (1 - fraction)) / fraction) };
}

export function detail(
  m: Migration,
  progress: ProgressView | undefined,
  siblings: readonly Migration[],
): MigrationDetail {
  const { managedFields: _managed, ...metadata } = m.metadata;
  return {
    ...summarize(m, progress, siblings),
    stageTimeout: m.spec.supportedConfigs?.stageTimeout ?? '5m (12m for Registering)',
    conditions: m.status?.conditions ?? [],
    phases: phaseSteps(m),
    ...estimate(m, progress),
    yaml: stringify({ ...m, metadata }),
  };
}

/** The labels and annotations that make a migration a batch of a plan. */
export function planMetadata(
  plan: string,
  batch: number,
  batches: number,
  approvalRequired: boolean,
): { labels: Record<string, string>; annotations: Record<string, string> } {
  return {
    labels: { [PLAN.label]: plan },
    annotations: {
      [PLAN.batch]: String(batch),
      [PLAN.batches]: String(batches),
      ...(approvalRequired ? { [PLAN.approvalRequired]: 'true' } : {}),
    },
  };
}
