// What the wizard needs to know of each hub: its managed clusters (watched, so thousands are
// served from memory and stay current), which of them are ZTP and still provisioning (read on
// demand, briefly cached), its Placements, and which clusters a label selector would pick.
import { isTerminal } from '../engine/types.js';
import type { Migration } from '../engine/types.js';
import { listOrEmpty, unfinishedZtp } from '../engine/validation.js';
import type { HubClient, KubeObject } from '../hubs/hub-client.js';
import { Informer } from '../hubs/informer.js';
import type { HubInfo, HubRegistry } from '../hubs/registry.js';
import { R } from '../hubs/resources.js';
import type { Logger } from '../log.js';
import type {
  ClusterAvailability,
  Hub,
  HubCluster,
  LabelSelector,
  PlacementPreview,
  PlacementPreviewRequest,
  PlacementSummary,
} from './contract.js';
import { ApiFailure } from './errors.js';
import { describeSelector, matches } from './selectors.js';

const CLUSTER_SET_LABEL = 'cluster.open-cluster-management.io/clusterset';
const DEPLOY_MODE_ANNOTATION = 'import.open-cluster-management.io/klusterlet-deploy-mode';
const HUB_ANNOTATION = 'addon.open-cluster-management.io/on-multicluster-hub';
const HUBS_TTL_MS = 5000;
const ZTP_TTL_MS = 10_000;

interface ZtpFacts {
  /** cluster → still-provisioning reasons ([] when done) */
  clusters: Map<string, string[]>;
  at: number;
}

export function availabilityOf(mc: KubeObject | undefined): ClusterAvailability {
  const conds = (mc?.status as { conditions?: { type: string; status: string }[] } | undefined)
    ?.conditions;
  const s = conds?.find((c) => c.type === 'ManagedClusterConditionAvailable')?.status;
  return s === 'True' || s === 'False' ? s : 'Unknown';
}

export class HubInventory {
  private readonly clusters = new Map<string, Informer>();
  private readonly ztp = new Map<string, Promise<ZtpFacts>>();
  private hubs?: { at: number; infos: Promise<HubInfo[]> };

  constructor(
    private readonly registry: HubRegistry,
    private readonly log: Logger,
    private readonly migrations: () => Migration[],
  ) {}

  stop(): void {
    for (const i of this.clusters.values()) i.stop();
  }

  /** The hubs, refreshed at most every few seconds however many browsers ask. */
  private hubInfos(): Promise<HubInfo[]> {
    if (!this.hubs || Date.now() - this.hubs.at > HUBS_TTL_MS) {
      const infos = this.registry.refresh();
      this.hubs = { at: Date.now(), infos };
      infos.catch(() => (this.hubs = undefined));
    }
    return this.hubs.infos;
  }

  async listHubs(): Promise<Hub[]> {
    const infos = await this.hubInfos();
    return Promise.all(
      infos.map(async (info) => {
        const hub: Hub = {
          name: info.name,
          available: info.available,
          connected: info.connected,
          ...(info.reason ? { reason: info.reason } : {}),
          ...(info.acmVersion ? { acmVersion: info.acmVersion } : {}),
          ...(info.mceVersion ? { mceVersion: info.mceVersion } : {}),
          components: info.components,
          isGlobalHub: info.name === this.registry.global.name,
          checkedAt: info.checkedAt,
        };
        if (info.connected) {
          try {
            const mcs = await this.managedClusters(info.name, 3000);
            hub.clusterCount = mcs.length;
            hub.availableClusterCount = mcs.filter((m) => availabilityOf(m) === 'True').length;
          } catch (e) {
            this.log.debug('cluster count unavailable', { hub: info.name, error: e });
          }
        }
        return hub;
      }),
    );
  }

  /** A hub that exists and can be reached, or a 404/503 that says why. */
  async client(hub: string): Promise<HubClient> {
    const infos = await this.hubInfos();
    const info = infos.find((h) => h.name === hub);
    if (!info)
      throw new ApiFailure(404, 'NotFound', `Hub ${hub} is not a managed hub of the global hub.`);
    if (!info.connected)
      throw new ApiFailure(
        503,
        'Unavailable',
        `Hub ${hub} cannot be reached: ${info.reason ?? 'not connected'}.`,
      );
    return this.registry.client(hub);
  }

  /** The hub's ManagedClusters from a watch (started on first use; waits up to `waitMs` for it). */
  async managedClusters(hub: string, waitMs = 15_000): Promise<KubeObject[]> {
    let inf = this.clusters.get(hub);
    if (!inf) {
      const client = await this.client(hub);
      inf = new Informer(client, R.managedCluster, this.log);
      this.clusters.set(hub, inf);
      inf.start();
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new ApiFailure(
              503,
              'Unavailable',
              `Hub ${hub} did not list its clusters in time; try again.`,
            ),
          ),
        waitMs,
      );
    });
    try {
      await Promise.race([inf.synced(), timeout]);
    } finally {
      clearTimeout(timer);
    }
    return inf.list();
  }

  private async ztpFacts(hub: string): Promise<ZtpFacts> {
    const cached = this.ztp.get(hub);
    if (cached) {
      const facts = await cached;
      if (Date.now() - facts.at < ZTP_TTL_MS) return facts;
    }
    const next = (async (): Promise<ZtpFacts> => {
      const client = await this.client(hub);
      const [cds, icis, cis] = await Promise.all([
        listOrEmpty(client, R.clusterDeployment),
        listOrEmpty(client, R.imageClusterInstall),
        listOrEmpty(client, R.clusterInstance),
      ]);
      const icisBy = new Map(icis.map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, o]));
      const cisBy = new Map<string, KubeObject[]>();
      for (const ci of cis) {
        const cluster =
          (ci.spec as { clusterName?: string } | undefined)?.clusterName ??
          ci.metadata.namespace ??
          '';
        cisBy.set(cluster, [...(cisBy.get(cluster) ?? []), ci]);
      }
      const clusters = new Map<string, string[]>();
      for (const cd of cds) {
        const name = cd.metadata.name;
        if (cd.metadata.namespace !== name) continue;
        clusters.set(
          name,
          unfinishedZtp(name, cd, icisBy.get(`${name}/${name}`), cisBy.get(name) ?? []),
        );
      }
      for (const [name, list] of cisBy)
        if (!clusters.has(name))
          clusters.set(
            name,
            list.some((ci) => !ciCompleted(ci)) ? [`ClusterInstance ${name} is not Completed`] : [],
          );
      return { clusters, at: Date.now() };
    })();
    this.ztp.set(hub, next);
    next.catch(() => this.ztp.delete(hub));
    return next;
  }

  /** Every cluster of a hub as the wizard shows it. */
  async hubClusters(hub: string): Promise<HubCluster[]> {
    const [mcs, ztp] = await Promise.all([this.managedClusters(hub), this.ztpFacts(hub)]);
    const inMigration = new Map<string, string>();
    for (const m of this.migrations()) {
      if (m.spec.from !== hub || isTerminal(m.status?.phase)) continue;
      for (const c of m.spec.includedManagedClusters ?? []) inMigration.set(c, m.metadata.name);
    }
    return mcs.map((mc) => {
      const name = mc.metadata.name;
      const labels = mc.metadata.labels ?? {};
      const unfinished = ztp.clusters.get(name);
      const out: HubCluster = {
        name,
        available: availabilityOf(mc),
        labels,
        ztp: unfinished !== undefined,
        provisioning: (unfinished?.length ?? 0) > 0,
      };
      if (labels[CLUSTER_SET_LABEL]) out.clusterSet = labels[CLUSTER_SET_LABEL];
      const migration = inMigration.get(name);
      if (migration) out.migration = migration;
      const why = notMigratable(mc);
      if (why) out.notMigratable = why;
      if (mc.metadata.creationTimestamp)
        out.createdAt = new Date(mc.metadata.creationTimestamp).toISOString();
      return out;
    });
  }

  async placements(hub: string): Promise<PlacementSummary[]> {
    const client = await this.client(hub);
    const [placements, decisions] = await Promise.all([
      listOrEmpty(client, R.placement),
      listOrEmpty(client, R.placementDecision),
    ]);
    const decided = new Map<string, number>();
    for (const d of decisions) {
      const p = d.metadata.labels?.['cluster.open-cluster-management.io/placement'];
      if (!p) continue;
      const k = `${d.metadata.namespace}/${p}`;
      const n = ((d.status as { decisions?: unknown[] } | undefined)?.decisions ?? []).length;
      decided.set(k, (decided.get(k) ?? 0) + n);
    }
    return placements
      .map((p) => {
        const spec = (p.spec ?? {}) as {
          clusterSets?: string[];
          numberOfClusters?: number;
          predicates?: { requiredClusterSelector?: { labelSelector?: LabelSelector } }[];
        };
        const selectors = (spec.predicates ?? []).map(
          (x) => x.requiredClusterSelector?.labelSelector ?? {},
        );
        return {
          namespace: p.metadata.namespace ?? '',
          name: p.metadata.name,
          clusterSets: spec.clusterSets ?? [],
          ...(spec.numberOfClusters !== undefined
            ? { numberOfClusters: spec.numberOfClusters }
            : {}),
          decided: decided.get(`${p.metadata.namespace}/${p.metadata.name}`) ?? 0,
          description: selectors.length
            ? selectors.map(describeSelector).join(' or ')
            : 'every cluster',
        };
      })
      .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  }

  async preview(hub: string, req: PlacementPreviewRequest): Promise<PlacementPreview> {
    const mcs = (await this.managedClusters(hub)).filter((mc) => !notMigratable(mc));
    const sets = req.clusterSets ?? [];
    const matched: string[] = [];
    const notMatched: string[] = [];
    for (const mc of [...mcs].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) {
      const labels = mc.metadata.labels ?? {};
      const inSet = sets.length === 0 || sets.includes(labels[CLUSTER_SET_LABEL] ?? '');
      const ok = inSet && (!req.labelSelector || matches(req.labelSelector, labels));
      const limitReached =
        req.numberOfClusters !== undefined && matched.length >= req.numberOfClusters;
      (ok && !limitReached ? matched : notMatched).push(mc.metadata.name);
    }
    const out: PlacementPreview = {
      matched: matched.length,
      total: mcs.length,
      matchedNames: matched.slice(0, 1000),
      notMatchedNames: notMatched.slice(0, 1000),
    };
    if (mcs.length > 0 && matched.length === mcs.length)
      out.warning = 'This selection matches every cluster on the hub.';
    else if (matched.length === 0) out.warning = 'This selection matches no cluster.';
    return out;
  }
}

export function ciCompleted(ci: KubeObject): boolean {
  const conds =
    (ci.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ??
    [];
  return (
    conds.some((c) => c.type === 'Provisioned' && c.status === 'True') ||
    conds.some((c) => c.type === 'Completed' && c.status === 'True')
  );
}

/** Why a cluster can never be migrated, or undefined. */
export function notMigratable(mc: KubeObject): string | undefined {
  if (mc.metadata.name === 'local-cluster' || mc.metadata.labels?.['local-cluster'] === 'true')
    return 'It is the hub’s own cluster (local-cluster).';
  if (mc.metadata.annotations?.[DEPLOY_MODE_ANNOTATION] === 'Hosted')
    return 'It is imported in hosted mode.';
  if (mc.metadata.annotations?.[HUB_ANNOTATION] === 'true') return 'It is itself an ACM hub.';
  return undefined;
}
