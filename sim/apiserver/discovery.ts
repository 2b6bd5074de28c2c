// Discovery documents (/api, /apis, /apis/<group>[/<version>]) and the minimal OpenAPI v3
// documents kubectl needs to leave validation to the server (see fleet-sim.md §5).
import { createHash } from 'node:crypto';
import type { ResourceRegistry, ResourceType } from './resources.js';
import { apiVersionOf } from './resources.js';
import type { JsonObject } from './types.js';

export const KUBE_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.4-sim',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-11-01T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export function apiVersions(serverAddress: string): JsonObject {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupEntry(name: string, versions: string[]): JsonObject {
  const list = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: list, preferredVersion: list[0] };
}

export function apiGroupList(registry: ResourceRegistry): JsonObject {
  const groups = [...registry.groups()]
    .filter(([g]) => g !== '')
    .map(([g, vs]) => groupEntry(g, vs));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function apiGroup(registry: ResourceRegistry, group: string): JsonObject | undefined {
  const versions = registry.groups().get(group);
  if (!versions || group === '') return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(group, versions) };
}

export function apiResourceList(
  registry: ResourceRegistry,
  group: string,
  version: string,
): JsonObject | undefined {
  const types = registry.inGroupVersion(group, version);
  if (types.length === 0) return undefined;
  const resources: JsonObject[] = [];
  for (const rt of types) {
    resources.push({
      name: rt.plural,
      singularName: rt.singular,
      namespaced: rt.namespaced,
      kind: rt.kind,
      verbs: rt.verbs,
      ...(rt.shortNames.length ? { shortNames: rt.shortNames } : {}),
      ...(rt.categories.length ? { categories: rt.categories } : {}),
      storageVersionHash: createHash('sha256')
        .update(`${rt.group}/${rt.version}/${rt.kind}`)
        .digest('base64')
        .slice(0, 11),
    });
    for (const sub of rt.subresources) {
      const kind = sub === 'token' ? 'TokenRequest' : rt.kind;
      const group2 = sub === 'token' ? { group: 'authentication.k8s.io', version: 'v1' } : {};
      const verbs =
        sub === 'token' ? ['create'] : sub === 'finalize' ? ['update'] : ['get', 'patch', 'update'];
      resources.push({
        name: `${rt.plural}/${sub}`,
        singularName: '',
        namespaced: rt.namespaced,
        kind,
        verbs,
        ...group2,
      });
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersionOf({ group, version }),
    resources,
  };
}

// ---- OpenAPI v3 ---------------------------------------------------------------------------------

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

const queryParam = (name: string, description: string): JsonObject => ({
  name,
  in: 'query',
  description,
  schema: { type: 'string', uniqueItems: true },
});

const WRITE_PARAMS = [
  queryParam('dryRun', 'When present, indicates that modifications should not be persisted.'),
  queryParam(
    'fieldManager',
    'fieldManager is a name associated with the actor or entity that is making these changes.',
  ),
  queryParam(
    'fieldValidation',
    'Ignore, Warn or Strict: how the server treats unknown or duplicate fields.',
  ),
];

function resourcePaths(rt: ResourceType): Record<string, JsonObject> {
  const base = `/${gvPath(rt.group, rt.version)}${rt.namespaced ? '/namespaces/{namespace}' : ''}/${rt.plural}`;
  const gvk = { group: rt.group, version: rt.version, kind: rt.kind };
  const op = (action: string, params: JsonObject[] = []): JsonObject => ({
    operationId: `${action}${rt.kind}`,
    parameters: params,
    responses: { '200': { description: 'OK' } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
  });
  if (rt.virtual) return { [base]: { post: op('post', WRITE_PARAMS) } };
  return {
    [base]: { get: op('list'), post: op('post', WRITE_PARAMS), delete: op('deletecollection') },
    [`${base}/{name}`]: {
      get: op('get'),
      put: op('put', WRITE_PARAMS),
      patch: op('patch', [
        ...WRITE_PARAMS,
        queryParam('force', 'Force is going to "force" Apply requests.'),
      ]),
      delete: op('delete'),
    },
  };
}

export function openApiDocument(
  registry: ResourceRegistry,
  group: string,
  version: string,
): JsonObject | undefined {
  const types = registry.inGroupVersion(group, version);
  if (types.length === 0) return undefined;
  const paths: Record<string, JsonObject> = {};
  for (const rt of types) Object.assign(paths, resourcePaths(rt));
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: KUBE_VERSION.gitVersion },
    paths,
    components: { schemas: {} },
  };
}

export function openApiIndex(registry: ResourceRegistry): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const [group, versions] of registry.groups()) {
    for (const v of versions) {
      const doc = openApiDocument(registry, group, v);
      const hash = createHash('sha512')
        .update(JSON.stringify(doc))
        .digest('hex')
        .slice(0, 64)
        .toUpperCase();
      paths[gvPath(group, v)] = {
        serverRelativeURL: `/openapi/v3/${gvPath(group, v)}?hash=${hash}`,
      };
    }
  }
  return { paths };
}
