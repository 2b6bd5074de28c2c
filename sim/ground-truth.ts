// What really happened to every simulated managed cluster, independent of what any hub's API
// says: the hubs it is registered to, how long it was unmanaged, and whether it or its host was
// ever destroyed. Tests check the product's invariants against this record.

export interface DestructionRecord {
  cluster: string;
  hub: string;
  /** `cluster-destroyed`: a ClusterDeployment was deprovisioned; `host-wiped`: a BareMetalHost was deprovisioned. */
  kind: 'cluster-destroyed' | 'host-wiped';
  object: string;
  at: string;
}

export interface AvailabilityChange {
  at: string;
  /** The hub the cluster's klusterlet is registered to and heartbeating, or null when none. */
  hub: string | null;
}

export interface ClusterTruth {
  name: string;
  /** The hub the klusterlet is registered to now (its heartbeats succeed there), or null. */
  registeredTo: string | null;
  /** Total milliseconds the cluster spent with no hub managing it, after it first joined. */
  unmanagedMs: number;
  destroyed: boolean;
  hostWiped: boolean;
  history: AvailabilityChange[];
}

export class GroundTruth {
  private readonly clusters = new Map<
    string,
    {
      registeredTo: string | null;
      since: number;
      unmanagedMs: number;
      everJoined: boolean;
      history: AvailabilityChange[];
    }
  >();
  readonly destructions: DestructionRecord[] = [];

  /** Called by a klusterlet when the hub it is registered to changes (null: it lost its hub). */
  setRegistered(cluster: string, hub: string | null, now = Date.now()): void {
    let c = this.clusters.get(cluster);
    if (!c) {
      c = { registeredTo: null, since: now, unmanagedMs: 0, everJoined: false, history: [] };
      this.clusters.set(cluster, c);
    }
    if (c.registeredTo === hub) return;
    if (c.registeredTo === null && c.everJoined) c.unmanagedMs += now - c.since;
    if (hub !== null) c.everJoined = true;
    c.registeredTo = hub;
    c.since = now;
    c.history.push({ at: new Date(now).toISOString(), hub });
  }

  recordDestruction(record: Omit<DestructionRecord, 'at'>): void {
    this.destructions.push({ ...record, at: new Date().toISOString() });
  }

  cluster(name: string, now = Date.now()): ClusterTruth {
    const c = this.clusters.get(name);
    const destroyed = this.destructions.some(
      (d) => d.cluster === name && d.kind === 'cluster-destroyed',
    );
    const hostWiped = this.destructions.some((d) => d.cluster === name && d.kind === 'host-wiped');
    if (!c) return { name, registeredTo: null, unmanagedMs: 0, destroyed, hostWiped, history: [] };
    const open = c.registeredTo === null && c.everJoined ? now - c.since : 0;
    return {
      name,
      registeredTo: c.registeredTo,
      unmanagedMs: c.unmanagedMs + open,
      destroyed,
      hostWiped,
      history: [...c.history],
    };
  }

  all(now = Date.now()): ClusterTruth[] {
    return [...this.clusters.keys()].sort().map((n) => this.cluster(n, now));
  }
}
