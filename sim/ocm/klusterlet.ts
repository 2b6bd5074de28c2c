// Simulated klusterlets: the agent of each managed cluster. Each one registers over HTTPS with a
// bootstrap kubeconfig (a CSR the hub approves), renews its lease, reports its status, applies
// its `<cluster>-klusterlet` ManifestWork (which brings new bootstrap kubeconfigs), and switches
// hubs as fleet-sim.md §2 describes when its hub stops accepting it.
import { randomBytes } from 'node:crypto';
import type { KubeObject } from '../apiserver/types.js';
import { isObject, kubeTime, text } from '../apiserver/types.js';
import type { GroundTruth } from '../ground-truth.js';
import type { HubClient, HubCredentials } from './hub-client.js';
import { credentialsFromKubeconfig } from './hub-client.js';
import {
  CLUSTER_NAME_LABEL,
  DEFAULT_HUB_CONNECTION_TIMEOUT_SECONDS,
  LEASE_NAME,
  withCondition,
} from './registration.js';

export interface BootstrapConfig {
  /** Where it came from: `original` (the import secret the cluster started with) or a Secret name. */
  source: string;
  kubeconfig: string;
}

export interface KlusterletFaults {
  /** Hub names this cluster cannot reach (connections fail as if refused). */
  unreachableHubs?: string[];
  /** Extra delay before a newly issued credential is used (a slow join). */
  joinDelayMs?: number;
  /** Alternate up/down periods: while down the agent does nothing at all. */
  flapping?: { upMs: number; downMs: number };
}

export interface KlusterletEnv {
  client: HubClient;
  truth: GroundTruth;
  /** Maps a hub URL to its name, for the ground truth and reachability faults. */
  hubName(server: string): string | undefined;
  /** Heartbeat period when the ManagedCluster does not say (spec.leaseDurationSeconds). */
  defaultLeaseSeconds: number;
  /** Multiplies the hub-connection timeout (scenario timings.hubConnectionTimeoutScale). */
  timeoutScale: number;
}

type Phase = 'bootstrapping' | 'awaiting-csr' | 'joined' | 'stopped';

/** What a real klusterlet keeps on disk across restarts: its hub credentials and bootstrap secrets. */
interface Disk {
  hub?: HubCredentials;
  bootstraps: BootstrapConfig[];
  hubConnectionTimeoutSeconds: number;
}

export class Klusterlet {
  private phase: Phase = 'bootstrapping';
  private readonly disk: Disk;
  private nextBootstrap = 0;
  private csr?: { name: string; creds: HubCredentials; since: number; until: number };
  private failingSince?: number;
  private tick = 0;
  private appliedWorkRv?: string;
  private joinedAt = 0;
  private leaseSeconds: number;
  destroyed = false;
  /** When the scheduler should run this agent next. */
  due = 0;
  busy = false;

  constructor(
    readonly name: string,
    original: string,
    private readonly env: KlusterletEnv,
    public faults: KlusterletFaults = {},
    /** Credentials of a cluster already registered when the simulation starts. */
    registered?: HubCredentials,
    private readonly startedAt = Date.now(),
  ) {
    this.disk = {
      bootstraps: [{ source: 'original', kubeconfig: original }],
      hubConnectionTimeoutSeconds: DEFAULT_HUB_CONNECTION_TIMEOUT_SECONDS,
      hub: registered,
    };
    if (registered) this.phase = 'joined';
    this.leaseSeconds = env.defaultLeaseSeconds;
  }

  get currentHub(): string | undefined {
    return this.phase === 'joined' && this.disk.hub
      ? this.env.hubName(this.disk.hub.server)
      : undefined;
  }

  get state(): Phase {
    return this.phase;
  }

  bootstrapSources(): string[] {
    return this.disk.bootstraps.map((b) => b.source);
  }

  /** A restart loses everything but what is on disk; a registered agent resumes with its credentials. */
  restart(): void {
    if (this.phase === 'stopped') return;
    this.csr = undefined;
    this.failingSince = undefined;
    this.appliedWorkRv = undefined;
    this.tick = 0;
    this.phase = this.disk.hub ? 'joined' : 'bootstrapping';
    this.due = Date.now() + 200;
  }

  /** The cluster is gone (destroyed): the agent never talks to a hub again. */
  stop(): void {
    this.phase = 'stopped';
    this.env.truth.setRegistered(this.name, null);
  }

  private isDown(now: number): boolean {
    const f = this.faults.flapping;
    if (!f) return false;
    const cycle = (now - this.startedAt) % (f.upMs + f.downMs);
    return cycle >= f.upMs;
  }

  private reachable(creds: HubCredentials): boolean {
    const hub = this.env.hubName(creds.server);
    return !(hub && this.faults.unreachableHubs?.includes(hub));
  }

  private async call(
    creds: HubCredentials,
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
  ) {
    if (!this.reachable(creds)) throw new Error('connect ECONNREFUSED (simulated unreachable hub)');
    return this.env.client.request(creds, method, path, body, contentType);
  }

  /** One step of the agent; the scheduler calls it when `due`. Returns the delay until the next. */
  async step(now = Date.now()): Promise<number> {
    const period = this.leaseSeconds * 1000;
    if (this.phase === 'stopped') return 60_000;
    if (this.isDown(now)) {
      this.env.truth.setRegistered(this.name, null, now);
      // Back up, the agent reports its status at once (the hub may have marked it Unknown).
      this.tick = 0;
      return Math.min(period, 500);
    }
    try {
      switch (this.phase) {
        case 'joined':
          return await this.heartbeat(now, period);
        case 'awaiting-csr':
          return await this.checkCsr(now);
        case 'bootstrapping':
          return await this.bootstrap(now);
      }
    } catch {
      // A transport failure counts like any other failure to reach the hub.
      if (this.phase === 'joined') return this.heartbeatFailed(now, period, false);
      if (this.phase === 'awaiting-csr') this.phase = 'bootstrapping';
      return Math.min(period, 1000);
    }
    return period;
  }

  private async heartbeat(now: number, period: number): Promise<number> {
    const hub = this.disk.hub!;
    const leasePath = `/apis/coordination.k8s.io/v1/namespaces/${this.name}/leases/${LEASE_NAME}`;
    let r = await this.call(
      hub,
      'PATCH',
      leasePath,
      {
        spec: {
          renewTime: microTime(now),
          leaseDurationSeconds: this.leaseSeconds,
          holderIdentity: `${this.name}-klusterlet`,
        },
      },
      'application/merge-patch+json',
    );
    if (r.status === 404) {
      r = await this.call(
        hub,
        'POST',
        `/apis/coordination.k8s.io/v1/namespaces/${this.name}/leases`,
        {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: LEASE_NAME, namespace: this.name },
          spec: {
            renewTime: microTime(now),
            leaseDurationSeconds: this.leaseSeconds,
            holderIdentity: `${this.name}-klusterlet`,
          },
        },
      );
    }
    if (r.status >= 300)
      return this.heartbeatFailed(now, period, r.status === 401 || r.status === 403);
    // Reconnected after failures: report status on this heartbeat.
    if (this.failingSince !== undefined) this.tick = 0;
    this.failingSince = undefined;
    if (now >= this.joinedAt)
      this.env.truth.setRegistered(this.name, this.env.hubName(hub.server) ?? hub.server, now);
    // Status is reported on joining and then every few heartbeats; the work agent syncs in between.
    if (this.tick % 5 === 0) await this.reportStatus(hub);
    if (this.tick % 2 === 0) await this.syncWork(hub);
    this.tick++;
    return period;
  }

  private heartbeatFailed(now: number, period: number, rejected: boolean): number {
    this.failingSince ??= now;
    if (rejected) this.env.truth.setRegistered(this.name, null, now);
    else if (now - this.failingSince > period * 5)
      this.env.truth.setRegistered(this.name, null, now);
    if (
      now - this.failingSince >=
      this.disk.hubConnectionTimeoutSeconds * 1000 * this.env.timeoutScale
    ) {
      // The hub has not taken us for longer than the hub-connection timeout: bootstrap again,
      // trying every bootstrap kubeconfig we know (the current hub's included).
      this.env.truth.setRegistered(this.name, null, now);
      this.phase = 'bootstrapping';
      this.failingSince = undefined;
      this.nextBootstrap = 0;
      return 0;
    }
    return Math.min(period, 1000);
  }

  private async reportStatus(hub: HubCredentials): Promise<void> {
    const path = `/apis/cluster.open-cluster-management.io/v1/managedclusters/${this.name}`;
    const r = await this.call(hub, 'GET', path);
    if (r.status !== 200 || !isObject(r.body)) return;
    const mc = r.body as KubeObject;
    if (
      isObject(mc.spec) &&
      typeof mc.spec.leaseDurationSeconds === 'number' &&
      mc.spec.leaseDurationSeconds > 0
    )
      this.leaseSeconds = mc.spec.leaseDurationSeconds;
    const status = isObject(mc.status) ? mc.status : {};
    let conditions: unknown = status.conditions;
    let changed = false;
    for (const cond of [
      {
        type: 'ManagedClusterJoined',
        status: 'True' as const,
        reason: 'ManagedClusterJoined',
        message: 'Managed cluster joined',
      },
      {
        type: 'ManagedClusterConditionAvailable',
        status: 'True' as const,
        reason: 'ManagedClusterAvailable',
        message: 'Managed cluster is available',
      },
    ]) {
      const next = withCondition(conditions, cond);
      conditions = next.list;
      changed ||= next.changed;
    }
    if (changed)
      await this.call(hub, 'PUT', `${path}/status`, { ...mc, status: { ...status, conditions } });
  }

  /** The work agent: apply the klusterlet ManifestWork (keep its bootstrap secrets) and mark it Applied. */
  private async syncWork(hub: HubCredentials): Promise<void> {
    const path = `/apis/work.open-cluster-management.io/v1/namespaces/${this.name}/manifestworks/${this.name}-klusterlet`;
    const r = await this.call(hub, 'GET', path);
    if (r.status !== 200 || !isObject(r.body)) return;
    const mw = r.body as KubeObject;
    if (mw.metadata.resourceVersion === this.appliedWorkRv) return;
    const manifests =
      isObject(mw.spec) && isObject(mw.spec.workload) && Array.isArray(mw.spec.workload.manifests)
        ? mw.spec.workload.manifests.filter(isObject)
        : [];
    const learned: BootstrapConfig[] = [];
    for (const m of manifests) {
      if (
        m.kind === 'Secret' &&
        isObject(m.data) &&
        typeof m.data.kubeconfig === 'string' &&
        isObject(m.metadata)
      ) {
        learned.push({
          source: text(m.metadata.name),
          kubeconfig: Buffer.from(m.data.kubeconfig, 'base64').toString('utf8'),
        });
      }
      if (
        m.kind === 'Klusterlet' &&
        isObject(m.spec) &&
        isObject(m.spec.registrationConfiguration)
      ) {
        const boot = m.spec.registrationConfiguration.bootstrapKubeConfigs;
        const local =
          isObject(boot) && isObject(boot.localSecretsConfig) ? boot.localSecretsConfig : undefined;
        if (local && typeof local.hubConnectionTimeoutSeconds === 'number')
          this.disk.hubConnectionTimeoutSeconds = local.hubConnectionTimeoutSeconds;
      }
    }
    // Newly delivered bootstrap kubeconfigs come first; older ones stay so the agent can always
    // fall back to a hub that still accepts it (the original included).
    const merged = [...learned];
    for (const b of this.disk.bootstraps)
      if (!merged.some((m) => m.kubeconfig === b.kubeconfig)) merged.push(b);
    this.disk.bootstraps = merged.slice(0, 8);
    const now = kubeTime();
    const status = {
      conditions: [
        {
          type: 'Applied',
          status: 'True',
          reason: 'AppliedManifestWorkComplete',
          message: 'Apply manifest work complete',
          lastTransitionTime: now,
          observedGeneration: mw.metadata.generation,
        },
        {
          type: 'Available',
          status: 'True',
          reason: 'ResourcesAvailable',
          message: 'All resources are available',
          lastTransitionTime: now,
          observedGeneration: mw.metadata.generation,
        },
      ],
    };
    const w = await this.call(hub, 'PUT', `${path}/status`, { ...mw, status });
    if (w.status === 200) this.appliedWorkRv = (w.body as KubeObject).metadata.resourceVersion;
  }

  /** Try the next bootstrap kubeconfig: make sure the ManagedCluster exists, then ask with a CSR. */
  private async bootstrap(now: number): Promise<number> {
    const configs = this.disk.bootstraps;
    const config = configs[this.nextBootstrap % configs.length];
    this.nextBootstrap++;
    const creds = credentialsFromKubeconfig(config.kubeconfig);
    const retry = Math.min(this.leaseSeconds * 1000, 1000);
    if (!creds) return retry;
    const mcPath = `/apis/cluster.open-cluster-management.io/v1/managedclusters/${this.name}`;
    const got = await this.call(creds, 'GET', mcPath);
    if (got.status === 401 || got.status === 403) return retry;
    if (got.status === 404) {
      const created = await this.call(
        creds,
        'POST',
        '/apis/cluster.open-cluster-management.io/v1/managedclusters',
        {
          apiVersion: 'cluster.open-cluster-management.io/v1',
          kind: 'ManagedCluster',
          metadata: { name: this.name },
          spec: { hubAcceptsClient: false, leaseDurationSeconds: this.leaseSeconds },
        },
      );
      if (created.status >= 300 && created.status !== 409) return retry;
    } else if (got.status !== 200) return retry;
    const csr = await this.call(
      creds,
      'POST',
      '/apis/certificates.k8s.io/v1/certificatesigningrequests',
      {
        apiVersion: 'certificates.k8s.io/v1',
        kind: 'CertificateSigningRequest',
        metadata: { generateName: `${this.name}-`, labels: { [CLUSTER_NAME_LABEL]: this.name } },
        spec: {
          request: Buffer.from(`sim-csr:${this.name}:${randomBytes(8).toString('hex')}`).toString(
            'base64',
          ),
          signerName: 'kubernetes.io/kube-apiserver-client',
          usages: ['digital signature', 'key encipherment', 'client auth'],
        },
      },
    );
    if (csr.status !== 201 || !isObject(csr.body)) return retry;
    this.csr = {
      name: (csr.body as KubeObject).metadata.name!,
      creds,
      since: now,
      until: now + Math.max(3000, this.leaseSeconds * 3000),
    };
    this.phase = 'awaiting-csr';
    return 100;
  }

  private async checkCsr(now: number): Promise<number> {
    const pending = this.csr!;
    const r = await this.call(
      pending.creds,
      'GET',
      `/apis/certificates.k8s.io/v1/certificatesigningrequests/${pending.name}`,
    );
    const status =
      r.status === 200 && isObject(r.body) && isObject((r.body as KubeObject).status)
        ? ((r.body as KubeObject).status as Record<string, unknown>)
        : undefined;
    const cert = status ? text(status.certificate) : '';
    if (cert) {
      this.disk.hub = {
        server: pending.creds.server,
        ca: pending.creds.ca,
        token: Buffer.from(cert, 'base64').toString('utf8'),
      };
      this.csr = undefined;
      this.phase = 'joined';
      this.tick = 0;
      this.appliedWorkRv = undefined;
      this.joinedAt = now + (this.faults.joinDelayMs ?? 0);
      return this.faults.joinDelayMs ?? 0;
    }
    if (now > pending.until || r.status === 401 || r.status === 404) {
      // Not approved in time (the hub does not accept us): try the next bootstrap kubeconfig.
      this.csr = undefined;
      this.phase = 'bootstrapping';
      return 0;
    }
    // A hub's approver acts within moments of the request, so look again soon; a request still
    // pending after a second is one the hub is not approving (it does not accept us): ask less
    // often while it runs out (200 ms throughout cost 75 GETs per switch, most of a fleet's
    // CSR traffic).
    return now - pending.since < 1000
      ? 200
      : Math.min(1000, Math.max(200, pending.until - now + 1));
  }
}

function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

/**
 * Runs many klusterlets: each is stepped when due, with a cap on requests in flight so a large
 * fleet spreads its heartbeats instead of stampeding the hubs.
 */
export class KlusterletScheduler {
  readonly klusterlets = new Map<string, Klusterlet>();
  /** The agents in a fixed order, and where the next scan starts (see run). */
  private order: Klusterlet[] = [];
  private cursor = 0;
  private timer?: NodeJS.Timeout;
  private inFlight = 0;

  constructor(private readonly maxInFlight = 64) {}

  add(k: Klusterlet, firstDelayMs = Math.random() * 1000): void {
    k.due = Date.now() + firstDelayMs;
    const old = this.klusterlets.get(k.name);
    if (old) this.order[this.order.indexOf(old)] = k;
    else this.order.push(k);
    this.klusterlets.set(k.name, k);
  }

  start(intervalMs = 50): void {
    this.timer = setInterval(() => this.run(), intervalMs);
    this.timer.unref();
  }

  private run(): void {
    const now = Date.now();
    // Round robin: each scan goes on from where the last one stopped at the in-flight cap. Always
    // starting from the first agent starved the last ones of a fleet the hubs could not keep up
    // with (3,000 clusters: the tail never heartbeated and went Unknown).
    const n = this.order.length;
    for (let i = 0; i < n; i++) {
      if (this.inFlight >= this.maxInFlight) return;
      const k = this.order[this.cursor];
      this.cursor = (this.cursor + 1) % n;
      if (k.busy || k.due > now) continue;
      k.busy = true;
      this.inFlight++;
      void k
        .step(now)
        .then((delay) => {
          // A little jitter keeps thousands of agents from falling into lockstep.
          k.due = Date.now() + delay * (0.9 + Math.random() * 0.2);
        })
        .finally(() => {
          k.busy = false;
          this.inFlight--;
        });
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    for (const k of this.klusterlets.values()) k.due = Infinity;
  }
}
