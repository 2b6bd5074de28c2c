// How the engine reads the objects in the namespaces of the clusters it moves. One cluster at a
// time, a kind is read with a call per namespace; at 3,000 clusters those reads were half of all
// calls to the source hub (25 of 49 per cluster). A phase handling many clusters instead reads
// each kind once across all namespaces, page by page, and keeps only its clusters' objects: a
// call per 500 objects rather than one per cluster. Where the kind is spread over many more
// namespaces than the clusters at hand (a few clusters of a large hub), reading it all would cost
// more than the calls it saves, so those reads stay per namespace. The first page tells which case
// it is: it asks for no more objects than the clusters at hand would justify, so a kind that does
// not fit in it (or whose `remainingItemCount` says it is too big) is read per namespace, and the
// look cost one small page.
import { HubError, LIST_PAGE_SIZE } from '../hubs/hub-client.js';
import type { HubClient, KubeObject } from '../hubs/hub-client.js';
import type { Res } from '../hubs/resources.js';

export interface ClusterReads {
  /** The kind's objects in a cluster's namespace; empty when the hub does not serve the kind. */
  list(res: Res, namespace: string): Promise<KubeObject[]>;
  /** One object, or undefined when it does not exist. */
  get(res: Res, name: string, namespace?: string): Promise<KubeObject | undefined>;
}

/**
 * Objects of a kind per cluster above which a cluster-wide read is not worth it: a page of 500
 * costs the hub and the engine about as much as 10 small reads (on the simulator a 1,000-object
 * list takes 3 ms of its CPU, a get 0.14 ms).
 */
const MAX_OBJECTS_PER_CLUSTER = 50;

/** A list that is empty, rather than an error, when the kind's API is not installed. */
async function listIfServed(hub: HubClient, res: Res, namespace: string): Promise<KubeObject[]> {
  try {
    return await hub.list(res, namespace);
  } catch (e) {
    if (e instanceof HubError && e.notFound) return [];
    throw e;
  }
}

/** Reads shared by a set of clusters, which can also start ahead of their use. */
export interface SharedReads extends ClusterReads {
  /** The kinds read so far. */
  kindsRead(): Res[];
  /** Starts reading these kinds now, e.g. for the next chunk while this one is worked on. */
  prefetch(kinds: readonly Res[]): void;
}

/** Every read a call of its own, as it is now on the hub. */
export function directReads(hub: HubClient): ClusterReads {
  return {
    list: (res, namespace) => listIfServed(hub, res, namespace),
    get: (res, name, namespace) => hub.get(res, name, namespace),
  };
}

/**
 * Reads for a set of clusters that share each kind's cluster-wide read. A kind is read on first
 * use and then served from memory, so the objects are as they were at that moment: the callers
 * write with preconditions or idempotent patches, never from this copy alone. Meant to live for
 * one pass of a phase over these clusters.
 */
export function sharedReads(hub: HubClient, clusters: readonly string[]): SharedReads {
  const wanted = new Set(clusters);
  const direct = directReads(hub);
  /** Per kind: the clusters' objects by cluster, or undefined when read per namespace instead. */
  const kinds = new Map<string, Promise<Map<string, KubeObject[]> | undefined>>();
  const used = new Map<string, Res>();

  async function readAcross(res: Res): Promise<Map<string, KubeObject[]> | undefined> {
    const byCluster = new Map<string, KubeObject[]>();
    const worthReading = wanted.size * MAX_OBJECTS_PER_CLUSTER;
    let token: string | undefined;
    let first = true;
    do {
      let page;
      try {
        page = await hub.listPage(res, undefined, {
          continue: token,
          limit: first ? Math.min(LIST_PAGE_SIZE, worthReading) : LIST_PAGE_SIZE,
        });
      } catch (e) {
        if (e instanceof HubError && e.notFound) return byCluster; // the kind is not served
        // Anything else (an expired continue token, a hub blip that outlasted the retries) is
        // left to the per-namespace reads, whose errors then belong to the clusters they concern.
        return undefined;
      }
      const total = page.items.length + (page.remainingItemCount ?? 0);
      if (first && page.continue && (worthReading < LIST_PAGE_SIZE || total > worthReading))
        return undefined;
      first = false;
      for (const obj of page.items) {
        const cluster = res.namespaced ? obj.metadata.namespace : obj.metadata.name;
        if (cluster === undefined || !wanted.has(cluster)) continue;
        const list = byCluster.get(cluster);
        if (list) list.push(obj);
        else byCluster.set(cluster, [obj]);
      }
      token = page.continue;
    } while (token);
    return byCluster;
  }

  function kind(res: Res): Promise<Map<string, KubeObject[]> | undefined> {
    const key = `${res.group}/${res.plural}`;
    let read = kinds.get(key);
    if (!read) {
      kinds.set(key, (read = readAcross(res)));
      used.set(key, res);
    }
    return read;
  }

  return {
    kindsRead: () => [...used.values()],
    prefetch(list) {
      for (const res of list) void kind(res);
    },
    async list(res, namespace) {
      if (!res.namespaced || !wanted.has(namespace)) return direct.list(res, namespace);
      const all = await kind(res);
      return all ? (all.get(namespace) ?? []) : direct.list(res, namespace);
    },
    async get(res, name, namespace) {
      const cluster = res.namespaced ? namespace : name;
      if (cluster === undefined || !wanted.has(cluster)) return direct.get(res, name, namespace);
      const all = await kind(res);
      if (!all) return direct.get(res, name, namespace);
      return all.get(cluster)?.find((o) => o.metadata.name === name);
    },
  };
}

/** Clusters handled with one set of shared reads: bounds what the engine holds in memory. */
export const SHARED_READS_CHUNK = 500;
