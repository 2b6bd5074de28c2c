// A list-and-watch cache of one kind on one hub: it lists, watches from the list's
// resourceVersion, and on any break (410 Gone, a dropped connection) lists again and reports the
// difference, so listeners see every addition, change and deletion exactly once per version.
import type { Logger } from '../log.js';
import type { HubClient, KubeObject, ListOptions } from './hub-client.js';
import type { Res } from './resources.js';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';
export type ChangeListener = (type: ChangeType, obj: KubeObject, old?: KubeObject) => void;

export interface InformerOptions extends ListOptions {
  /** Namespace to watch; all namespaces when absent (for namespaced kinds). */
  namespace?: string;
  /** Wait before listing again after a failure. */
  retryMs?: number;
}

const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export class Informer {
  private readonly objects = new Map<string, KubeObject>();
  private readonly listeners = new Set<ChangeListener>();
  private running = false;
  private stopWatch?: () => void;
  private wake?: () => void;
  private syncedOnce = false;
  private healthy = false;
  private readonly syncWaiters: (() => void)[] = [];

  constructor(
    private readonly client: HubClient,
    private readonly res: Res,
    private readonly log: Logger,
    private readonly opts: InformerOptions = {},
  ) {}

  /** Whether the cache holds a complete list and its watch is running. */
  get ready(): boolean {
    return this.healthy;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.loop();
  }

  stop(): void {
    this.running = false;
    this.healthy = false;
    this.stopWatch?.();
    this.wake?.();
  }

  /** Resolves once the first list is in the cache. */
  synced(): Promise<void> {
    if (this.syncedOnce) return Promise.resolve();
    return new Promise((r) => this.syncWaiters.push(r));
  }

  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(name: string, namespace?: string): KubeObject | undefined {
    return this.objects.get(`${namespace ?? ''}/${name}`);
  }

  list(): KubeObject[] {
    return [...this.objects.values()];
  }

  private emit(type: ChangeType, obj: KubeObject, old?: KubeObject): void {
    for (const l of this.listeners) {
      try {
        l(type, obj, old);
      } catch (e) {
        this.log.error('informer listener failed', { kind: this.res.kind, error: e });
      }
    }
  }

  private apply(type: ChangeType, obj: KubeObject): void {
    const key = keyOf(obj);
    const old = this.objects.get(key);
    if (type === 'DELETED') {
      if (!old) return;
      this.objects.delete(key);
      this.emit('DELETED', obj, old);
      return;
    }
    if (old && old.metadata.resourceVersion === obj.metadata.resourceVersion) return;
    this.objects.set(key, obj);
    this.emit(old ? 'MODIFIED' : 'ADDED', obj, old);
  }

  /** Replaces the cache with a fresh list, reporting what changed while nobody watched. */
  private replace(items: KubeObject[]): void {
    const seen = new Set<string>();
    for (const o of items) {
      seen.add(keyOf(o));
      this.apply('MODIFIED', o);
    }
    for (const [key, old] of [...this.objects]) if (!seen.has(key)) this.apply('DELETED', old);
  }

  private async loop(): Promise<void> {
    const { namespace, labelSelector, fieldSelector } = this.opts;
    while (this.running) {
      try {
        const list = await this.client.listVersioned(this.res, namespace, {
          labelSelector,
          fieldSelector,
        });
        if (!this.running) break;
        this.replace(list.items);
        if (!this.syncedOnce) {
          this.syncedOnce = true;
          for (const w of this.syncWaiters.splice(0)) w();
        }
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.client
            .watch(
              this.res,
              namespace,
              list.resourceVersion,
              (type, obj) => this.apply(type, obj),
              (err) => {
                if (err && this.running)
                  this.log.debug('watch ended; listing again', {
                    kind: this.res.kind,
                    hub: this.client.name,
                    error: err,
                  });
                resolve();
              },
              { labelSelector, fieldSelector },
            )
            .then(
              (stop) => {
                this.stopWatch = stop;
                this.healthy = true;
                if (!this.running) stop();
              },
              () => resolve(),
            );
        });
        this.healthy = false;
      } catch (e) {
        this.healthy = false;
        this.log.warn('listing failed; retrying', {
          kind: this.res.kind,
          hub: this.client.name,
          error: e,
        });
        await new Promise<void>((r) => {
          this.wake = r;
          setTimeout(r, this.opts.retryMs ?? 2000);
        });
      }
    }
  }
}
