// Seeds a ManagedClusterMigration of N clusters on the (simulated) global hub, with its per-cluster
// progress written by the engine's own writer (backend/src/engine/progress.ts: the main ConfigMap
// and its 1,000-cluster shards), so the BFF reads it exactly as it reads a real migration. For
// scale journeys and the UI benchmark: a real 3,000-cluster migration takes minutes and a core.
//
// The engine acts on any migration that is not terminal. A migration is created without status
// (the API server ignores status on create), and a running engine would promote it and start
// validating clusters that do not exist. So, with an engine running, the migration is created as
// the only batch of a plan that waits for approval (the engine only marks it Pending), its seeded
// status is written once the engine has done that, and the plan labels then come off. Seed only
// terminal phases (Completed, Failed) where an engine runs; a running phase needs observe mode.
import { readFileSync } from 'node:fs';
import type { ClusterProgress, ClusterState } from '../../backend/src/engine/progress.js';
import { CLUSTER_STATES, Progress } from '../../backend/src/engine/progress.js';
import type { Migration, MigrationCondition, Phase } from '../../backend/src/engine/types.js';
import {
  CONDITION,
  LABEL,
  PHASE_CONDITION,
  PLAN,
  isTerminal,
} from '../../backend/src/engine/types.js';
import { HubClient, HubError } from '../../backend/src/hubs/hub-client.js';
import { PooledKubeConfig } from '../../backend/src/hubs/kubeconfig.js';
import { R } from '../../backend/src/hubs/resources.js';

export type { ClusterState };

export interface SeedOptions {
  /** Kubeconfig file of the global hub. */
  kubeconfig: string;
  namespace?: string;
  name: string;
  from: string;
  to: string;
  /** Cluster names: `<prefix><n>` numbered from 1, zero-padded to `width`. */
  prefix: string;
  width?: number;
  /** How many clusters in each state (they add up to the migration's size). */
  mix: Partial<Record<ClusterState, number>>;
  /** The migration's phase: Completed or Failed (partial) while an engine runs; any in observe mode. */
  phase: Phase;
  /** Whether an engine watches the namespace (see above); default true. */
  engine?: boolean;
  /** When the migration started (its conditions' times); default 20 minutes ago. */
  startedAt?: Date;
}

export interface SeededMigration {
  migration: Migration;
  names: string[];
  /** The clusters of each state, in name order. */
  byState: Record<ClusterState, string[]>;
  /** The engine's progress writer for this migration, to move clusters as the engine would. */
  progress: Progress;
  client: HubClient;
  /** Moves a cluster on (e.g. Registered → Cleaned); written within a second, as the engine does. */
  move(name: string, state: ClusterState, hub: string, error?: string): void;
  /** Writes what is pending and releases the connection. */
  close(): Promise<void>;
  /** Deletes the migration and its progress (nothing pending is written) and releases the connection. */
  remove(): Promise<void>;
}

const NAMESPACE = 'multicluster-global-hub';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Why a cluster failed, as the engine words it (a few kinds, so the messages differ). */
export function failureMessage(cluster: string, i: number, to: string): string {
  const kinds = [
    `ManagedCluster ${cluster} did not become Available on ${to} within the stage timeout (12m0s)`,
    `klusterlet of ${cluster} could not reach ${to}: dial tcp: i/o timeout`,
    `ClusterDeployment ${cluster}/${cluster} was not restored on ${to}: admission webhook denied the request`,
    `bootstrap kubeconfig of ${cluster} was rejected by ${to}: x509: certificate signed by unknown authority`,
  ];
  return kinds[i % kinds.length];
}

/**
 * Spreads the states over the names so every state appears on every page of the table: the
 * clusters of a state are evenly interleaved rather than one block each.
 */
function assignStates(names: string[], mix: Partial<Record<ClusterState, number>>): ClusterState[] {
  const total = names.length;
  const out: ClusterState[] = [];
  const taken = Object.fromEntries(CLUSTER_STATES.map((s) => [s, 0])) as Record<
    ClusterState,
    number
  >;
  for (let i = 0; i < total; i++) {
    // The state furthest behind its share at this point takes the slot.
    let best: ClusterState | undefined;
    let bestLag = -Infinity;
    for (const s of CLUSTER_STATES) {
      const want = mix[s] ?? 0;
      if (taken[s] >= want) continue;
      const lag = ((i + 1) * want) / total - taken[s];
      if (lag > bestLag) {
        bestLag = lag;
        best = s;
      }
    }
    if (!best) throw new Error('the mix adds up to fewer clusters than asked for');
    taken[best]++;
    out.push(best);
  }
  return out;
}

/** The conditions a migration in `phase` has, from its start on (a minute per stage). */
function conditionsFor(phase: Phase, started: Date, mix: Partial<Record<ClusterState, number>>) {
  const at = (minutes: number) => new Date(started.getTime() + minutes * 60_000).toISOString();
  const cond = (
    type: string,
    status: MigrationCondition['status'],
    reason: string,
    message: string,
    minute: number,
  ): MigrationCondition => ({
    type,
    status,
    reason,
    message,
    lastTransitionTime: at(minute),
    lastUpdateTime: at(minute),
  });
  const out: MigrationCondition[] = [
    cond(CONDITION.started, 'True', 'InstanceStarted', 'Migration instance is started', 0),
  ];
  const order: Phase[] = ['Validating', 'Initializing', 'Deploying', 'Registering', 'Cleaning'];
  const failed = (mix.Failed ?? 0) + (mix.RolledBack ?? 0);
  const until = phase === 'Completed' || phase === 'Failed' ? order.length : order.indexOf(phase);
  for (let i = 0; i < until; i++) {
    const p = PHASE_CONDITION[order[i]]!;
    if (phase === 'Failed' && order[i] === 'Registering' && failed > 0) {
      out.push(
        cond(p.type, 'False', 'Timeout', `${failed} clusters did not register within 12m0s`, i + 1),
      );
      out.push(
        cond(
          CONDITION.rolledBack,
          'True',
          'ResourceRolledBack',
          `${mix.RolledBack ?? 0} clusters were rolled back to the source hub; ${mix.Failed ?? 0} could not be`,
          i + 2,
        ),
      );
      continue;
    }
    out.push(cond(p.type, 'True', p.success, `${order[i]} finished`, i + 1));
  }
  if (until < order.length) {
    const p = PHASE_CONDITION[order[until]]!;
    out.push(cond(p.type, 'False', 'Waiting', `${order[until]} started`, until + 0.5));
  }
  return out;
}

/** Deletes a seeded migration and its progress ConfigMaps (re-seeding the same name). */
export async function removeSeeded(client: HubClient, name: string, namespace = NAMESPACE) {
  await client.delete(R.migration, name, namespace);
  for (const cm of await client.list(R.configMap, namespace, {
    labelSelector: `${LABEL.owner}=${name}`,
  }))
    await client.delete(R.configMap, cm.metadata.name, namespace);
  for (let i = 0; i < 100 && (await client.get(R.migration, name, namespace)); i++)
    await sleep(100);
}

async function writeStatus(client: HubClient, m: Migration, status: Migration['status']) {
  let cur = m;
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      return (await client.replaceStatus(R.migration, { ...cur, status })) as Migration;
    } catch (e) {
      if (!(e instanceof HubError && e.conflict)) throw e;
      cur = (await client.get(R.migration, m.metadata.name, m.metadata.namespace)) as Migration;
    }
  }
  throw new Error(`could not write the status of ${m.metadata.name}`);
}

export async function seedMigration(o: SeedOptions): Promise<SeededMigration> {
  const namespace = o.namespace ?? NAMESPACE;
  const engine = o.engine ?? true;
  if (engine && !isTerminal(o.phase))
    throw new Error(`an engine would drive a ${o.phase} migration: seed it in observe mode`);
  const size = Object.values(o.mix).reduce((a, b) => a + (b ?? 0), 0);
  const width = o.width ?? String(size).length;
  const names = Array.from(
    { length: size },
    (_, i) => `${o.prefix}${String(i + 1).padStart(width, '0')}`,
  );
  const states = assignStates(names, o.mix);
  const client = new HubClient(
    'global-hub',
    PooledKubeConfig.fromString(readFileSync(o.kubeconfig, 'utf8')),
  );
  await removeSeeded(client, o.name, namespace);

  const hold = engine
    ? {
        labels: { [PLAN.label]: `${o.name}-seed` },
        annotations: {
          [PLAN.batch]: '1',
          [PLAN.batches]: '1',
          [PLAN.approvalRequired]: 'true',
        },
      }
    : {};
  let m = (await client.create(R.migration, {
    apiVersion: 'global-hub.open-cluster-management.io/v1alpha1',
    kind: 'ManagedClusterMigration',
    metadata: { name: o.name, namespace, ...hold },
    spec: { from: o.from, to: o.to, includedManagedClusters: names },
  })) as Migration;

  if (engine) {
    // The engine marks it Pending and says it waits for approval; after that it leaves it alone.
    for (let i = 0; ; i++) {
      const cur = (await client.get(R.migration, o.name, namespace)) as Migration;
      const started = cur.status?.conditions?.find((c) => c.type === CONDITION.started);
      if (cur.status?.phase === 'Pending' && /approval/.test(started?.message ?? '')) {
        m = cur;
        break;
      }
      if (i > 300) throw new Error(`the engine did not mark ${o.name} as waiting for approval`);
      await sleep(100);
    }
  }

  const startedAt = o.startedAt ?? new Date(Date.now() - 20 * 60_000);
  m = await writeStatus(client, m, {
    phase: o.phase,
    conditions: conditionsFor(o.phase, startedAt, o.mix),
  });
  if (engine) {
    m = (await client.jsonPatch(
      R.migration,
      o.name,
      [
        { op: 'remove', path: `/metadata/labels/${PLAN.label.replace(/\//g, '~1')}` },
        ...[PLAN.batch, PLAN.batches, PLAN.approvalRequired].map((a) => ({
          op: 'remove' as const,
          path: `/metadata/annotations/${a.replace(/\//g, '~1')}`,
        })),
      ],
      namespace,
    )) as Migration;
  }

  // The per-cluster rows, through the engine's writer, as the engine leaves them.
  const progress = await Progress.load(client, m);
  progress.setClusters(names, o.from);
  const byState = Object.fromEntries(CLUSTER_STATES.map((s) => [s, [] as string[]])) as Record<
    ClusterState,
    string[]
  >;
  let failures = 0;
  names.forEach((n, i) => {
    const state = states[i];
    byState[state].push(n);
    if (state === 'Pending') return;
    const change: Partial<Omit<ClusterProgress, 'updated'>> = {
      state,
      hub: ['Registered', 'Cleaned'].includes(state) ? o.to : o.from,
      // Clusters started a few at a time over the migration's first minutes.
      started: new Date(startedAt.getTime() + 60_000 + (i % 600) * 500).toISOString(),
    };
    if (state === 'Failed') change.error = failureMessage(n, failures++, o.to);
    progress.update(n, change);
  });
  await progress.flush();

  return {
    migration: m,
    names,
    byState,
    progress,
    client,
    move: (name, state, hub, error) =>
      progress.update(name, error === undefined ? { state, hub } : { state, hub, error }),
    close: async () => {
      await progress.flush();
      progress.stop();
      client.kubeConfig.close();
    },
    remove: async () => {
      progress.stop();
      await removeSeeded(client, o.name, namespace);
      client.kubeConfig.close();
    },
  };
}
