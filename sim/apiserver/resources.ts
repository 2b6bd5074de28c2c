// The registry of served resource types: the built-in kinds the simulator implements and every
// kind a CustomResourceDefinition adds. Discovery, routing, validation and Table output read it.
import type { JsonObject, KubeObject } from './types.js';
import { isObject, text } from './types.js';

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath?: string;
  description?: string;
  format?: string;
  priority?: number;
}

export interface ResourceType {
  group: string;
  version: string;
  /** Versions served for this group/resource (they share one storage, no conversion). */
  versions: string[];
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  subresources: string[];
  /** Writes to the main resource ignore `status`; `/status` writes change only `status`. */
  hasStatus: boolean;
  /** Built-ins carry no generation (ConfigMap, Secret…); custom resources always do. */
  tracksGeneration: boolean;
  /** Review kinds (access reviews, TokenReview) are answered, never stored. */
  virtual: boolean;
  /** openAPIV3Schema of a custom resource, for validation and pruning. */
  schema?: JsonObject;
  printerColumns?: PrinterColumn[];
  builtin: boolean;
}

const CRUD = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** `${group}/${plural}`: one storage per group-resource whatever the version. */
export function storageKey(group: string, plural: string): string {
  return `${group}/${plural}`;
}

export function apiVersionOf(rt: { group: string; version: string }): string {
  return rt.group ? `${rt.group}/${rt.version}` : rt.version;
}

function builtin(
  group: string,
  version: string,
  kind: string,
  plural: string,
  opts: Partial<ResourceType> = {},
): ResourceType {
  return {
    group,
    version,
    versions: [version],
    plural,
    singular: kind.toLowerCase(),
    kind,
    listKind: `${kind}List`,
    namespaced: true,
    shortNames: [],
    categories: [],
    verbs: CRUD,
    subresources: [],
    hasStatus: false,
    tracksGeneration: false,
    virtual: false,
    builtin: true,
    ...opts,
  };
}

const reviewVerbs = ['create'];

export const BUILTIN_RESOURCES: ResourceType[] = [
  builtin('', 'v1', 'Namespace', 'namespaces', {
    namespaced: false,
    shortNames: ['ns'],
    subresources: ['status', 'finalize'],
    hasStatus: true,
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  }),
  builtin('', 'v1', 'Secret', 'secrets'),
  builtin('', 'v1', 'ConfigMap', 'configmaps', { shortNames: ['cm'] }),
  builtin('', 'v1', 'ServiceAccount', 'serviceaccounts', {
    shortNames: ['sa'],
    subresources: ['token'],
  }),
  builtin('', 'v1', 'Event', 'events', { shortNames: ['ev'] }),
  builtin('events.k8s.io', 'v1', 'Event', 'events', { shortNames: ['ev'] }),
  builtin('coordination.k8s.io', 'v1', 'Lease', 'leases'),
  builtin('rbac.authorization.k8s.io', 'v1', 'Role', 'roles'),
  builtin('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings'),
  builtin('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', { namespaced: false }),
  builtin('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', {
    namespaced: false,
  }),
  builtin('authorization.k8s.io', 'v1', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', {
    namespaced: false,
    verbs: reviewVerbs,
    virtual: true,
  }),
  builtin('authorization.k8s.io', 'v1', 'SelfSubjectRulesReview', 'selfsubjectrulesreviews', {
    namespaced: false,
    verbs: reviewVerbs,
    virtual: true,
  }),
  builtin('authorization.k8s.io', 'v1', 'SubjectAccessReview', 'subjectaccessreviews', {
    namespaced: false,
    verbs: reviewVerbs,
    virtual: true,
  }),
  builtin('authorization.k8s.io', 'v1', 'LocalSubjectAccessReview', 'localsubjectaccessreviews', {
    verbs: reviewVerbs,
    virtual: true,
  }),
  builtin('authentication.k8s.io', 'v1', 'TokenReview', 'tokenreviews', {
    namespaced: false,
    verbs: reviewVerbs,
    virtual: true,
  }),
  builtin('authentication.k8s.io', 'v1', 'SelfSubjectReview', 'selfsubjectreviews', {
    namespaced: false,
    verbs: reviewVerbs,
    virtual: true,
  }),
  builtin('certificates.k8s.io', 'v1', 'CertificateSigningRequest', 'certificatesigningrequests', {
    namespaced: false,
    shortNames: ['csr'],
    subresources: ['status', 'approval'],
    hasStatus: true,
  }),
  builtin('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', {
    namespaced: false,
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    subresources: ['status'],
    hasStatus: true,
    tracksGeneration: true,
  }),
];

/**
 * Kubernetes' version priority (discovery lists the preferred version first): GA before beta
 * before alpha, higher numbers first, e.g. v1, v1beta2, v1beta1, v1alpha1.
 */
export function byVersionPriority(a: string, b: string): number {
  const rank = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [3, 0, 0];
    const stage = m[2] === undefined ? 0 : m[2] === 'beta' ? 1 : 2;
    return [stage, -Number(m[1]), -Number(m[3] ?? 0)];
  };
  const [x, y] = [rank(a), rank(b)];
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2] || a.localeCompare(b);
}

/** Reads one served version of a CRD as a ResourceType; throws with a reason when malformed. */
export function resourceTypesFromCrd(crd: KubeObject): ResourceType[] {
  const spec = crd.spec;
  if (!isObject(spec)) throw new Error('spec is required');
  const names = spec.names;
  if (!isObject(names) || typeof names.plural !== 'string' || typeof names.kind !== 'string') {
    throw new Error('spec.names.plural and spec.names.kind are required');
  }
  if (typeof spec.group !== 'string' || !spec.group) throw new Error('spec.group is required');
  const versions = Array.isArray(spec.versions) ? spec.versions.filter(isObject) : [];
  const served = versions.filter((v) => v.served !== false && typeof v.name === 'string');
  if (served.length === 0) throw new Error('spec.versions must serve at least one version');
  const allNames = served.map((v) => String(v.name)).sort(byVersionPriority);
  return served.map((v) => {
    const subresources = isObject(v.subresources) ? v.subresources : {};
    const schema =
      isObject(v.schema) && isObject(v.schema.openAPIV3Schema)
        ? v.schema.openAPIV3Schema
        : undefined;
    const columns = Array.isArray(v.additionalPrinterColumns)
      ? v.additionalPrinterColumns.filter(isObject).map((c): PrinterColumn => ({
          name: String(c.name),
          type: text(c.type) || 'string',
          jsonPath: typeof c.jsonPath === 'string' ? c.jsonPath : undefined,
          description: typeof c.description === 'string' ? c.description : undefined,
          format: typeof c.format === 'string' ? c.format : undefined,
          priority: typeof c.priority === 'number' ? c.priority : 0,
        }))
      : undefined;
    const plural = names.plural as string;
    const kind = names.kind as string;
    return {
      group: spec.group as string,
      version: String(v.name),
      versions: allNames,
      plural,
      singular: typeof names.singular === 'string' ? names.singular : kind.toLowerCase(),
      kind,
      listKind: typeof names.listKind === 'string' ? names.listKind : `${kind}List`,
      namespaced: spec.scope !== 'Cluster',
      shortNames: Array.isArray(names.shortNames) ? names.shortNames.map(String) : [],
      categories: Array.isArray(names.categories) ? names.categories.map(String) : [],
      verbs: CRUD,
      subresources: 'status' in subresources ? ['status'] : [],
      hasStatus: 'status' in subresources,
      tracksGeneration: true,
      virtual: false,
      schema,
      printerColumns: columns,
      builtin: false,
    };
  });
}

/** All served types, looked up by group/version/plural and by group/plural. */
export class ResourceRegistry {
  private readonly byGvr = new Map<string, ResourceType>();
  private readonly crdOwned = new Map<string, string[]>();

  constructor() {
    for (const rt of BUILTIN_RESOURCES) this.add(rt);
  }

  private add(rt: ResourceType): void {
    this.byGvr.set(`${rt.group}/${rt.version}/${rt.plural}`, rt);
  }

  get(group: string, version: string, plural: string): ResourceType | undefined {
    return this.byGvr.get(`${group}/${version}/${plural}`);
  }

  /** The preferred (first served) version of a group-resource. */
  preferred(group: string, plural: string): ResourceType | undefined {
    for (const rt of this.byGvr.values()) {
      if (rt.group === group && rt.plural === plural && rt.version === rt.versions[0]) return rt;
    }
    return undefined;
  }

  findByKind(group: string, kind: string): ResourceType | undefined {
    for (const rt of this.byGvr.values()) if (rt.group === group && rt.kind === kind) return rt;
    return undefined;
  }

  all(): ResourceType[] {
    return [...this.byGvr.values()];
  }

  /** group → served versions, preferred first, in the order groups appeared. */
  groups(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const rt of this.byGvr.values()) {
      const list = out.get(rt.group) ?? [];
      for (const v of rt.versions) if (!list.includes(v)) list.push(v);
      out.set(rt.group, list);
    }
    return out;
  }

  inGroupVersion(group: string, version: string): ResourceType[] {
    return this.all().filter((rt) => rt.group === group && rt.version === version);
  }

  /** Serves (or re-serves, after an update) the kinds of a CRD; throws when it clashes with another type. */
  registerCrd(crd: KubeObject): ResourceType[] {
    const types = resourceTypesFromCrd(crd);
    const crdName = crd.metadata.name ?? '';
    const mine = new Set(this.crdOwned.get(crdName) ?? []);
    for (const rt of types) {
      const key = `${rt.group}/${rt.version}/${rt.plural}`;
      const existing = this.byGvr.get(key);
      if (existing && !mine.has(key)) {
        throw new Error(`${rt.plural}.${rt.group} ${rt.version} is already served`);
      }
    }
    this.unregisterCrd(crdName);
    for (const rt of types) this.add(rt);
    this.crdOwned.set(
      crdName,
      types.map((rt) => `${rt.group}/${rt.version}/${rt.plural}`),
    );
    return types;
  }

  unregisterCrd(crdName: string): void {
    for (const key of this.crdOwned.get(crdName) ?? []) this.byGvr.delete(key);
    this.crdOwned.delete(crdName);
  }
}
