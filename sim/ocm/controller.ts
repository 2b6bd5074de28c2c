// A minimal controller loop for the hubs' simulated controllers: watch a kind in the hub's own
// state, queue the keys that changed, and reconcile them one at a time, off the write path
// (as real controllers do), with a periodic resync for time-based work.
import { ApiError } from '../apiserver/errors.js';
import type { ResourceType } from '../apiserver/resources.js';
import type { KubeObject } from '../apiserver/types.js';
import type { SimHub } from '../hub.js';

export interface ControllerOptions {
  /** Reconcile every object of the kind this often (ms), for work driven by time. */
  resyncMs?: number;
}

export type Reconcile = (
  key: { namespace?: string; name: string },
  obj: KubeObject | undefined,
) => void;

export class Controller {
  private readonly queue = new Set<string>();
  private scheduled = false;
  private readonly stops: (() => void)[] = [];
  private stopped = false;

  constructor(
    readonly hub: SimHub,
    readonly name: string,
    private readonly rt: ResourceType,
    private readonly reconcile: Reconcile,
    opts: ControllerOptions = {},
  ) {
    this.stops.push(
      hub.state.watch(rt, {}, (e) =>
        this.enqueue(e.object.metadata.namespace, e.object.metadata.name!),
      ),
    );
    if (opts.resyncMs) {
      const timer = setInterval(() => {
        for (const o of hub.state.list(rt, undefined).items)
          this.enqueue(o.metadata.namespace, o.metadata.name!);
      }, opts.resyncMs);
      timer.unref();
      this.stops.push(() => clearInterval(timer));
    }
  }

  /** Queues an object by key; also used to trigger reconciles from other kinds' changes. */
  enqueue(namespace: string | undefined, name: string): void {
    if (this.stopped) return;
    this.queue.add(`${namespace ?? ''}/${name}`);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
    const keys = [...this.queue];
    this.queue.clear();
    for (const key of keys) {
      if (this.stopped) return;
      const slash = key.indexOf('/');
      const namespace = key.slice(0, slash) || undefined;
      const name = key.slice(slash + 1);
      try {
        this.reconcile({ namespace, name }, this.hub.state.get(this.rt, namespace, name));
      } catch (e) {
        // A conflict or a vanished object just means the world moved on: try again shortly.
        if (e instanceof ApiError && (e.code === 409 || e.code === 404)) {
          setTimeout(() => this.enqueue(namespace, name), 50).unref();
        } else {
          console.error(
            JSON.stringify({
              level: 'error',
              msg: 'sim controller failed',
              hub: this.hub.name,
              controller: this.name,
              key,
              error: e instanceof Error ? e.message : String(e),
            }),
          );
        }
      }
    }
  }

  stop(): void {
    this.stopped = true;
    this.stops.forEach((s) => s());
  }
}

/** Shorthand for the served type of a group/version/plural on a hub. */
export function typeOf(hub: SimHub, group: string, version: string, plural: string): ResourceType {
  return hub.state.rt(group, version, plural);
}
