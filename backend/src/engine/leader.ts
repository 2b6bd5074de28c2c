// Leader election on a coordination.k8s.io Lease: several BFF replicas may run, only the holder
// drives migrations. Writes carry the Lease's resourceVersion, so two replicas can never both
// believe they won the same term; a holder that cannot renew in time steps down by itself.
import os from 'node:os';
import type { HubClient, KubeObject } from '../hubs/hub-client.js';
import { HubError } from '../hubs/hub-client.js';
import { R } from '../hubs/resources.js';
import type { Logger } from '../log.js';

export interface LeaderOptions {
  namespace: string;
  name?: string;
  identity?: string;
  leaseSeconds?: number;
  /** How often the holder renews and others retry (default a third of the lease). */
  retryMs?: number;
}

export class LeaderElector {
  private leading = false;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private lastRenew = 0;
  readonly identity: string;
  private readonly name: string;
  private readonly leaseSeconds: number;
  private readonly retryMs: number;

  constructor(
    private readonly hub: HubClient,
    private readonly opts: LeaderOptions,
    private readonly log: Logger,
    private readonly onChange: (leading: boolean) => void,
  ) {
    this.identity = opts.identity ?? `${os.hostname()}-${process.pid}`;
    this.name = opts.name ?? 'hub-migration-engine';
    this.leaseSeconds = opts.leaseSeconds ?? 15;
    this.retryMs = opts.retryMs ?? Math.round((this.leaseSeconds * 1000) / 3);
  }

  get isLeader(): boolean {
    // A leader that has not renewed within the lease must assume another replica took over.
    return this.leading && Date.now() - this.lastRenew < this.leaseSeconds * 1000;
  }

  start(): void {
    const loop = async () => {
      try {
        await this.tryAcquireOrRenew();
      } catch (e) {
        this.log.warn('leader election attempt failed', { lease: this.name, error: e });
      }
      if (this.leading && Date.now() - this.lastRenew >= this.leaseSeconds * 1000)
        this.setLeading(false);
      // stop() may have come while this attempt was in flight: its clearTimeout found no timer.
      if (!this.stopped) this.timer = setTimeout(() => void loop(), this.retryMs);
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.leading) {
      // Hand over at once instead of making the next leader wait for the lease to expire.
      try {
        const lease = await this.hub.get(R.lease, this.name, this.opts.namespace);
        if (lease && (lease.spec as { holderIdentity?: string }).holderIdentity === this.identity) {
          await this.hub.replace(R.lease, {
            ...lease,
            spec: { ...(lease.spec as object), holderIdentity: '', leaseDurationSeconds: 1 },
          });
        }
      } catch {
        // the lease expires by itself
      }
      this.setLeading(false);
    }
  }

  private setLeading(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    this.log.info(
      leading
        ? 'became the leader: driving migrations'
        : 'no longer the leader: stopped driving migrations',
      { lease: this.name, identity: this.identity },
    );
    this.onChange(leading);
  }

  private async tryAcquireOrRenew(): Promise<void> {
    const now = new Date();
    const micro = now.toISOString().replace(/Z$/, '000Z');
    const lease = await this.hub.get(R.lease, this.name, this.opts.namespace);
    if (!lease) {
      const body: KubeObject = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.name, namespace: this.opts.namespace },
        spec: {
          holderIdentity: this.identity,
          leaseDurationSeconds: this.leaseSeconds,
          acquireTime: micro,
          renewTime: micro,
          leaseTransitions: 0,
        },
      };
      try {
        await this.hub.create(R.lease, body);
        this.lastRenew = Date.now();
        this.setLeading(true);
      } catch (e) {
        if (!(e instanceof HubError && e.status === 409)) throw e;
      }
      return;
    }
    const spec = (lease.spec ?? {}) as {
      holderIdentity?: string;
      leaseDurationSeconds?: number;
      renewTime?: string;
      leaseTransitions?: number;
      acquireTime?: string;
    };
    const mine = spec.holderIdentity === this.identity;
    const expired =
      !spec.holderIdentity ||
      Date.parse(spec.renewTime ?? '') + (spec.leaseDurationSeconds ?? this.leaseSeconds) * 1000 <
        now.getTime();
    if (!mine && !expired) {
      this.setLeading(false);
      return;
    }
    const next = {
      ...lease,
      spec: {
        ...spec,
        holderIdentity: this.identity,
        leaseDurationSeconds: this.leaseSeconds,
        renewTime: micro,
        ...(mine ? {} : { acquireTime: micro, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 }),
      },
    };
    try {
      await this.hub.replace(R.lease, next);
      this.lastRenew = Date.now();
      this.setLeading(true);
    } catch (e) {
      // Someone else wrote the lease first: they hold it this term.
      if (e instanceof HubError && e.conflict) this.setLeading(false);
      else throw e;
    }
  }
}
