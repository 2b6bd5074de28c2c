// Per-migration progress, kept in ConfigMaps on the global hub (owner: the migration) so that a
// new BFF process can rebuild everything after a crash. The main ConfigMap `<migration>` has the
// reference's keys (`all-clusters`, `success`, `failure`: JSON arrays of names) plus a summary;
// per-cluster detail is sharded into `<migration>-clusters-<i>` ConfigMaps of 1,000 clusters each,
// so 5,000 (or 20,000) clusters stay far below the 1 MiB object limit.
import type { HubClient, KubeObject } from '../hubs/hub-client.js';
import { HubError } from '../hubs/hub-client.js';
import { R } from '../hubs/resources.js';
import type { Migration } from './types.js';
import { LABEL } from './types.js';

export const CLUSTER_STATES = [
  'Pending', // validated, nothing done yet
  'Initialized', // bootstrap delivered, ZTP paused
  'Deployed', // its objects are on the target
  'Registering', // the source no longer accepts it
  'Registered', // Joined and Available on the target
  'Cleaned', // gone from the source: done
  'RollingBack',
  'RolledBack', // back on the source, nothing left on the target
  'Failed', // could not be moved or rolled back: see error
] as const;
export type ClusterState = (typeof CLUSTER_STATES)[number];

export interface ClusterProgress {
  state: ClusterState;
  /** The hub the cluster is registered to, as far as the engine knows. */
  hub: string;
  error?: string;
  /** ISO times: when the cluster's migration started, and of its last change. */
  started?: string;
  updated: string;
}

const SHARD_SIZE = 1000;
const shardName = (migration: string, i: number) => `${migration}-clusters-${i}`;

/** Compact on the wire: [state, hub, updated, started?, error?]. */
type Packed = [ClusterState, string, string, string?, string?];

export class Progress {
  private readonly clusters = new Map<string, ClusterProgress>();
  private order: string[] = [];
  /** Each cluster's place in `order`, which decides its shard. */
  private readonly index = new Map<string, number>();
  private dirty = false;
  /** Shards with changes not yet written: a flush writes those (and the main ConfigMap) only. */
  private readonly dirtyShards = new Set<number>();
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;

  private constructor(
    private readonly global: HubClient,
    private readonly migration: Migration,
  ) {}

  /** Loads what an earlier process persisted (nothing for a new migration). */
  static async load(global: HubClient, migration: Migration): Promise<Progress> {
    const p = new Progress(global, migration);
    const ns = migration.metadata.namespace!;
    const main = await global.get(R.configMap, migration.metadata.name, ns);
    const data = (main?.data ?? {}) as Record<string, string>;
    p.order = parseNames(data['all-clusters']);
    p.order.forEach((n, i) => p.index.set(n, i));
    const shards = Number(data.shards ?? 0);
    for (let i = 0; i < shards; i++) {
      const cm = await global.get(R.configMap, shardName(migration.metadata.name, i), ns);
      const packed = JSON.parse(
        ((cm?.data ?? {}) as Record<string, string>)['clusters.json'] ?? '{}',
      ) as Record<string, Packed>;
      for (const [name, [state, hub, updated, started, error]] of Object.entries(packed)) {
        p.clusters.set(name, { state, hub, updated, started, error });
      }
    }
    return p;
  }

  get names(): string[] {
    return this.order;
  }

  get isEmpty(): boolean {
    return this.order.length === 0;
  }

  get(name: string): ClusterProgress | undefined {
    return this.clusters.get(name);
  }

  inState(...states: ClusterState[]): string[] {
    return this.order.filter((n) => states.includes(this.clusters.get(n)?.state ?? 'Pending'));
  }

  counts(): Record<ClusterState, number> {
    const out = Object.fromEntries(CLUSTER_STATES.map((s) => [s, 0])) as Record<
      ClusterState,
      number
    >;
    for (const n of this.order) out[this.clusters.get(n)?.state ?? 'Pending']++;
    return out;
  }

  /** Freezes the cluster list (validated once, never re-read) with every cluster Pending on the source. */
  setClusters(names: string[], sourceHub: string): void {
    const now = new Date().toISOString();
    this.order = [...names];
    this.index.clear();
    this.order.forEach((n, i) => this.index.set(n, i));
    for (const n of names)
      if (!this.clusters.has(n))
        this.clusters.set(n, { state: 'Pending', hub: sourceHub, updated: now });
    for (let i = 0; i < Math.ceil(names.length / SHARD_SIZE); i++) this.dirtyShards.add(i);
    this.markDirty();
  }

  update(name: string, change: Partial<Omit<ClusterProgress, 'updated'>>): void {
    const cur = this.clusters.get(name);
    if (!cur) return;
    const next = { ...cur, ...change, updated: new Date().toISOString() };
    if (change.error === undefined && 'error' in change) delete next.error;
    if (cur.state === 'Pending' && next.state !== 'Pending' && !next.started)
      next.started = next.updated;
    this.clusters.set(name, next);
    const i = this.index.get(name);
    if (i !== undefined) this.dirtyShards.add(Math.floor(i / SHARD_SIZE));
    this.markDirty();
  }

  private markDirty(): void {
    this.dirty = true;
    // While clusters change, what is persisted lags by at most a second.
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush().catch(() => this.markDirty());
    }, 1000);
  }

  /** Writes everything now (phase transitions call this before moving on). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (!this.dirty) return;
    this.dirty = false;
    const shards = [...this.dirtyShards];
    this.dirtyShards.clear();
    this.flushing = this.write(shards).finally(() => (this.flushing = undefined));
    try {
      await this.flushing;
    } catch (e) {
      this.dirty = true;
      for (const i of shards) this.dirtyShards.add(i);
      throw e;
    }
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async write(dirtyShards: number[]): Promise<void> {
    const m = this.migration;
    const ns = m.metadata.namespace!;
    const owner = [
      {
        apiVersion: m.apiVersion ?? 'global-hub.open-cluster-management.io/v1alpha1',
        kind: 'ManagedClusterMigration',
        name: m.metadata.name,
        uid: m.metadata.uid!,
      },
    ];
    const success = this.inState('Registered', 'Cleaned');
    const failure = this.inState('Failed', 'RolledBack', 'RollingBack');
    const shards = Math.ceil(this.order.length / SHARD_SIZE);
    // A shard is written when one of its clusters changed; with 1,000 per shard, rewriting them
    // all every second while a few clusters move was most of the engine's global-hub traffic.
    for (const i of dirtyShards.filter((d) => d < shards).sort((a, b) => a - b)) {
      const packed: Record<string, Packed> = {};
      for (const n of this.order.slice(i * SHARD_SIZE, (i + 1) * SHARD_SIZE)) {
        const c = this.clusters.get(n)!;
        packed[n] = c.error
          ? [c.state, c.hub, c.updated, c.started, c.error]
          : c.started
            ? [c.state, c.hub, c.updated, c.started]
            : [c.state, c.hub, c.updated];
      }
      await this.upsert(shardName(m.metadata.name, i), ns, owner, {
        'clusters.json': JSON.stringify(packed),
      });
    }
    await this.upsert(m.metadata.name, ns, owner, {
      'all-clusters': JSON.stringify(this.order),
      success: JSON.stringify(success),
      failure: JSON.stringify(failure),
      shards: String(shards),
      counts: JSON.stringify(this.counts()),
    });
  }

  private async upsert(
    name: string,
    namespace: string,
    ownerReferences: NonNullable<KubeObject['metadata']['ownerReferences']>,
    data: Record<string, string>,
  ): Promise<void> {
    const body: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name,
        namespace,
        ownerReferences,
        labels: { [LABEL.owner]: this.migration.metadata.name },
      },
      data,
    };
    // Unconditional replace first (this process is the only writer, the leader, of its
    // migration's progress): after the first flush the ConfigMaps exist, and a create that
    // fails followed by a read of the old one cost two more calls each time.
    try {
      await this.global.replace(R.configMap, body);
    } catch (e) {
      if (!(e instanceof HubError && e.notFound)) throw e;
      const { created } = await this.global.createIfAbsent(R.configMap, body);
      if (!created) await this.global.replace(R.configMap, body);
    }
  }
}

/** A JSON array of names from a ConfigMap value; nothing when absent or unreadable. */
export function parseNames(text: string | undefined): string[] {
  if (!text) return [];
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
}
