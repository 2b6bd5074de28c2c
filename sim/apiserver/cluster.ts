// The state of one simulated hub's API: every stored object, with the semantics clients rely on
// (resourceVersion and conflicts, generation, status subresource, finalizers and deletion,
// owner-reference garbage collection, namespace lifecycle, CRDs that serve new kinds, watches).
// The HTTP layer and the hub's own simulated controllers both go through these operations.
import { randomUUID } from 'node:crypto';
import { ApiError, errors } from './errors.js';
import type { StatusCause } from './errors.js';
import { coreToEventsV1, eventsV1ToCore } from './events-conversion.js';
import { applyMerge, jsonMergePatch, jsonPatch, strategicMergePatch } from './patch.js';
import { apiVersionOf, ResourceRegistry } from './resources.js';
import type { ResourceType } from './resources.js';
import { validateAndPrune } from './schema.js';
import type { FieldSelector, LabelSelector } from './selectors.js';
import { objectKey, ResourceStore } from './store.js';
import type { StoredEvent, WatchEventType } from './store.js';
import type { JsonObject, KubeObject, OwnerReference } from './types.js';
import { cloneJson, isObject, kubeTime } from './types.js';
import { applyOwnership, updateOwnership } from './managed-fields.js';
import {
  immutableFieldErrors,
  prepareBuiltin,
  unknownBuiltinFields,
  validateMetadata,
} from './validation.js';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export interface WriteOptions {
  dryRun?: boolean;
  subresource?: string;
  fieldManager?: string;
  force?: boolean;
  /** What to do with fields the schema does not know: fail (Strict), warn (Warn, the default) or drop silently (Ignore). */
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
  /** Filled with warnings for the client (unknown fields under Warn). */
  warnings?: string[];
  /** managedFields already computed by server-side apply (internal). */
  managedFields?: JsonObject[];
}

export interface DeleteOptions {
  dryRun?: boolean;
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface ListOptions {
  labelSelector?: LabelSelector;
  fieldSelector?: FieldSelector;
  limit?: number;
  continueToken?: string;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

export interface WatchOptions {
  namespace?: string;
  resourceVersion?: string;
  labelSelector?: LabelSelector;
  fieldSelector?: FieldSelector;
}

export interface WatchEvent {
  type: WatchEventType;
  object: KubeObject;
}

export interface ClusterStateOptions {
  /** Watch events kept per resource; older resourceVersions get 410 Gone. */
  historyLimit?: number;
}

const FOREGROUND = 'foregroundDeletion';
const ORPHAN = 'orphan';
const CRD_CLEANUP = 'customresourcecleanup.apiextensions.k8s.io';

export class ClusterState {
  readonly registry = new ResourceRegistry();
  private rv = 1;
  private readonly stores = new Map<string, ResourceStore>();
  /** uid → where the object lives, for owner checks. */
  private readonly byUid = new Map<string, { storage: string; key: string }>();
  /** owner uid → dependents' locations. */
  private readonly dependents = new Map<string, Set<string>>();
  private readonly gcQueue: (() => void)[] = [];
  private readonly pendingKeys = new Set<string>();
  private gcScheduled = false;
  private readonly historyLimit: number;
  /** Bumped on every RBAC change so that authorizers can cache evaluated rules. */
  rbacGeneration = 0;

  constructor(opts: ClusterStateOptions = {}) {
    this.historyLimit = opts.historyLimit ?? 10000;
    for (const ns of ['default', 'kube-system', 'kube-public']) {
      this.create(this.rt('', 'v1', 'namespaces'), undefined, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: ns },
      });
    }
  }

  currentResourceVersion(): string {
    return String(this.rv);
  }

  /** The served type for group/version/plural; throws NotFound when not served. */
  rt(group: string, version: string, plural: string): ResourceType {
    const rt = this.registry.get(group, version, plural);
    if (!rt) throw errors.unknownPath();
    return rt;
  }

  storageOf(rt: ResourceType): string {
    return rt.group === 'events.k8s.io' ? '/events' : `${rt.group}/${rt.plural}`;
  }

  private store(rt: ResourceType): ResourceStore {
    const key = this.storageOf(rt);
    let s = this.stores.get(key);
    if (!s) {
      s = new ResourceStore(this.rv, this.historyLimit);
      this.stores.set(key, s);
    }
    return s;
  }

  /** For tests of watch expiry: keep only the newest `keep` events of a resource. */
  compactHistory(rt: ResourceType, keep = 0): void {
    this.store(rt).compact(keep);
  }

  objectCount(): number {
    let n = 0;
    for (const s of this.stores.values()) n += s.objects.size;
    return n;
  }

  // ---- reads ----------------------------------------------------------------------------------

  /** The stored object in the shape of `rt`'s version. Callers must not mutate it. */
  get(rt: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    const obj = this.store(rt).objects.get(objectKey(rt.namespaced ? namespace : undefined, name));
    return obj ? this.present(rt, obj) : undefined;
  }

  mustGet(rt: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const obj = this.get(rt, namespace, name);
    if (!obj) throw errors.notFound(rt.plural, rt.group, name);
    return obj;
  }

  /** Stored objects are kept in their storage shape; this gives the requested version's shape. */
  private present(rt: ResourceType, obj: KubeObject): KubeObject {
    if (rt.group === 'events.k8s.io') return coreToEventsV1(obj);
    const apiVersion = apiVersionOf(rt);
    return obj.apiVersion === apiVersion ? obj : { ...obj, apiVersion };
  }

  list(rt: ResourceType, namespace: string | undefined, opts: ListOptions = {}): ListResult {
    const store = this.store(rt);
    let keys = store.keys();
    const prefix = rt.namespaced && namespace ? `${namespace}/` : undefined;
    if (prefix) keys = sliceByPrefix(keys, prefix);
    let start = 0;
    // Every page of a paged list carries the resourceVersion of its first page, as kube-apiserver
    // serves a continuation from the snapshot its token names: a client that lists page by page
    // and then watches from the list's version must get every change made after the first page.
    // Answering each page with the version of its own moment lost the changes to objects of the
    // earlier pages made meanwhile (an engine waiting on 3,000 ManifestWorks missed 41 of them
    // for good). Later pages show the objects as they are now, not as they were then, so a
    // watch from that version may repeat a change a page already showed, never miss one.
    let snapshotRv = this.rv;
    if (opts.continueToken) {
      const token = decodeContinue(opts.continueToken);
      start = upperBound(keys, token.start);
      if (token.rv !== undefined && token.rv <= this.rv) snapshotRv = token.rv;
    }
    const items: KubeObject[] = [];
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    let i = start;
    for (; i < keys.length && items.length < limit; i++) {
      const obj = store.objects.get(keys[i]);
      if (!obj) continue;
      if (opts.labelSelector && !opts.labelSelector(obj.metadata.labels)) continue;
      if (opts.fieldSelector && !opts.fieldSelector(obj)) continue;
      items.push(this.present(rt, obj));
    }
    const result: ListResult = { items, resourceVersion: String(snapshotRv) };
    if (i < keys.length && items.length >= limit) {
      result.continueToken = encodeContinue(keys[i - 1], snapshotRv);
      if (!opts.labelSelector && !opts.fieldSelector) result.remainingItemCount = keys.length - i;
    }
    return result;
  }

  // ---- watches --------------------------------------------------------------------------------

  /**
   * Streams changes from `resourceVersion` (or, without one, every current object as ADDED
   * first). Throws 410 Expired when that version is older than the kept history.
   */
  watch(rt: ResourceType, opts: WatchOptions, onEvent: (e: WatchEvent) => void): () => void {
    const store = this.store(rt);
    const ns = rt.namespaced ? opts.namespace : undefined;
    const matches = (obj: KubeObject | undefined): boolean =>
      !!obj &&
      (!ns || obj.metadata.namespace === ns) &&
      (!opts.labelSelector || opts.labelSelector(obj.metadata.labels)) &&
      (!opts.fieldSelector || opts.fieldSelector(obj));
    const deliver = (e: StoredEvent): void => {
      const now = matches(e.object);
      const before = e.type === 'MODIFIED' ? matches(e.old) : now;
      // A change that moves an object into or out of the selection is an ADDED or DELETED for it.
      if (e.type === 'MODIFIED' && now && !before)
        onEvent({ type: 'ADDED', object: this.present(rt, e.object) });
      else if (e.type === 'MODIFIED' && !now && before)
        onEvent({ type: 'DELETED', object: this.present(rt, e.object) });
      else if (now) onEvent({ type: e.type, object: this.present(rt, e.object) });
    };
    const rvText = opts.resourceVersion ?? '';
    if (rvText === '' || rvText === '0') {
      // A copy: the handler may write, which updates the store's keys in place.
      for (const key of [...store.keys()]) {
        const obj = store.objects.get(key);
        if (obj && matches(obj)) onEvent({ type: 'ADDED', object: this.present(rt, obj) });
      }
    } else {
      const from = Number(rvText);
      if (!Number.isInteger(from) || from < 0)
        throw errors.badRequest(`invalid resource version: ${rvText}`);
      const backlog = store.eventsSince(from);
      if (!backlog) throw errors.expired(`too old resource version: ${from} (${this.rv})`);
      for (const e of backlog) deliver(e);
    }
    store.listeners.add(deliver);
    return () => store.listeners.delete(deliver);
  }

  // ---- writes ---------------------------------------------------------------------------------

  create(
    rt: ResourceType,
    namespace: string | undefined,
    input: KubeObject,
    opts: WriteOptions = {},
  ): KubeObject {
    if (rt.virtual) throw errors.methodNotAllowed('create', rt.plural);
    const obj = this.toStorage(rt, cloneJson(input));
    this.checkKind(rt, obj);
    const md = (obj.metadata ??= {});
    if (rt.namespaced) {
      if (!namespace)
        throw errors.badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      if (md.namespace && md.namespace !== namespace) {
        throw errors.badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      md.namespace = namespace;
      this.checkNamespaceAcceptsContent(namespace);
    } else delete md.namespace;
    if (!md.name && md.generateName) md.name = `${md.generateName}${randomSuffix()}`;
    if (!md.name) {
      throw errors.invalid(rt.kind, rt.group, '', [
        {
          field: 'metadata.name',
          reason: 'FieldValueRequired',
          message: 'Required value: name or generateName is required',
        },
      ]);
    }
    const store = this.store(rt);
    const key = objectKey(md.namespace, md.name);
    if (store.objects.has(key)) throw errors.alreadyExists(rt.plural, rt.group, md.name);
    for (const f of [
      'uid',
      'resourceVersion',
      'deletionTimestamp',
      'deletionGracePeriodSeconds',
      'selfLink',
    ] as const)
      delete md[f];
    if (rt.hasStatus && !rt.builtin) delete obj.status;
    if (rt.tracksGeneration) md.generation = 1;
    else delete md.generation;
    md.creationTimestamp = kubeTime();
    md.uid = randomUUID();
    if (opts.managedFields) md.managedFields = opts.managedFields;
    else if (opts.fieldManager)
      md.managedFields = updateOwnership(undefined, obj, opts.fieldManager);
    this.validate(rt, obj, undefined, true, opts);
    if (rt.group === 'apiextensions.k8s.io') this.prepareCrd(obj, true);
    if (opts.dryRun) return this.present(rt, obj);
    this.commit(rt, key, obj, 'ADDED');
    this.afterWrite(rt, obj, undefined);
    return this.present(rt, store.objects.get(key)!);
  }

  update(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    input: KubeObject,
    opts: WriteOptions = {},
  ): KubeObject {
    const current = this.getStored(rt, namespace, name);
    const body = this.toStorage(rt, cloneJson(input));
    this.checkKind(rt, body);
    const md = body.metadata ?? {};
    if (md.name !== undefined && md.name !== name) {
      throw errors.badRequest(
        `the name of the object (${md.name}) does not match the name on the URL (${name})`,
      );
    }
    if (
      md.resourceVersion !== undefined &&
      md.resourceVersion !== '' &&
      md.resourceVersion !== current.metadata.resourceVersion
    ) {
      throw errors.staleResourceVersion(rt.plural, rt.group, name);
    }
    return this.replace(rt, current, body, opts);
  }

  patch(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patchBody: unknown,
    opts: WriteOptions = {},
  ): KubeObject {
    const store = this.store(rt);
    const existing = store.objects.get(objectKey(rt.namespaced ? namespace : undefined, name));
    if (type === 'apply') {
      if (!opts.fieldManager)
        throw errors.badRequest(
          'PATCH, application/apply-patch+yaml requires fieldManager to be set',
        );
      if (!isObject(patchBody)) throw errors.badRequest('apply patch must be an object');
      const applied = patchBody as KubeObject;
      if (!existing) {
        if (opts.subresource) throw errors.notFound(rt.plural, rt.group, name);
        const md = (applied.metadata ??= {});
        if (md.name && md.name !== name)
          throw errors.badRequest(
            `the name of the object (${md.name}) does not match the name on the URL (${name})`,
          );
        md.name = name;
        const owned = applyOwnership(undefined, applied, opts.fieldManager, true);
        return this.create(rt, namespace, applied, { ...opts, managedFields: owned });
      }
      const current = this.present(rt, existing);
      const managedFields = applyOwnership(
        current,
        applied,
        opts.fieldManager,
        opts.force === true,
        opts.subresource,
      );
      const merged = cloneJson(applyMerge(current, applied)) as KubeObject;
      merged.metadata.resourceVersion = existing.metadata.resourceVersion;
      return this.replace(rt, existing, this.toStorage(rt, merged), { ...opts, managedFields });
    }
    if (!existing) throw errors.notFound(rt.plural, rt.group, name);
    if (type === 'strategic' && !rt.builtin) {
      throw errors.unsupportedMediaType('application/strategic-merge-patch+json', [
        'application/json-patch+json',
        'application/merge-patch+json',
        'application/apply-patch+yaml',
      ]);
    }
    const base = this.present(rt, existing);
    let patched: unknown;
    if (type === 'json') patched = jsonPatch(base, patchBody);
    else if (type === 'merge') patched = jsonMergePatch(base, patchBody);
    else patched = strategicMergePatch(base, patchBody);
    if (!isObject(patched))
      throw errors.badRequest('the patch produced something that is not an object');
    // Patches share unchanged subtrees with the stored object: work on a copy of the result.
    const result = cloneJson(patched) as KubeObject;
    result.metadata = isObject(result.metadata) ? result.metadata : {};
    const patchedRv = result.metadata.resourceVersion;
    // A patch may carry a resourceVersion precondition; otherwise it applies to the latest.
    if (patchedRv && patchedRv !== existing.metadata.resourceVersion)
      throw errors.staleResourceVersion(rt.plural, rt.group, name);
    return this.replace(rt, existing, this.toStorage(rt, result), opts);
  }

  delete(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    opts: DeleteOptions = {},
  ): KubeObject {
    const current = this.getStored(rt, namespace, name);
    const pre = opts.preconditions ?? {};
    if (pre.uid && pre.uid !== current.metadata.uid) {
      throw errors.conflict(
        rt.plural,
        rt.group,
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`,
      );
    }
    if (pre.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
      throw errors.conflict(
        rt.plural,
        rt.group,
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
      );
    }
    if (opts.dryRun) return this.present(rt, current);
    const policy = opts.propagationPolicy ?? 'Background';
    const finalizers = [...(current.metadata.finalizers ?? [])];
    if (policy === 'Foreground' && this.hasDependents(current) && !finalizers.includes(FOREGROUND))
      finalizers.push(FOREGROUND);
    if (policy === 'Orphan') this.orphanDependents(current);
    const isNamespace = rt.group === '' && rt.plural === 'namespaces';
    if (finalizers.length === 0 && !isNamespace) {
      this.removeStored(rt, current);
      return this.present(rt, current);
    }
    if (
      current.metadata.deletionTimestamp &&
      finalizers.length === (current.metadata.finalizers ?? []).length
    ) {
      return this.present(rt, current);
    }
    const marked = cloneJson(current);
    marked.metadata.deletionTimestamp ??= kubeTime();
    marked.metadata.deletionGracePeriodSeconds ??= 0;
    marked.metadata.finalizers = finalizers.length ? finalizers : undefined;
    if (!marked.metadata.finalizers) delete marked.metadata.finalizers;
    if (isNamespace) marked.status = { phase: 'Terminating' };
    const key = objectKey(current.metadata.namespace, current.metadata.name!);
    this.commit(rt, key, marked, 'MODIFIED', current);
    this.afterWrite(rt, marked, current);
    return this.present(rt, marked);
  }

  deleteCollection(
    rt: ResourceType,
    namespace: string | undefined,
    opts: ListOptions & DeleteOptions,
  ): KubeObject[] {
    const { items } = this.list(rt, namespace, {
      labelSelector: opts.labelSelector,
      fieldSelector: opts.fieldSelector,
    });
    return items.map((o) => this.delete(rt, o.metadata.namespace, o.metadata.name!, opts));
  }

  // ---- internals ------------------------------------------------------------------------------

  private getStored(rt: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const obj = this.store(rt).objects.get(objectKey(rt.namespaced ? namespace : undefined, name));
    if (!obj) throw errors.notFound(rt.plural, rt.group, name);
    return obj;
  }

  private toStorage(rt: ResourceType, obj: KubeObject): KubeObject {
    if (!isObject(obj)) throw errors.badRequest('the request body must be an object');
    if (rt.group === 'events.k8s.io') {
      const core = eventsV1ToCore(obj);
      return core;
    }
    return obj;
  }

  private checkKind(rt: ResourceType, obj: KubeObject): void {
    const expectedKind = rt.group === 'events.k8s.io' ? 'Event' : rt.kind;
    if (obj.kind !== undefined && obj.kind !== expectedKind) {
      throw errors.badRequest(
        `the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${apiVersionOf(rt)}) or the kind (${String(obj.kind)}) does not match ${expectedKind}`,
      );
    }
    if (obj.apiVersion !== undefined && rt.group !== 'events.k8s.io') {
      const gv = String(obj.apiVersion);
      const group = gv.includes('/') ? gv.split('/')[0] : '';
      if (group !== rt.group || !rt.versions.includes(gv.split('/').pop()!)) {
        throw errors.badRequest(
          `the API version in the data (${gv}) does not match the expected API version (${apiVersionOf(rt)})`,
        );
      }
    }
    obj.kind = rt.group === 'events.k8s.io' ? 'Event' : rt.kind;
    obj.apiVersion = rt.group === 'events.k8s.io' ? 'v1' : apiVersionOf(rt);
    if (obj.metadata !== undefined && !isObject(obj.metadata))
      throw errors.badRequest('metadata must be an object');
  }

  private checkNamespaceAcceptsContent(namespace: string): void {
    const ns = this.store(this.rt('', 'v1', 'namespaces')).objects.get(namespace);
    if (!ns) throw errors.notFound('namespaces', '', namespace);
    if (ns.metadata.deletionTimestamp) {
      throw errors.forbidden(
        `unable to create new content in namespace ${namespace} because it is being terminated`,
        'namespaces',
        '',
        namespace,
      );
    }
  }

  private validate(
    rt: ResourceType,
    obj: KubeObject,
    old: KubeObject | undefined,
    isCreate: boolean,
    opts: WriteOptions,
  ): void {
    // Unknown fields are dropped, as decoding into a typed object does; Strict refuses them.
    const pruned: string[] = unknownBuiltinFields(obj, rt);
    const causes: StatusCause[] = validateMetadata(obj, rt);
    if (rt.builtin) causes.push(...prepareBuiltin(obj, rt, isCreate));
    else if (rt.schema) causes.push(...validateAndPrune(obj, rt.schema, old, pruned));
    if (pruned.length && opts.fieldValidation === 'Strict') {
      const list = pruned.map((p) => `unknown field "${p}"`).join(', ');
      throw errors.badRequest(
        `${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: strict decoding error: ${list}`,
      );
    }
    if (pruned.length && opts.fieldValidation !== 'Ignore')
      opts.warnings?.push(...pruned.map((p) => `unknown field "${p}"`));
    if (old) causes.push(...immutableFieldErrors(old, obj, rt));
    if (causes.length) throw errors.invalid(rt.kind, rt.group, obj.metadata.name ?? '', causes);
  }

  /** The common end of update and patch: keep what the client may not change, validate, store. */
  private replace(
    rt: ResourceType,
    current: KubeObject,
    body: KubeObject,
    opts: WriteOptions,
  ): KubeObject {
    const name = current.metadata.name!;
    let next: KubeObject;
    if (opts.subresource === 'status' || opts.subresource === 'approval') {
      // CSR approval writes conditions through its own subresource; both only change status.
      next = cloneJson(current);
      if (body.status === undefined) delete next.status;
      else next.status = body.status;
    } else if (opts.subresource === 'finalize' && rt.group === '' && rt.plural === 'namespaces') {
      next = cloneJson(current);
      const finalizers =
        isObject(body.spec) && Array.isArray(body.spec.finalizers) ? body.spec.finalizers : [];
      next.spec = { ...(isObject(next.spec) ? next.spec : {}), finalizers };
    } else if (opts.subresource) {
      throw errors.methodNotAllowed('update', `${rt.plural}/${opts.subresource}`);
    } else {
      next = body;
      next.metadata = isObject(body.metadata) ? body.metadata : {};
      if (rt.hasStatus && !(rt.group === '' && rt.plural === 'namespaces'))
        next.status = current.status;
      if (rt.group === '' && rt.plural === 'namespaces') {
        next.status = current.status;
        next.spec = current.spec;
      }
      if (next.status === undefined) delete next.status;
    }
    const md = next.metadata;
    const cur = current.metadata;
    md.name = name;
    md.uid = cur.uid;
    md.creationTimestamp = cur.creationTimestamp;
    if (rt.namespaced) md.namespace = cur.namespace;
    else delete md.namespace;
    md.resourceVersion = cur.resourceVersion;
    if (cur.deletionTimestamp) {
      md.deletionTimestamp = cur.deletionTimestamp;
      md.deletionGracePeriodSeconds = cur.deletionGracePeriodSeconds;
      const added = (md.finalizers ?? []).filter((f) => !(cur.finalizers ?? []).includes(f));
      if (added.length) {
        throw errors.invalid(rt.kind, rt.group, name, [
          {
            field: 'metadata.finalizers',
            reason: 'FieldValueForbidden',
            message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`,
          },
        ]);
      }
    } else {
      delete md.deletionTimestamp;
      delete md.deletionGracePeriodSeconds;
    }
    if (Array.isArray(md.finalizers) && md.finalizers.length === 0) delete md.finalizers;
    if (opts.managedFields) md.managedFields = opts.managedFields;
    else if (opts.fieldManager)
      md.managedFields = updateOwnership(current, next, opts.fieldManager, opts.subresource);
    else if (md.managedFields === undefined && cur.managedFields)
      md.managedFields = cur.managedFields;
    if (rt.tracksGeneration) {
      md.generation = cur.generation ?? 1;
      if (specChanged(current, next)) md.generation += 1;
    } else delete md.generation;
    this.validate(rt, next, current, false, opts);
    if (rt.group === 'apiextensions.k8s.io' && !opts.subresource) this.prepareCrd(next, false);
    if (sameObject(current, next)) return this.present(rt, current);
    if (opts.dryRun) return this.present(rt, next);
    const key = objectKey(cur.namespace, name);
    if (
      md.deletionTimestamp &&
      !(md.finalizers ?? []).length &&
      !(rt.group === '' && rt.plural === 'namespaces' && nsHasFinalizers(next))
    ) {
      this.commit(rt, key, next, 'MODIFIED', current);
      this.removeStored(rt, this.store(rt).objects.get(key)!);
      return this.present(rt, next);
    }
    this.commit(rt, key, next, 'MODIFIED', current);
    this.afterWrite(rt, next, current);
    return this.present(rt, this.store(rt).objects.get(key)!);
  }

  private commit(
    rt: ResourceType,
    key: string,
    obj: KubeObject,
    type: WatchEventType,
    old?: KubeObject,
  ): void {
    this.rv += 1;
    obj.metadata.resourceVersion = String(this.rv);
    const store = this.store(rt);
    const storage = this.storageOf(rt);
    if (old) this.unindexOwners(old, storage, key);
    store.put(key, obj, { type, object: obj, old, rv: this.rv });
    this.byUid.set(obj.metadata.uid!, { storage, key });
    this.indexOwners(obj, storage, key);
    if (rt.group === 'rbac.authorization.k8s.io') this.rbacGeneration++;
  }

  private removeStored(rt: ResourceType, obj: KubeObject): void {
    const key = objectKey(obj.metadata.namespace, obj.metadata.name!);
    const store = this.store(rt);
    if (!store.objects.has(key)) return;
    this.rv += 1;
    const gone: KubeObject = {
      ...obj,
      metadata: { ...obj.metadata, resourceVersion: String(this.rv) },
    };
    const storage = this.storageOf(rt);
    store.remove(key, { type: 'DELETED', object: gone, old: obj, rv: this.rv });
    this.byUid.delete(obj.metadata.uid!);
    this.unindexOwners(obj, storage, key);
    if (rt.group === 'rbac.authorization.k8s.io') this.rbacGeneration++;
    this.afterRemove(rt, obj);
  }

  private indexOwners(obj: KubeObject, storage: string, key: string): void {
    for (const ref of obj.metadata.ownerReferences ?? []) {
      let set = this.dependents.get(ref.uid);
      if (!set) this.dependents.set(ref.uid, (set = new Set()));
      set.add(`${storage}|${key}`);
    }
  }

  private unindexOwners(obj: KubeObject, storage: string, key: string): void {
    for (const ref of obj.metadata.ownerReferences ?? []) {
      const set = this.dependents.get(ref.uid);
      set?.delete(`${storage}|${key}`);
      if (set && set.size === 0) this.dependents.delete(ref.uid);
    }
  }

  private hasDependents(obj: KubeObject): boolean {
    return (this.dependents.get(obj.metadata.uid!)?.size ?? 0) > 0;
  }

  private dependentsOf(uid: string): { rt: ResourceType; obj: KubeObject }[] {
    const out: { rt: ResourceType; obj: KubeObject }[] = [];
    for (const loc of this.dependents.get(uid) ?? []) {
      const [storage, key] = splitOnce(loc, '|');
      const store = this.stores.get(storage);
      const obj = store?.objects.get(key);
      const rt = this.typeOfStorage(storage);
      if (obj && rt) out.push({ rt, obj });
    }
    return out;
  }

  private typeOfStorage(storage: string): ResourceType | undefined {
    const [group, plural] = splitOnce(storage, '/');
    return this.registry.preferred(group, plural);
  }

  private orphanDependents(owner: KubeObject): void {
    for (const { rt, obj } of this.dependentsOf(owner.metadata.uid!)) {
      const next = cloneJson(obj);
      next.metadata.ownerReferences = (next.metadata.ownerReferences ?? []).filter(
        (r) => r.uid !== owner.metadata.uid,
      );
      if (next.metadata.ownerReferences.length === 0) delete next.metadata.ownerReferences;
      this.commit(rt, objectKey(obj.metadata.namespace, obj.metadata.name!), next, 'MODIFIED', obj);
    }
  }

  /** Controllers' reactions run after the write returns, like real asynchronous controllers. */
  private enqueue(work: () => void, dedupeKey?: string): void {
    if (dedupeKey) {
      if (this.pendingKeys.has(dedupeKey)) return;
      this.pendingKeys.add(dedupeKey);
      const inner = work;
      work = () => {
        this.pendingKeys.delete(dedupeKey);
        inner();
      };
    }
    this.gcQueue.push(work);
    if (this.gcScheduled) return;
    this.gcScheduled = true;
    setImmediate(() => {
      this.gcScheduled = false;
      const batch = this.gcQueue.splice(0);
      for (const w of batch) {
        try {
          w();
        } catch (e) {
          if (!(e instanceof ApiError && (e.code === 404 || e.code === 409))) throw e;
        }
      }
    });
  }

  private afterWrite(rt: ResourceType, obj: KubeObject, _old: KubeObject | undefined): void {
    const md = obj.metadata;
    if (!md.deletionTimestamp) return;
    const finalizers = md.finalizers ?? [];
    if (rt.group === '' && rt.plural === 'namespaces')
      this.enqueue(() => this.terminateNamespace(md.name!), `ns:${md.name}`);
    if (finalizers.includes(FOREGROUND)) this.enqueue(() => this.foregroundDelete(rt, obj));
    if (finalizers.includes(ORPHAN))
      this.enqueue(() => {
        this.orphanDependents(obj);
        this.dropFinalizer(rt, obj, ORPHAN);
      });
    if (rt.group === 'apiextensions.k8s.io' && finalizers.includes(CRD_CLEANUP))
      this.enqueue(() => this.cleanupCrd(obj));
  }

  private afterRemove(rt: ResourceType, obj: KubeObject): void {
    const uid = obj.metadata.uid!;
    // Background garbage collection of dependents whose owners are all gone.
    if (this.dependents.has(uid)) {
      this.enqueue(() => {
        for (const dep of this.dependentsOf(uid)) {
          const alive = (dep.obj.metadata.ownerReferences ?? []).some(
            (r: OwnerReference) => r.uid !== uid && this.byUid.has(r.uid),
          );
          if (!alive)
            this.delete(dep.rt, dep.obj.metadata.namespace, dep.obj.metadata.name!, {
              propagationPolicy: 'Background',
            });
        }
      });
    }
    // An owner in foreground deletion waits for its last dependent.
    for (const ref of obj.metadata.ownerReferences ?? []) {
      const loc = this.byUid.get(ref.uid);
      if (!loc) continue;
      this.enqueue(() => {
        const ownerRt = this.typeOfStorage(loc.storage);
        const owner = this.stores.get(loc.storage)?.objects.get(loc.key);
        if (ownerRt && owner?.metadata.finalizers?.includes(FOREGROUND))
          this.foregroundDelete(ownerRt, owner);
      });
    }
    if (obj.metadata.namespace) {
      const ns = this.store(this.rt('', 'v1', 'namespaces')).objects.get(obj.metadata.namespace);
      if (ns?.metadata.deletionTimestamp)
        this.enqueue(() => this.terminateNamespace(ns.metadata.name!), `ns:${ns.metadata.name}`);
    }
    if (rt.group === 'apiextensions.k8s.io' && rt.plural === 'customresourcedefinitions') {
      this.registry.unregisterCrd(obj.metadata.name!);
    }
  }

  private foregroundDelete(rt: ResourceType, owner: KubeObject): void {
    const deps = this.dependentsOf(owner.metadata.uid!);
    for (const d of deps) {
      if (!d.obj.metadata.deletionTimestamp)
        this.delete(d.rt, d.obj.metadata.namespace, d.obj.metadata.name!, {
          propagationPolicy: 'Foreground',
        });
    }
    if (deps.length === 0) this.dropFinalizer(rt, owner, FOREGROUND);
  }

  private dropFinalizer(rt: ResourceType, obj: KubeObject, finalizer: string): void {
    const current = this.store(rt).objects.get(
      objectKey(obj.metadata.namespace, obj.metadata.name!),
    );
    if (!current?.metadata.finalizers?.includes(finalizer)) return;
    const next = cloneJson(current);
    next.metadata.finalizers = next.metadata.finalizers!.filter((f) => f !== finalizer);
    this.replace(rt, current, next, {});
  }

  /** The namespace controller: delete everything inside, then let the namespace go. */
  private terminateNamespace(name: string): void {
    const nsRt = this.rt('', 'v1', 'namespaces');
    const ns = this.store(nsRt).objects.get(name);
    if (!ns?.metadata.deletionTimestamp) return;
    let remaining = 0;
    for (const [storage, store] of this.stores) {
      const rt = this.typeOfStorage(storage);
      if (!rt?.namespaced) continue;
      for (const key of sliceByPrefix(store.keys(), `${name}/`)) {
        const obj = store.objects.get(key);
        if (!obj) continue;
        remaining++;
        if (!obj.metadata.deletionTimestamp) this.delete(rt, name, obj.metadata.name!, {});
      }
    }
    if (remaining > 0 && this.namespaceHasContent(name)) return;
    const current = this.store(nsRt).objects.get(name)!;
    if (nsHasFinalizers(current)) {
      const next = cloneJson(current);
      next.spec = { ...(isObject(next.spec) ? next.spec : {}), finalizers: [] };
      this.rv += 1;
      next.metadata.resourceVersion = String(this.rv);
      this.store(nsRt).put(name, next, {
        type: 'MODIFIED',
        object: next,
        old: current,
        rv: this.rv,
      });
    }
    const latest = this.store(nsRt).objects.get(name)!;
    if (!(latest.metadata.finalizers ?? []).length) this.removeStored(nsRt, latest);
  }

  private namespaceHasContent(name: string): boolean {
    for (const [storage, store] of this.stores) {
      if (!this.typeOfStorage(storage)?.namespaced) continue;
      if (sliceByPrefix(store.keys(), `${name}/`).length > 0) return true;
    }
    return false;
  }

  private prepareCrd(crd: KubeObject, isCreate: boolean): void {
    const spec = isObject(crd.spec) ? crd.spec : {};
    const names = isObject(spec.names) ? spec.names : {};
    const expected = `${String(names.plural)}.${String(spec.group)}`;
    if (crd.metadata.name !== expected) {
      throw errors.invalid(
        'CustomResourceDefinition',
        'apiextensions.k8s.io',
        crd.metadata.name ?? '',
        [
          {
            field: 'metadata.name',
            message: `Invalid value: "${crd.metadata.name}": must be spec.names.plural+"."+spec.group`,
          },
        ],
      );
    }
    try {
      // Registering validates the spec; a clash with another served kind is refused.
      this.registry.registerCrd(crd);
    } catch (e) {
      throw errors.invalid('CustomResourceDefinition', 'apiextensions.k8s.io', crd.metadata.name, [
        { field: 'spec', message: e instanceof Error ? e.message : String(e) },
      ]);
    }
    if (isCreate) {
      crd.metadata.finalizers = [...new Set([...(crd.metadata.finalizers ?? []), CRD_CLEANUP])];
    }
    const now = kubeTime();
    crd.status = {
      acceptedNames: names,
      storedVersions: (Array.isArray(spec.versions) ? spec.versions : [])
        .filter(isObject)
        .filter((v) => v.storage)
        .map((v) => v.name),
      conditions: [
        {
          type: 'NamesAccepted',
          status: 'True',
          reason: 'NoConflicts',
          message: 'no conflicts found',
          lastTransitionTime: now,
        },
        {
          type: 'Established',
          status: 'True',
          reason: 'InitialNamesAccepted',
          message: 'the initial names have been accepted',
          lastTransitionTime: now,
        },
      ],
    };
  }

  /** Deleting a CRD deletes all its objects first, then the CRD stops being served. */
  private cleanupCrd(crd: KubeObject): void {
    const spec = crd.spec as JsonObject;
    const group = String(spec.group);
    const plural = String((spec.names as JsonObject).plural);
    const rt = this.registry.preferred(group, plural);
    if (rt) {
      const store = this.store(rt);
      let waiting = 0;
      for (const key of [...store.keys()]) {
        const obj = store.objects.get(key);
        if (!obj) continue;
        if (!obj.metadata.deletionTimestamp)
          this.delete(rt, obj.metadata.namespace, obj.metadata.name!, {});
        if (store.objects.has(key)) waiting++;
      }
      if (waiting > 0) {
        setTimeout(() => this.enqueue(() => this.cleanupCrd(crd)), 50);
        return;
      }
    }
    this.dropFinalizer(
      this.rt('apiextensions.k8s.io', 'v1', 'customresourcedefinitions'),
      crd,
      CRD_CLEANUP,
    );
  }
}

// ---- helpers ----------------------------------------------------------------------------------

function nsHasFinalizers(ns: KubeObject): boolean {
  const spec = ns.spec;
  return isObject(spec) && Array.isArray(spec.finalizers) && spec.finalizers.length > 0;
}

function specChanged(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    const { metadata: _m, status: _s, ...rest } = o;
    return JSON.stringify(rest);
  };
  return strip(a) !== strip(b);
}

/** A write that changes nothing keeps the old resourceVersion and emits no event. */
function sameObject(a: KubeObject, b: KubeObject): boolean {
  const norm = (o: KubeObject) =>
    JSON.stringify({
      ...o,
      metadata: { ...o.metadata, resourceVersion: undefined, managedFields: undefined },
    });
  return norm(a) === norm(b);
}

function randomSuffix(): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let s = '';
  for (let i = 0; i < 5; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}

function splitOnce(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return [s.slice(0, i), s.slice(i + 1)];
}

/** First index whose key is greater than `key` in a sorted array. */
function upperBound(keys: string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid] <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function lowerBound(keys: string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function sliceByPrefix(keys: string[], prefix: string): string[] {
  const start = lowerBound(keys, prefix);
  let end = start;
  while (end < keys.length && keys[end].startsWith(prefix)) end++;
  return keys.slice(start, end);
}

function encodeContinue(lastKey: string, rv: number): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: lastKey })).toString(
    'base64url',
  );
}

function decodeContinue(token: string): { start: string; rv?: number } {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (isObject(parsed) && typeof parsed.start === 'string')
      return {
        start: parsed.start,
        rv: typeof parsed.rv === 'number' && Number.isInteger(parsed.rv) ? parsed.rv : undefined,
      };
  } catch {
    // fall through to the error below
  }
  throw errors.badRequest(
    'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
  );
}
