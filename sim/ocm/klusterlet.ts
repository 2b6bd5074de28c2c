// Simulated klusterlets: the agent of each managed cluster. Each one registers over HTTPS with a
// bootstrap kubeconfig (a CSR the hub approves), renews its lease, reports its status, applies
// its `<cluster>-klusterlet` ManifestWork (which brings new bootstrap kubeconfigs), and switches
// hubs as fleet-sim.md §2 describes when its hub stops accepting it.
//
// Like the real agents, which read their ManifestWorks and ManagedCluster through informers, a
// klusterlet does not poll: the fleet tells it when its ManifestWork or ManagedCluster changes on
// the hub it is joined to (notifyWork, notifyCluster: the watch events, delivered in-process), and
// it then reads and writes over HTTPS with its own credentials. Between changes it only renews
// its lease.
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
  /** Up to this much more, drawn at each join: the clusters of a fleet do not switch in step. */
  joinDelayJitterMs?: number;
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
  /**
   * The bootstrap kubeconfigs in the order this round of bootstrapping tries them: after a hub
   * rejected the agent, the other hubs' first (see startBootstrapping).
   */
  private candidates?: BootstrapConfig[];
  private csr?: { name: string; creds: HubCredentials; since: number; until: number };
  private failingSince?: number;
  /** The hub it is joined to no longer accepts it (its ManagedCluster says so). */
  private denied = false;
  /** When the lease is renewed next. */
  private leaseDue = 0;
  /** Set by a watch notification (or on joining): the ManagedCluster status needs a look. */
  private statusPending = true;
  /** Set by a watch notification (or on joining): the ManifestWork changed and needs applying. */
  private workPending = true;
  private appliedWorkRv?: string;
  /** uid and generation of the ManifestWork spec last applied: its own status writes are no news. */
  private appliedWork?: { uid: string; generation: number };
  /** The same while its status write is on the way (its event can come before the answer). */
  private applying?: { uid: string; generation: number };
  /** Name of the hub the agent is joined to (cached: notifications compare it for every event). */
  private joinedHub?: string;
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
    if (registered) this.join(registered, startedAt);
    this.leaseSeconds = env.defaultLeaseSeconds;
  }

  get currentHub(): string | undefined {
    return this.phase === 'joined' ? this.joinedHub : undefined;
  }

  private join(hub: HubCredentials, now: number): void {
    this.disk.hub = hub;
    this.phase = 'joined';
    this.joinedHub = this.env.hubName(hub.server);
    this.candidates = undefined;
    this.denied = false;
    this.resync(now);
  }

  /** Everything is looked at again on the next step: lease, status, work (after joining or a gap). */
  private resync(now: number): void {
    this.leaseDue = now;
    this.statusPending = true;
    this.workPending = true;
  }

  /** Runs the agent soon (a watch event arrived); the scheduler reschedules a busy agent itself. */
  private wake(): void {
    if (!this.busy) this.due = Math.min(this.due, Date.now());
  }

  /**
   * A watch event for the ManifestWork `<cluster>-klusterlet` on `hub`. Only a new spec is news to
   * the work agent: the status it wrote itself comes back as an event too.
   */
  notifyWork(hub: string, mw: KubeObject): void {
    if (this.currentHub !== hub || mw.metadata.name !== `${this.name}-klusterlet`) return;
    const seen = (w?: { uid: string; generation: number }) =>
      w?.uid === mw.metadata.uid && w?.generation === (mw.metadata.generation ?? 0);
    if (seen(this.appliedWork) || seen(this.applying)) return;
    this.workPending = true;
    this.wake();
  }

  /**
   * A watch event for this cluster's ManagedCluster on `hub`: report status again when the hub
   * changed the lease duration or shows conditions the agent does not hold (e.g. Unknown after a
   * lease gap); the agent's own status writes come back as events that need nothing.
   */
  notifyCluster(hub: string, mc: KubeObject): void {
    if (this.currentHub !== hub) return;
    // OCM's hub-accept controller: the agent watches its ManagedCluster and marks its connection
    // failed as soon as the hub stops accepting it, so the hub-connection timeout runs from that
    // moment rather than from its next heartbeat (up to a lease period later, a minute by default).
    if (isObject(mc.spec) && mc.spec.hubAcceptsClient === false) {
      if (!this.denied) {
        this.denied = true;
        this.wake();
      }
      return;
    }
    this.denied = false;
    const lease =
      isObject(mc.spec) && typeof mc.spec.leaseDurationSeconds === 'number'
        ? mc.spec.leaseDurationSeconds
        : undefined;
    const held =
      conditionIs(mc, 'ManagedClusterJoined', 'True') &&
      conditionIs(mc, 'ManagedClusterConditionAvailable', 'True');
    if (held && (lease === undefined || lease <= 0 || lease === this.leaseSeconds)) return;
    this.statusPending = true;
    this.wake();
  }

  get state(): Phase {
    return this.phase;
  }

  /** Joined, with its status reported and its work applied: nothing left to do but heartbeats. */
  get settled(): boolean {
    return this.phase === 'joined' && !this.statusPending && !this.workPending;
  }

  bootstrapSources(): string[] {
    return this.disk.bootstraps.map((b) => b.source);
  }

  /** A restart loses everything but what is on disk; a registered agent resumes with its credentials. */
  restart(): void {
    if (this.phase === 'stopped') return;
    this.csr = undefined;
    this.failingSince = undefined;
    this.denied = false;
    this.appliedWorkRv = undefined;
    this.appliedWork = undefined;
    this.candidates = undefined;
    const now = Date.now();
    if (this.disk.hub) this.join(this.disk.hub, now);
    else this.phase = 'bootstrapping';
    this.due = now + 200;
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
      // Back up, the agent renews its lease and reports its status at once (the hub may have
      // marked it Unknown meanwhile, and the events of that time went to a dead agent).
      this.resync(now);
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

  /** A joined agent's step: renew the lease when due, then whatever the watches flagged. */
  private async heartbeat(now: number, period: number): Promise<number> {
    const hub = this.disk.hub!;
    if (this.denied) return this.heartbeatFailed(now, period, true);
    if (now >= this.leaseDue) {
      const failed = await this.renewLease(hub, now, period);
      if (failed !== undefined) return failed;
    }
    if (now < this.joinedAt) return Math.max(0, this.joinedAt - now);
    // Each flag is cleared before its read, so that a change notified meanwhile is not lost,
    // and set again when the read or write did not go through (also on a transport error).
    if (this.statusPending) {
      this.statusPending = false;
      let ok = false;
      try {
        ok = await this.reportStatus(hub);
      } finally {
        if (!ok) this.statusPending = true;
      }
    }
    if (this.workPending) {
      this.workPending = false;
      let ok = false;
      try {
        ok = await this.syncWork(hub);
      } finally {
        if (!ok) this.workPending = true;
      }
    }
    // A notification that came in while this step ran is served at once (a denial too: its wake
    // found the agent busy, and waiting for the next renewal would defeat it); a write that
    // failed waits for the next lease renewal.
    if (this.denied) return 0;
    const wanted = this.workPending || this.statusPending;
    const end = Date.now();
    return wanted && end < this.leaseDue - period / 2 ? 0 : Math.max(0, this.leaseDue - end);
  }

  /** Renews the lease; returns the next delay when that failed (undefined when it worked). */
  private async renewLease(
    hub: HubCredentials,
    now: number,
    period: number,
  ): Promise<number | undefined> {
    const leasePath = `/apis/coordination.k8s.io/v1/namespaces/${this.name}/leases/${LEASE_NAME}`;
    const spec = {
      renewTime: microTime(now),
      leaseDurationSeconds: this.leaseSeconds,
      holderIdentity: `${this.name}-klusterlet`,
    };
    let r = await this.call(hub, 'PATCH', leasePath, { spec }, 'application/merge-patch+json');
    if (r.status === 404) {
      r = await this.call(
        hub,
        'POST',
        `/apis/coordination.k8s.io/v1/namespaces/${this.name}/leases`,
        {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: LEASE_NAME, namespace: this.name },
          spec,
        },
      );
    }
    if (r.status >= 300)
      return this.heartbeatFailed(now, period, r.status === 401 || r.status === 403);
    // Reconnected after failures: report status and look at the work again.
    if (this.failingSince !== undefined) this.resync(now);
    this.failingSince = undefined;
    this.leaseDue = now + period;
    if (now >= this.joinedAt)
      this.env.truth.setRegistered(this.name, this.joinedHub ?? hub.server, now);
    return undefined;
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
      this.failingSince = undefined;
      this.startBootstrapping(this.disk.hub?.server);
      return 0;
    }
    return Math.min(period, 1000);
  }

  /**
   * Starts a round of bootstrapping. After the hub at `leaving` stopped taking the agent, the
   * bootstrap kubeconfigs of other hubs go first and that hub's own last, as a klusterlet with
   * several bootstrap kubeconfigs reselects one other than the hub that denied it (the OCM
   * MultipleHubs agent): asking the denying hub first only bought a CSR it would not approve and
   * a wait for it, twice the hub-connection timeout. Its own stay in the list, so an agent that
   * no other hub takes comes back when that hub accepts it again (a rollback).
   */
  private startBootstrapping(leaving?: string): void {
    this.phase = 'bootstrapping';
    this.nextBootstrap = 0;
    this.joinedHub = undefined;
    const origin = (server: string | undefined) => {
      try {
        return server ? new URL(server).origin : undefined;
      } catch {
        return undefined;
      }
    };
    const left = origin(leaving);
    if (!left) {
      this.candidates = undefined;
      return;
    }
    const same = (b: BootstrapConfig) =>
      origin(credentialsFromKubeconfig(b.kubeconfig)?.server) === left;
    this.candidates = [
      ...this.disk.bootstraps.filter((b) => !same(b)),
      ...this.disk.bootstraps.filter(same),
    ];
  }

  /** Reads the ManagedCluster and sets the agent's conditions on it; false when that failed. */
  private async reportStatus(hub: HubCredentials): Promise<boolean> {
    const path = `/apis/cluster.open-cluster-management.io/v1/managedclusters/${this.name}`;
    const r = await this.call(hub, 'GET', path);
    if (r.status !== 200 || !isObject(r.body)) return false;
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
    if (!changed) return true;
    const w = await this.call(hub, 'PUT', `${path}/status`, {
      ...mc,
      status: { ...status, conditions },
    });
    return w.status < 300;
  }

  /** The work agent: apply the klusterlet ManifestWork (keep its bootstrap secrets) and mark it Applied. */
  private async syncWork(hub: HubCredentials): Promise<boolean> {
    const path = `/apis/work.open-cluster-management.io/v1/namespaces/${this.name}/manifestworks/${this.name}-klusterlet`;
    const r = await this.call(hub, 'GET', path);
    // No work (yet): the watch says when there is one.
    if (r.status === 404) return true;
    if (r.status !== 200 || !isObject(r.body)) return false;
    const mw = r.body as KubeObject;
    if (mw.metadata.resourceVersion === this.appliedWorkRv) return true;
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
    const work = { uid: mw.metadata.uid ?? '', generation: mw.metadata.generation ?? 0 };
    this.applying = work;
    try {
      const w = await this.call(hub, 'PUT', `${path}/status`, { ...mw, status });
      if (w.status !== 200) return false;
      this.appliedWorkRv = (w.body as KubeObject).metadata.resourceVersion;
      this.appliedWork = work;
      return true;
    } finally {
      this.applying = undefined;
    }
  }

  /** Try the next bootstrap kubeconfig: make sure the ManagedCluster exists, then ask with a CSR. */
  private async bootstrap(now: number): Promise<number> {
    const configs = this.candidates ?? this.disk.bootstraps;
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
      this.csr = undefined;
      this.appliedWorkRv = undefined;
      this.appliedWork = undefined;
      const delay =
        (this.faults.joinDelayMs ?? 0) + Math.random() * (this.faults.joinDelayJitterMs ?? 0);
      this.joinedAt = now + delay;
      this.join(
        {
          server: pending.creds.server,
          ca: pending.creds.ca,
          token: Buffer.from(cert, 'base64').toString('utf8'),
        },
        this.joinedAt,
      );
      return delay;
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

function conditionIs(obj: KubeObject, type: string, status: string): boolean {
  const list =
    isObject(obj.status) && Array.isArray(obj.status.conditions) ? obj.status.conditions : [];
  return list.some((c) => isObject(c) && c.type === type && c.status === status);
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
