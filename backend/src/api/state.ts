// The migrations as the API sees them: watched on the global hub (never polled), with each
// migration's per-cluster rows read from its progress ConfigMaps. Listeners get the changes in
// order: a migration added, changed or deleted, and the cluster rows that changed. It works the
// same whether this process's engine or another controller drives the migrations.
import type { HubClient, KubeObject } from '../hubs/hub-client.js';
import type { ChangeType } from '../hubs/informer.js';
import { Informer } from '../hubs/informer.js';
import { R } from '../hubs/resources.js';
import type { Logger } from '../log.js';
import type { Migration } from '../engine/types.js';
import { parseNames } from '../engine/progress.js';
import { LABEL, PLAN } from '../engine/types.js';
import type { ClusterRow, ClusterState, MigrationSummary } from './contract.js';
import type { ProgressView } from './views.js';
import { CLUSTER_STATES, keyOf, summarize } from './views.js';

export type StateChange =
  | { kind: 'migration'; type: ChangeType; namespace: string; summary: MigrationSummary }
  | { kind: 'clusters'; namespace: string; migration: string; rows: ClusterRow[] };

type Packed = [string, string, string, string?, string?];

interface Progress extends ProgressView {
  /** Rows by shard ConfigMap, to tell which changed. */
  shards: Map<string, Set<string>>;
}

export class MigrationState {
  private readonly migrationInformers: Informer[];
  private readonly progressInformers: Informer[];
  private readonly progress = new Map<string, Progress>();
  private readonly summaries = new Map<string, MigrationSummary>();
  private readonly listeners = new Set<(c: StateChange) => void>();

  constructor(
    global: HubClient,
    /** Namespaces whose migrations the API shows. */
    readonly namespaces: readonly string[],
    private readonly log: Logger,
  ) {
    this.migrationInformers = namespaces.map(
      (namespace) => new Informer(global, R.migration, log, { namespace }),
    );
    this.progressInformers = namespaces.map(
      (namespace) =>
        new Informer(global, R.configMap, log, { namespace, labelSelector: LABEL.owner }),
    );
    for (const inf of this.progressInformers)
      inf.onChange((type, cm) => this.onConfigMap(type, cm));
    for (const inf of this.migrationInformers)
      inf.onChange((type, m) => this.onMigration(type, m as Migration));
  }

  start(): void {
    // Progress first, so a migration's first summary already has its counts.
    for (const i of this.progressInformers) i.start();
    for (const i of this.migrationInformers) i.start();
  }

  stop(): void {
    for (const i of [...this.progressInformers, ...this.migrationInformers]) i.stop();
  }

  async synced(): Promise<void> {
    await Promise.all(
      [...this.progressInformers, ...this.migrationInformers].map((i) => i.synced()),
    );
  }

  get ready(): boolean {
    return [...this.progressInformers, ...this.migrationInformers].every((i) => i.ready);
  }

  onChange(listener: (c: StateChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(c: StateChange): void {
    for (const l of this.listeners) {
      try {
        l(c);
      } catch (e) {
        this.log.error('state listener failed', { error: e });
      }
    }
  }

  // ---- reads -------------------------------------------------------------------------------

  migrations(namespace?: string): Migration[] {
    const infs = namespace
      ? this.migrationInformers.filter((_, i) => this.namespaces[i] === namespace)
      : this.migrationInformers;
    return infs.flatMap((i) => i.list() as Migration[]);
  }

  migration(namespace: string, name: string): Migration | undefined {
    const i = this.namespaces.indexOf(namespace);
    return i < 0
      ? undefined
      : (this.migrationInformers[i].get(name, namespace) as Migration | undefined);
  }

  progressOf(namespace: string, name: string): ProgressView | undefined {
    return this.progress.get(`${namespace}/${name}`);
  }

  rows(namespace: string, name: string): ClusterRow[] {
    const p = this.progress.get(`${namespace}/${name}`);
    if (!p) return [];
    return p.order.map((n) => p.rows.get(n) ?? pendingRow(n));
  }

  summary(namespace: string, name: string): MigrationSummary | undefined {
    const m = this.migration(namespace, name);
    return m ? this.summarize(m) : undefined;
  }

  summarize(m: Migration): MigrationSummary {
    return summarize(
      m,
      this.progressOf(m.metadata.namespace ?? '', m.metadata.name),
      this.migrations(m.metadata.namespace),
    );
  }

  // ---- changes -----------------------------------------------------------------------------

  private onMigration(type: ChangeType, m: Migration): void {
    const key = keyOf(m);
    const namespace = m.metadata.namespace ?? '';
    if (type === 'DELETED') {
      const last = this.summaries.get(key) ?? this.summarize(m);
      this.summaries.delete(key);
      this.progress.delete(key);
      this.emit({ kind: 'migration', type, namespace, summary: last });
      // Later batches of its plan may have stopped waiting on it.
      this.refreshSiblings(m);
      return;
    }
    this.publishSummary(m, type);
    this.refreshSiblings(m);
  }

  /** A batch's change can change what its plan's other batches wait for. */
  private refreshSiblings(m: Migration): void {
    const plan = m.metadata.labels?.[PLAN.label];
    if (!plan) return;
    for (const o of this.migrations(m.metadata.namespace))
      if (o.metadata.uid !== m.metadata.uid && o.metadata.labels?.[PLAN.label] === plan)
        this.publishSummary(o, 'MODIFIED');
  }

  private publishSummary(m: Migration, type: ChangeType): void {
    const key = keyOf(m);
    const summary = this.summarize(m);
    const before = this.summaries.get(key);
    this.summaries.set(key, summary);
    if (type === 'MODIFIED' && before && JSON.stringify(before) === JSON.stringify(summary)) return;
    this.emit({
      kind: 'migration',
      type: before ? 'MODIFIED' : 'ADDED',
      namespace: m.metadata.namespace ?? '',
      summary,
    });
  }

  private onConfigMap(type: ChangeType, cm: KubeObject): void {
    const migration = cm.metadata.labels?.[LABEL.owner];
    const namespace = cm.metadata.namespace ?? '';
    if (!migration) return;
    const key = `${namespace}/${migration}`;
    const data = (cm.data ?? {}) as Record<string, string>;
    let p = this.progress.get(key);
    if (!p) {
      if (type === 'DELETED') return;
      p = { order: [], rows: new Map(), shards: new Map() };
      this.progress.set(key, p);
    }
    if ('clusters.json' in data || cm.metadata.name.startsWith(`${migration}-clusters-`)) {
      const changed = this.applyShard(
        p,
        cm.metadata.name,
        type === 'DELETED' ? {} : parsePacked(data['clusters.json']),
      );
      if (changed.length > 0) this.emit({ kind: 'clusters', namespace, migration, rows: changed });
    } else if (cm.metadata.name === migration && type !== 'DELETED') {
      const order = parseNames(data['all-clusters']);
      const added = order.filter((n) => !p.rows.has(n));
      p.order = order;
      if (added.length > 0)
        this.emit({ kind: 'clusters', namespace, migration, rows: added.map(pendingRow) });
    }
    const m = this.migration(namespace, migration);
    if (m) this.publishSummary(m, 'MODIFIED');
  }

  /** Replaces one shard's rows and returns those that changed. */
  private applyShard(p: Progress, shard: string, packed: Record<string, Packed>): ClusterRow[] {
    const changed: ClusterRow[] = [];
    const names = new Set(Object.keys(packed));
    for (const [name, [state, hub, updated, started, error]] of Object.entries(packed)) {
      const row: ClusterRow = {
        name,
        state: (CLUSTER_STATES as readonly string[]).includes(state)
          ? (state as ClusterState)
          : 'Pending',
        hub,
        updated,
        ...(started ? { started } : {}),
        ...(error ? { error } : {}),
      };
      const old = p.rows.get(name);
      if (
        !old ||
        old.state !== row.state ||
        old.hub !== row.hub ||
        old.error !== row.error ||
        old.updated !== row.updated
      ) {
        p.rows.set(name, row);
        changed.push(row);
      }
    }
    for (const name of p.shards.get(shard) ?? []) if (!names.has(name)) p.rows.delete(name);
    p.shards.set(shard, names);
    return changed;
  }
}

function pendingRow(name: string): ClusterRow {
  return { name, state: 'Pending', hub: '', updated: '' };
}

function parsePacked(text: string | undefined): Record<string, Packed> {
  if (!text) return {};
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null ? (v as Record<string, Packed>) : {};
  } catch {
    return {};
  }
}
