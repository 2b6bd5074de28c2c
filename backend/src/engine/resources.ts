// Everything the engine does to one cluster's objects on a hub (migration-engine.md §7, the
// reference's §4): collect them on the source, clean them for the target, apply them there,
// pause and unpause the ZTP objects, and remove them without ever deprovisioning a real
// cluster or wiping a host. Every function is idempotent: it reads what is there and only
// writes the difference (create-if-absent, patch-to-value, delete-if-present), so a re-run after
// a crash at any point ends in the same state.
import { isDeepStrictEqual } from 'node:util';
import { HubError } from '../hubs/hub-client.js';
import type { HubClient, KubeObject } from '../hubs/hub-client.js';
import { apiVersion, R } from '../hubs/resources.js';
import type { Res } from '../hubs/resources.js';
import { directReads } from './cluster-reads.js';
import type { ClusterReads } from './cluster-reads.js';
import { ANNOTATION, LABEL } from './types.js';

/** Network Secrets that siteconfig renders carry this annotation; the reference moves them. */
const SYNC_WAVE_ANNOTATION = 'siteconfig.open-cluster-management.io/sync-wave';
const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
const RESTORE_NAME = 'globalhub';
const BACKUP_ACTIVATION = 'cluster-activation';

/** The kinds that are moved, by kind; also the allow-list of what `applyToTarget` writes. */
const MOVED: ReadonlyMap<string, Res> = new Map(
  [
    R.secret,
    R.configMap,
    R.managedCluster,
    R.klusterletAddonConfig,
    R.bareMetalHost,
    R.hostFirmwareSettings,
    R.firmwareSchema,
    R.hostFirmwareComponents,
    R.imageClusterInstall,
    R.clusterDeployment,
  ].map((r) => [r.kind, r]),
);

/** The kinds whose `status` goes to the target (the provisioned state hive and metal3 keep). */
const STATUS_KEPT: ReadonlySet<string> = new Set([
  'BareMetalHost',
  'HostFirmwareSettings',
  'FirmwareSchema',
  'HostFirmwareComponents',
  'ImageClusterInstall',
  'ClusterDeployment',
]);

/** Annotations the migration itself puts on source objects; they must not travel. */
const MIGRATION_ANNOTATIONS = [
  ANNOTATION.cdPause,
  ANNOTATION.bmhPause,
  ANNOTATION.migrating,
  ANNOTATION.klusterletConfig,
  LAST_APPLIED_ANNOTATION,
];

/** Top-level fields that carry an object's content (everything else is metadata or status). */
const CONTENT_FIELDS = ['spec', 'data', 'binaryData', 'stringData', 'type', 'immutable'] as const;

/** How many times a read-modify-write is retried when another writer got there first. */
const CONFLICT_ATTEMPTS = 5;

// ---- small helpers ---------------------------------------------------------------------------

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value at a path inside an object, or undefined. */
function field(obj: unknown, ...path: string[]): unknown {
  let cur = obj;
  for (const p of path) cur = isRecord(cur) ? cur[p] : undefined;
  return cur;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function key(obj: KubeObject): string {
  return `${obj.kind ?? ''}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
}

function isConflict(e: unknown): boolean {
  return e instanceof HubError && e.conflict;
}

/** The descriptor of an object the engine moves; anything else (RBAC above all) is refused. */
function movedRes(obj: KubeObject): Res {
  const res = MOVED.get(obj.kind ?? '');
  if (!res || (obj.apiVersion !== undefined && obj.apiVersion !== apiVersion(res)))
    throw new Error(`${obj.apiVersion} ${obj.kind} ${obj.metadata.name} is not a migrated kind`);
  return res;
}

// ---- collection on the source ----------------------------------------------------------------

/** Names of the Secrets and ConfigMaps that the cluster's objects point to (reference §4.2). */
function referencedNames(
  bmhs: KubeObject[],
  cd: KubeObject | undefined,
  ici: KubeObject | undefined,
) {
  const bmcSecrets = bmhs.map((b) => text(field(b, 'spec', 'bmc', 'credentialsName')));
  const pullSecret = text(field(cd, 'spec', 'pullSecretRef', 'name'));
  const refs = field(ici, 'spec', 'extraManifestsRefs');
  const extraManifests = Array.isArray(refs) ? refs.map((r) => text(field(r, 'name'))) : [];
  const defined = (xs: (string | undefined)[]) => xs.filter((x): x is string => x !== undefined);
  return {
    secrets: defined([...bmcSecrets, pullSecret]),
    configMaps: defined(extraManifests),
  };
}

/**
 * The objects of one cluster on the source hub, in the order the target applies them
 * (migration-engine.md §7, reference §4.1–4.2): the Secrets and ConfigMaps the objects refer
 * to, the admin and seed Secrets, the siteconfig-preserved Secrets and ConfigMaps (and the
 * sync-wave Secrets), ManagedCluster, KlusterletAddonConfig, the metal3 objects, the
 * ImageClusterInstall and the ClusterDeployment. Kinds that are absent, or whose API the hub
 * does not serve, are skipped. Never RBAC, never ManifestWorks, never DataImage or
 * ClusterInstance (the reference does not move them).
 */
export async function collectClusterResources(
  source: HubClient,
  cluster: string,
  opts: {
    /**
     * The namespace's BareMetalHosts and ClusterDeployments when the caller has just read them
     * (removing a cluster lists them to make them safe first): they are not read again.
     */
    known?: { bareMetalHosts: KubeObject[]; clusterDeployments: KubeObject[] };
    /** Reads shared with the other clusters of the phase; each read is a call without them. */
    reads?: ClusterReads;
  } = {},
): Promise<KubeObject[]> {
  const ns = cluster;
  const { known, reads = directReads(source) } = opts;
  // One list per kind rather than a get per name: Secrets and ConfigMaps serve several of the
  // categories at once, and a cluster namespace holds few objects. All reads run in parallel;
  // the order is imposed afterwards.
  const [secrets, configMaps, mc, kac, bmhs, hfss, fss, hfcs, ici, cd] = await Promise.all([
    reads.list(R.secret, ns),
    reads.list(R.configMap, ns),
    reads.get(R.managedCluster, cluster),
    reads.get(R.klusterletAddonConfig, cluster, ns),
    known ? known.bareMetalHosts : reads.list(R.bareMetalHost, ns),
    reads.list(R.hostFirmwareSettings, ns),
    reads.list(R.firmwareSchema, ns),
    reads.list(R.hostFirmwareComponents, ns),
    reads.get(R.imageClusterInstall, cluster, ns),
    known
      ? known.clusterDeployments.find((o) => o.metadata.name === cluster)
      : reads.get(R.clusterDeployment, cluster, ns),
  ]);
  const secretNamed = (name: string) => secrets.find((s) => s.metadata.name === name);
  const configMapNamed = (name: string) => configMaps.find((c) => c.metadata.name === name);
  const preserved = (o: KubeObject) => LABEL.preserve in (o.metadata.labels ?? {});
  const refs = referencedNames(bmhs, cd, ici);

  const ordered: (KubeObject | undefined)[] = [
    ...refs.secrets.map(secretNamed),
    ...refs.configMaps.map(configMapNamed),
    ...['admin-password', 'admin-kubeconfig', 'metadata-json', 'seed-reconfiguration'].map((s) =>
      secretNamed(`${cluster}-${s}`),
    ),
    ...secrets.filter((s) => SYNC_WAVE_ANNOTATION in (s.metadata.annotations ?? {})),
    ...secrets.filter(preserved),
    ...configMaps.filter(preserved),
    mc,
    kac,
    ...bmhs,
    ...hfss,
    ...fss,
    ...hfcs,
    ici,
    cd,
  ];
  // An object in several categories (a referenced Secret that is also preserved) goes once,
  // at its first place.
  const seen = new Set<string>();
  const out: KubeObject[] = [];
  for (const obj of ordered) {
    if (!obj || seen.has(key(obj))) continue;
    seen.add(key(obj));
    out.push(obj);
  }
  return out;
}

// ---- cleaning before the target --------------------------------------------------------------

/**
 * What is written to the target (reference §4.3): server-owned metadata stripped, the
 * migration's own annotations removed (`disable-auto-import` stays until Cleaning), the
 * ManagedCluster's client configs dropped (they describe the source hub's view), `status` kept
 * only for the six kinds that keep it, and the restore labels set so the operators on the
 * target treat the objects as restored rather than to be installed. Pure and idempotent.
 */
export function prepareForTarget(obj: KubeObject): KubeObject {
  const out = structuredClone(obj);
  const md = out.metadata;
  delete md.uid;
  delete md.resourceVersion;
  delete md.generation;
  delete md.managedFields;
  delete md.ownerReferences;
  delete md.finalizers;
  delete md.creationTimestamp;
  delete md.deletionTimestamp;
  delete md.deletionGracePeriodSeconds;
  delete md.selfLink;
  const annotations = { ...md.annotations };
  for (const a of MIGRATION_ANNOTATIONS) delete annotations[a];
  const labels = { ...md.labels };
  if (!STATUS_KEPT.has(out.kind ?? '')) delete out.status;

  switch (out.kind) {
    case 'ManagedCluster':
      if (isRecord(out.spec)) delete out.spec.managedClusterClientConfigs;
      break;
    case 'ImageClusterInstall':
      // The image-based-install-operator then treats it as restored and does not reinstall.
      labels[LABEL.restoreName] = RESTORE_NAME;
      annotations[ANNOTATION.restoreStatus] = 'true';
      break;
    case 'BareMetalHost':
      labels[LABEL.backup] = BACKUP_ACTIVATION;
      break;
  }
  setOrDrop(md, 'annotations', annotations);
  setOrDrop(md, 'labels', labels);
  return out;
}

function setOrDrop(
  md: KubeObject['metadata'],
  which: 'labels' | 'annotations',
  map: Record<string, string>,
): void {
  if (Object.keys(map).length) md[which] = map;
  else delete md[which];
}

// ---- apply on the target ---------------------------------------------------------------------

/** Refuses, before any write, an object the engine never moves or that is not the cluster's. */
function checkBoundToCluster(cluster: string, obj: KubeObject): void {
  const res = movedRes(obj);
  const bound = res.namespaced ? obj.metadata.namespace === cluster : obj.metadata.name === cluster;
  if (!bound)
    throw new Error(
      `${obj.kind} ${obj.metadata.namespace ?? ''}/${obj.metadata.name} does not belong to cluster ${cluster}`,
    );
}

/**
 * The existing object with the desired content written over it, or undefined when it already
 * has it. Labels and annotations are merged, and finalizers and everything else the target's
 * controllers added are kept, so a re-run never fights them (nor removes a finalizer hive or
 * metal3 put back).
 */
function withContent(current: KubeObject, desired: KubeObject): KubeObject | undefined {
  const next: KubeObject = structuredClone(current);
  next.metadata.labels = { ...current.metadata.labels, ...desired.metadata.labels };
  next.metadata.annotations = { ...current.metadata.annotations, ...desired.metadata.annotations };
  for (const f of CONTENT_FIELDS) if (desired[f] !== undefined) next[f] = desired[f];
  const same =
    isDeepStrictEqual(next.metadata.labels, current.metadata.labels ?? {}) &&
    isDeepStrictEqual(next.metadata.annotations, current.metadata.annotations ?? {}) &&
    CONTENT_FIELDS.every((f) => isDeepStrictEqual(next[f], current[f]));
  if (same) return undefined;
  // Omitted managedFields are kept by the server; sending them back would only rewrite them.
  delete next.metadata.managedFields;
  return next;
}

/**
 * Makes the object's `status` the desired one through the status subresource, as a merge patch
 * that also drops the top-level fields the desired status lacks. A patch rather than a replace:
 * the target's controllers add their finalizers right after a create, and a replace carrying the
 * create's resourceVersion then conflicted, costing a read and a second write for every
 * BareMetalHost and ClusterDeployment. A kind served without a status subresource
 * (FirmwareSchema's CRD has none) answers 404 or 405 there and keeps its status in the object.
 */
async function writeStatus(
  target: HubClient,
  res: Res,
  current: KubeObject,
  status: unknown,
): Promise<KubeObject> {
  const dropped = isRecord(current.status)
    ? Object.keys(current.status).filter((k) => !isRecord(status) || !(k in status))
    : [];
  const patch = {
    status: isRecord(status)
      ? { ...Object.fromEntries(dropped.map((k) => [k, null])), ...status }
      : status,
  };
  const { name, namespace } = current.metadata;
  try {
    return await target.mergePatchStatus(res, name, patch, namespace);
  } catch (e) {
    if (!(e instanceof HubError && (e.notFound || e.status === 405))) throw e;
    const patched = await target.mergePatch(res, name, patch, namespace);
    if (!patched) throw e;
    return patched;
  }
}

/**
 * Creates or updates one object, then its status; true when the object changed on the target
 * (a write the server found to be a no-op, e.g. of pruned fields, does not count).
 */
async function applyOne(
  target: HubClient,
  desired: KubeObject,
  createFirst: boolean,
): Promise<boolean> {
  const res = movedRes(desired);
  const { name, namespace } = desired.metadata;
  for (let attempt = 1; ; attempt++) {
    try {
      // In a namespace this run created nothing exists yet: create at once, and read only if it
      // is there after all (a get before every create was a quarter of the calls on the target).
      // Otherwise (a resumed or repeated run) read first, as most objects are already there.
      // On create the status goes along: servers with a status subresource ignore it, the
      // others keep it.
      let existing: KubeObject | undefined;
      let current: KubeObject | undefined;
      if (createFirst && attempt === 1) {
        try {
          current = await target.create(res, desired);
        } catch (e) {
          if (!(e instanceof HubError && e.status === 409)) throw e; // AlreadyExists
        }
      }
      if (!current) {
        existing = await target.get(res, name, namespace);
        current = existing ?? (await target.create(res, desired));
      }
      if (existing?.metadata.deletionTimestamp)
        throw new Error(
          `${desired.kind} ${namespace ?? ''}/${name} is being deleted on ${target.name}`,
        );
      const next = existing && withContent(existing, desired);
      if (next) current = await target.replace(res, next);
      if (
        STATUS_KEPT.has(res.kind) &&
        desired.status !== undefined &&
        !isDeepStrictEqual(current.status, desired.status)
      )
        current = await writeStatus(target, res, current, desired.status);
      return current.metadata.resourceVersion !== existing?.metadata.resourceVersion;
    } catch (e) {
      // Someone else wrote in between (or created it first): read again and redo the difference.
      if (!isConflict(e) || attempt >= CONFLICT_ATTEMPTS) throw e;
    }
  }
}

/**
 * Ensures namespace `<cluster>` on the target, then creates or updates each object in order,
 * writing `status` through the status subresource for the kinds that keep it. The objects are
 * cleaned with {@link prepareForTarget} first (a no-op for cleaned ones). Idempotent: a second
 * run writes nothing. `changed` counts the objects that changed on the target.
 */
export async function applyToTarget(
  target: HubClient,
  cluster: string,
  objects: KubeObject[],
): Promise<{ applied: number; changed: number }> {
  const prepared = objects.map(prepareForTarget);
  // The whole set is refused before the first write, as the reference refuses a whole batch.
  for (const obj of prepared) checkBoundToCluster(cluster, obj);
  const { object: ns, created: nsCreated } = await target.createIfAbsent(R.namespace, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: cluster },
  });
  if (ns.metadata.deletionTimestamp)
    throw new Error(`namespace ${cluster} is being deleted on ${target.name}`);
  let changed = 0;
  // In order, one at a time: referenced Secrets exist before the objects that name them, the
  // ManagedCluster before its add-on config, the host before the install that points to it.
  for (const obj of prepared) if (await applyOne(target, obj, nsCreated)) changed++;
  return { applied: prepared.length, changed };
}

// ---- pausing ---------------------------------------------------------------------------------

/** The objects whose deletion can deprovision something, and how each is paused and freed. */
interface Dangerous {
  res: Res;
  annotation: string;
  paused: (obj: KubeObject) => boolean;
  /** The finalizers whose controller deprovisions on deletion. */
  deprovisions: (finalizer: string) => boolean;
}

const hivePaused = (o: KubeObject) => o.metadata.annotations?.[ANNOTATION.cdPause] === 'true';
// metal3 treats the annotation as a pause whatever its value.
const metal3Paused = (o: KubeObject) => ANNOTATION.bmhPause in (o.metadata.annotations ?? {});
const metal3Finalizer = (f: string) => f.endsWith('.metal3.io');

const DANGEROUS: readonly Dangerous[] = [
  {
    res: R.clusterDeployment,
    annotation: ANNOTATION.cdPause,
    paused: hivePaused,
    deprovisions: (f) => f.endsWith('/deprovision'),
  },
  {
    res: R.bareMetalHost,
    annotation: ANNOTATION.bmhPause,
    paused: metal3Paused,
    deprovisions: metal3Finalizer,
  },
  {
    res: R.dataImage,
    annotation: ANNOTATION.bmhPause,
    paused: metal3Paused,
    deprovisions: metal3Finalizer,
  },
];

interface Found {
  kind: Dangerous;
  obj: KubeObject;
}

/**
 * Every ClusterDeployment, BareMetalHost and DataImage in the cluster's namespace, not only the
 * ones named after the cluster (better than the reference): deleting the namespace would
 * delete all of them, so all must be safe.
 */
async function findDangerous(reads: ClusterReads, cluster: string): Promise<Found[]> {
  const lists = await Promise.all(DANGEROUS.map((d) => reads.list(d.res, cluster)));
  return lists.flatMap((objs, i) => objs.map((obj) => ({ kind: DANGEROUS[i], obj })));
}

/** A merge patch of an object's metadata; name and namespace ride along because client-node
 * builds the URL of a core object from the patch body's metadata. */
function metadataPatch(obj: KubeObject, fields: Json): Json {
  return {
    metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace, ...fields },
  };
}

async function pauseOne(hub: HubClient, { kind, obj }: Found): Promise<void> {
  if (kind.paused(obj)) return;
  await hub.mergePatch(
    kind.res,
    obj.metadata.name,
    metadataPatch(obj, { annotations: { [kind.annotation]: 'true' } }),
    obj.metadata.namespace,
  );
}

async function unpauseOne(hub: HubClient, { kind, obj }: Found): Promise<void> {
  if (!(kind.annotation in (obj.metadata.annotations ?? {}))) return;
  await hub.mergePatch(
    kind.res,
    obj.metadata.name,
    metadataPatch(obj, { annotations: { [kind.annotation]: null } }),
    obj.metadata.namespace,
  );
}

/**
 * Initializing on the source: pause every ClusterDeployment (`hive.openshift.io/reconcile-pause`)
 * and every BareMetalHost and DataImage (`baremetalhost.metal3.io/paused`) in the cluster's
 * namespace, so that hive and metal3 stop acting on them while they move.
 */
export async function pauseZtp(
  hub: HubClient,
  cluster: string,
  reads: ClusterReads = directReads(hub),
): Promise<void> {
  const found = await findDangerous(reads, cluster);
  await Promise.all(found.map((f) => pauseOne(hub, f)));
}

/** Rollback on the source: remove the pause annotations {@link pauseZtp} set. */
export async function unpauseZtp(
  hub: HubClient,
  cluster: string,
  reads: ClusterReads = directReads(hub),
): Promise<void> {
  const found = await findDangerous(reads, cluster);
  await Promise.all(found.map((f) => unpauseOne(hub, f)));
}

// ---- safe removal ----------------------------------------------------------------------------

/**
 * Pauses the object and strips its deprovision finalizers in one write, with the resourceVersion
 * read as a precondition (a change made meanwhile, by an operator or a user, is read again and
 * the write redone, so a finalizer added meanwhile is never lost silently). The answer is the
 * stored object: it must show the pause, or nothing is deleted, since deleting an object whose
 * operator is not paused would deprovision (the operator could also put its finalizer back).
 * One write instead of a pause, a read to prove it and a second write: a third of the calls of
 * a rollback on the target.
 */
async function pauseAndRelease(hub: HubClient, { kind, obj }: Found): Promise<void> {
  const { name, namespace } = obj.metadata;
  let current: KubeObject | undefined = obj;
  for (let attempt = 1; current; attempt++) {
    const finalizers = current.metadata.finalizers ?? [];
    const kept = finalizers.filter((f) => !kind.deprovisions(f));
    if (kind.paused(current) && kept.length === finalizers.length) return;
    let stored: KubeObject | undefined;
    try {
      stored = await hub.mergePatch(
        kind.res,
        name,
        metadataPatch(current, {
          resourceVersion: current.metadata.resourceVersion,
          annotations: { [kind.annotation]: 'true' },
          finalizers: kept,
        }),
        namespace,
      );
    } catch (e) {
      if (!isConflict(e) || attempt >= CONFLICT_ATTEMPTS) throw e;
      current = await hub.get(kind.res, name, namespace);
      continue;
    }
    if (stored && !kind.paused(stored))
      throw new Error(
        `${kind.res.kind} ${namespace}/${name} on ${hub.name} did not stay paused; not deleting it`,
      );
    return;
  }
}

/**
 * Removes the finalizers `drop` selects, with the resourceVersion read as a precondition so
 * a finalizer added meanwhile is never lost silently; re-reads and retries on conflict.
 */
async function stripFinalizers(
  hub: HubClient,
  res: Res,
  obj: KubeObject,
  drop: (finalizer: string) => boolean,
): Promise<void> {
  let current: KubeObject | undefined = obj;
  for (let attempt = 1; current; attempt++) {
    const finalizers = current.metadata.finalizers ?? [];
    const kept = finalizers.filter((f) => !drop(f));
    if (kept.length === finalizers.length) return;
    try {
      const patch = { resourceVersion: current.metadata.resourceVersion, finalizers: kept };
      await hub.mergePatch(
        res,
        current.metadata.name,
        metadataPatch(current, patch),
        current.metadata.namespace,
      );
      return;
    } catch (e) {
      if (!isConflict(e) || attempt >= CONFLICT_ATTEMPTS) throw e;
      current = await hub.get(res, obj.metadata.name, obj.metadata.namespace);
    }
  }
}

/** The BMC credential Secrets of the namespace's BareMetalHosts. */
function bmcSecretNames(found: Found[]): string[] {
  const names = found
    .filter((f) => f.kind.res === R.bareMetalHost)
    .map((f) => text(field(f.obj, 'spec', 'bmc', 'credentialsName')));
  return [...new Set(names.filter((n): n is string => n !== undefined))];
}

/**
 * Makes deleting the cluster's objects (or its namespace) harmless: every ClusterDeployment,
 * BareMetalHost and DataImage paused and freed of its deprovision finalizers (the write's answer
 * proving the pause), and the BMC credential Secrets freed of all finalizers. Returns what it
 * made safe.
 */
async function makeSafe(hub: HubClient, cluster: string, reads: ClusterReads): Promise<Found[]> {
  const found = await findDangerous(reads, cluster);
  await Promise.all(
    found.map(async (f) => {
      await pauseAndRelease(hub, f);
    }),
  );
  await Promise.all(
    bmcSecretNames(found).map(async (name) => {
      const secret = await reads.get(R.secret, name, cluster);
      if (secret) await stripFinalizers(hub, R.secret, secret, () => true);
    }),
  );
  return found;
}

/**
 * Safe removal of a cluster's migrated objects from a hub (the target, on rollback): every
 * ClusterDeployment, BareMetalHost and DataImage is paused (verified) and freed of its
 * deprovision finalizers, the BMC Secrets of all finalizers, and only then are they deleted;
 * then the ManagedCluster and the namespace `<cluster>`, which takes the cluster's other objects
 * with it. Without the namespace (the source in Cleaning) each moved object is deleted instead.
 * Never destroys a cluster or wipes a host. Delete-if-present throughout, so it can be re-run.
 */
export async function removeClusterSafely(
  hub: HubClient,
  cluster: string,
  opts: { deleteNamespace?: boolean; deleteManagedCluster?: boolean; reads?: ClusterReads } = {},
): Promise<void> {
  const reads = opts.reads ?? directReads(hub);
  const deleteNamespace = opts.deleteNamespace ?? true;
  const safe = await makeSafe(hub, cluster, reads);
  // The dangerous kinds are deleted from the list that was made safe, never from a newer read.
  const targets = safe.map((f) => ({ res: f.kind.res, obj: f.obj }));
  if (!deleteNamespace) {
    // Collected after the pause, so nothing can have changed under it; the list that was made
    // safe also serves the collection (the Secrets the hosts and the deployment name).
    const ofKind = (res: Res) => safe.filter((f) => f.kind.res === res).map((f) => f.obj);
    const collected = await collectClusterResources(hub, cluster, {
      known: {
        bareMetalHosts: ofKind(R.bareMetalHost),
        clusterDeployments: ofKind(R.clusterDeployment),
      },
      reads,
    });
    for (const obj of collected)
      if (obj.kind !== 'ManagedCluster' && !DANGEROUS.some((d) => d.res.kind === obj.kind))
        targets.push({ res: movedRes(obj), obj });
  }
  await Promise.all(
    targets.map(({ res, obj }) => hub.delete(res, obj.metadata.name, obj.metadata.namespace)),
  );
  // The ManagedCluster before the namespace: while it exists, the hub's registration
  // controller keeps (re)creating the namespace and its content.
  if (opts.deleteManagedCluster ?? true) await hub.delete(R.managedCluster, cluster);
  if (deleteNamespace) await hub.delete(R.namespace, cluster);
}

/**
 * Cleaning on the source: the pauses stay (re-asserted and verified, in case they were lost),
 * the deprovision finalizers and the BMC Secret finalizers go, then the ManagedCluster is
 * deleted. The hub's own controllers then clean the namespace, and whatever they (or the user,
 * deleting the ClusterInstance) delete there no longer deprovisions anything.
 */
export async function releaseFromSource(source: HubClient, cluster: string): Promise<void> {
  await makeSafe(source, cluster, directReads(source));
  await source.delete(R.managedCluster, cluster);
}

// ---- finishing on the target -----------------------------------------------------------------

/**
 * Cleaning on the target: the ManagedCluster may now be auto-imported (its
 * `disable-auto-import` goes) and the ImageClusterInstall loses the velero restore label.
 */
export async function finishOnTarget(target: HubClient, cluster: string): Promise<void> {
  // Straight merge patches, without reading first: removing what is not there changes nothing
  // (the server keeps the resourceVersion), an absent object is a 404 the patch ignores, and a
  // migration always has both to remove, so the two reads only doubled the calls.
  await Promise.all([
    target.mergePatch(R.managedCluster, cluster, {
      metadata: { name: cluster, annotations: { [ANNOTATION.disableAutoImport]: null } },
    }),
    target.mergePatch(
      R.imageClusterInstall,
      cluster,
      { metadata: { name: cluster, namespace: cluster, labels: { [LABEL.restoreName]: null } } },
      cluster,
    ),
  ]);
}
