// Validation of rendered chart objects, kind by kind:
// - Kubernetes kinds with the kubernetes-models validators (the Kubernetes OpenAPI schemas:
//   types, required fields, formats), plus an unknown-field check against the field lists of
//   @kubernetes/client-node's models (the kubernetes-models schemas accept unknown fields, which
//   the API server would drop or, with strict field validation, refuse);
// - ConsolePlugin against its console.openshift.io/v1 schema (schemas/consoleplugin-v1.yaml) with
//   the simulator's structural-schema validator, unknown fields included;
// - CustomResourceDefinitions as apiextensions.k8s.io/v1 objects whose schemas are structural.
// Anything of a kind it has no schema for is a problem too: nothing passes unchecked.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { CustomResourceDefinition } from 'kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import YAML from 'yaml';
import { validateAndPrune } from '../../sim/apiserver/schema.js';
import type { JsonObject } from '../../sim/apiserver/types.js';

type Obj = Record<string, unknown>;

interface Model {
  validate(): void;
}

interface KindInfo {
  /** A kubernetes-models class: constructing and validating it checks the Kubernetes schema. */
  model: new (data: never) => Model;
  /** The @kubernetes/client-node model whose attribute map lists the known fields. */
  fields: string;
  namespaced: boolean;
}

const KINDS: Record<string, KindInfo> = {
  'v1/Namespace': { model: Namespace, fields: 'V1Namespace', namespaced: false },
  'v1/Service': { model: Service, fields: 'V1Service', namespaced: true },
  'v1/ServiceAccount': { model: ServiceAccount, fields: 'V1ServiceAccount', namespaced: true },
  'apps/v1/Deployment': { model: Deployment, fields: 'V1Deployment', namespaced: true },
  'batch/v1/Job': { model: Job, fields: 'V1Job', namespaced: true },
  'networking.k8s.io/v1/NetworkPolicy': {
    model: NetworkPolicy,
    fields: 'V1NetworkPolicy',
    namespaced: true,
  },
  'policy/v1/PodDisruptionBudget': {
    model: PodDisruptionBudget,
    fields: 'V1PodDisruptionBudget',
    namespaced: true,
  },
  'rbac.authorization.k8s.io/v1/ClusterRole': {
    model: ClusterRole,
    fields: 'V1ClusterRole',
    namespaced: false,
  },
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': {
    model: ClusterRoleBinding,
    fields: 'V1ClusterRoleBinding',
    namespaced: false,
  },
  'rbac.authorization.k8s.io/v1/Role': { model: Role, fields: 'V1Role', namespaced: true },
  'rbac.authorization.k8s.io/v1/RoleBinding': {
    model: RoleBinding,
    fields: 'V1RoleBinding',
    namespaced: true,
  },
  'apiextensions.k8s.io/v1/CustomResourceDefinition': {
    model: CustomResourceDefinition,
    fields: 'V1CustomResourceDefinition',
    namespaced: false,
  },
};

// ---- unknown fields, from client-node's models ---------------------------------------------

interface Attribute {
  baseName: string;
  type: string;
}

type ModelClass = { getAttributeTypeMap(): Attribute[] };

function modelClass(name: string): ModelClass | undefined {
  const c = (k8s as unknown as Record<string, unknown>)[name];
  return typeof c === 'function' && 'getAttributeTypeMap' in c ? (c as ModelClass) : undefined;
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Paths of fields that the model `type` does not declare. */
export function unknownFields(value: unknown, type: string, at = ''): string[] {
  const list = /^Array<(.+)>$/.exec(type);
  if (list) {
    if (!Array.isArray(value)) return [];
    return value.flatMap((v, i) => unknownFields(v, list[1], `${at}[${i}]`));
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (!isObj(value)) return [];
    return Object.entries(value).flatMap(([k, v]) => unknownFields(v, map[1], `${at}.${k}`));
  }
  const cls = modelClass(type);
  if (!cls || !isObj(value)) return [];
  const attrs = new Map(cls.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  return Object.entries(value).flatMap(([k, v]) => {
    const t = attrs.get(k);
    return t === undefined ? [`${at}.${k}`] : unknownFields(v, t, `${at}.${k}`);
  });
}

// ---- custom kinds ----------------------------------------------------------------------------

const here = path.dirname(new URL(import.meta.url).pathname);
export const consolePluginSchema = YAML.parse(
  readFileSync(path.join(here, 'schemas/consoleplugin-v1.yaml'), 'utf8'),
) as JsonObject;

/** Errors of a custom object against a structural schema, unknown (pruned) fields included. */
export function schemaErrors(obj: Obj, schema: JsonObject): string[] {
  const copy = structuredClone(obj);
  const pruned: string[] = [];
  const causes = validateAndPrune(copy, schema, undefined, pruned);
  return [
    ...causes.map((c) => `${c.field}: ${c.message}`),
    ...pruned.map((p) => `${p}: unknown field`),
  ];
}

function consolePluginErrors(obj: Obj): string[] {
  const errors = schemaErrors(obj, consolePluginSchema);
  const proxies = ((obj.spec as Obj | undefined)?.proxy ?? []) as { alias?: string }[];
  const aliases = proxies.map((p) => p.alias);
  for (const a of new Set(aliases))
    if (aliases.filter((x) => x === a).length > 1)
      errors.push(`spec.proxy: alias ${a} is not unique`);
  return errors;
}

/** A structural schema: every node says its type, unless it is int-or-string or preserved. */
export function structuralErrors(schema: unknown, at: string): string[] {
  if (!isObj(schema)) return [`${at}: not a schema`];
  const errors: string[] = [];
  const free =
    schema['x-kubernetes-int-or-string'] === true ||
    schema['x-kubernetes-preserve-unknown-fields'] === true;
  if (!free && typeof schema.type !== 'string') errors.push(`${at}: type is missing`);
  if (isObj(schema.properties))
    for (const [k, v] of Object.entries(schema.properties))
      errors.push(...structuralErrors(v, `${at}.properties.${k}`));
  if (schema.items !== undefined) errors.push(...structuralErrors(schema.items, `${at}.items`));
  if (isObj(schema.additionalProperties))
    errors.push(...structuralErrors(schema.additionalProperties, `${at}.additionalProperties`));
  return errors;
}

function crdErrors(obj: Obj): string[] {
  const errors: string[] = [];
  const spec = obj.spec as Obj;
  const names = spec.names as Obj;
  const name = (obj.metadata as Obj).name;
  if (name !== `${String(names.plural)}.${String(spec.group)}`)
    errors.push(`metadata.name must be <plural>.<group>, got ${String(name)}`);
  const versions = spec.versions as Obj[];
  if (versions.filter((v) => v.storage === true).length !== 1)
    errors.push('spec.versions: exactly one version must be the storage version');
  for (const v of versions) {
    const schema = (v.schema as Obj | undefined)?.openAPIV3Schema;
    if (!schema) errors.push(`spec.versions[${String(v.name)}]: no openAPIV3Schema`);
    else errors.push(...structuralErrors(schema, `spec.versions[${String(v.name)}].schema`));
  }
  return errors;
}

// ---- the entry point -------------------------------------------------------------------------

/** Everything wrong with one rendered object; empty when it is valid. */
export function validateObject(obj: Obj): string[] {
  const apiVersion = obj.apiVersion;
  const kind = obj.kind;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string')
    return ['apiVersion and kind are required'];
  const metadata = isObj(obj.metadata) ? obj.metadata : undefined;
  if (typeof metadata?.name !== 'string' || !metadata.name) return ['metadata.name is required'];
  const key = `${apiVersion}/${kind}`;
  if (key === 'console.openshift.io/v1/ConsolePlugin') {
    const errors = consolePluginErrors(obj);
    if ('namespace' in metadata) errors.push('metadata.namespace: ConsolePlugin is cluster-scoped');
    return errors;
  }
  const info = KINDS[key];
  if (!info) return [`no schema for ${key}: add it to tools/helm/validate.ts`];
  const errors: string[] = [];
  try {
    new info.model(obj as never).validate();
  } catch (e) {
    errors.push(...(e instanceof Error ? e.message : String(e)).split(', '));
  }
  errors.push(...unknownFields(obj, info.fields).map((p) => `${p.slice(1)}: unknown field`));
  if (info.namespaced && typeof metadata.namespace !== 'string')
    errors.push(`metadata.namespace: a ${kind} must say its namespace`);
  if (!info.namespaced && 'namespace' in metadata)
    errors.push(`metadata.namespace: ${kind} is cluster-scoped`);
  if (kind === 'CustomResourceDefinition' && errors.length === 0) errors.push(...crdErrors(obj));
  return errors;
}
