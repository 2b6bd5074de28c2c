// Object metadata validation and the built-in kinds' defaulting and validation rules.
import type { StatusCause } from './errors.js';
import type { ResourceType } from './resources.js';
import type { KubeObject } from './types.js';
import { isObject } from './types.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function nameRule(rt: ResourceType): 'label' | 'subdomain' | 'segment' {
  if (rt.group === '' && rt.plural === 'namespaces') return 'label';
  if (rt.group === 'rbac.authorization.k8s.io') return 'segment';
  if (rt.plural === 'events') return 'segment';
  return 'subdomain';
}

export function validateName(
  name: string,
  rule: 'label' | 'subdomain' | 'segment',
): string | undefined {
  if (rule === 'segment') {
    if (name === '.' || name === '..' || /[/%]/.test(name))
      return `may not be '.' or '..' and may not contain '/' or '%'`;
    return undefined;
  }
  if (rule === 'label') {
    if (name.length > 63 || !DNS_LABEL.test(name)) {
      return `a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`;
    }
    return undefined;
  }
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    return `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;
  }
  return undefined;
}

export function validateMetadata(obj: KubeObject, rt: ResourceType): StatusCause[] {
  const causes: StatusCause[] = [];
  const md = obj.metadata;
  const name = md.name ?? '';
  const why = validateName(name, nameRule(rt));
  if (why) causes.push({ field: 'metadata.name', message: `Invalid value: "${name}": ${why}` });
  for (const [field, map] of [
    ['metadata.labels', md.labels],
    ['metadata.annotations', md.annotations],
  ] as const) {
    if (map === undefined || map === null) continue;
    if (!isObject(map)) {
      causes.push({
        field,
        reason: 'FieldValueTypeInvalid',
        message: 'must be a map of string to string',
      });
      continue;
    }
    let size = 0;
    for (const [k, v] of Object.entries(map)) {
      if (!QUALIFIED_NAME.test(k) || k.split('/').pop()!.length > 63) {
        causes.push({
          field,
          message: `Invalid value: "${k}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
        });
      }
      if (typeof v !== 'string') {
        causes.push({
          field: `${field}.${k}`,
          reason: 'FieldValueTypeInvalid',
          message: `must be a string`,
        });
      } else if (field === 'metadata.labels' && (v.length > 63 || !LABEL_VALUE.test(v))) {
        causes.push({
          field,
          message: `Invalid value: "${v}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
        });
      }
      size += k.length + (typeof v === 'string' ? v.length : 0);
    }
    if (field === 'metadata.annotations' && size > 262144) {
      causes.push({
        field,
        reason: 'FieldValueTooLong',
        message: 'Too long: must have at most 262144 bytes',
      });
    }
  }
  if (
    md.finalizers !== undefined &&
    (!Array.isArray(md.finalizers) || md.finalizers.some((f) => typeof f !== 'string'))
  ) {
    causes.push({
      field: 'metadata.finalizers',
      reason: 'FieldValueTypeInvalid',
      message: 'must be a list of strings',
    });
  }
  if (md.ownerReferences !== undefined) {
    if (!Array.isArray(md.ownerReferences)) {
      causes.push({
        field: 'metadata.ownerReferences',
        reason: 'FieldValueTypeInvalid',
        message: 'must be a list',
      });
    } else {
      md.ownerReferences.forEach((ref, i) => {
        for (const f of ['apiVersion', 'kind', 'name', 'uid'] as const) {
          if (!isObject(ref) || typeof ref[f] !== 'string' || ref[f] === '') {
            causes.push({
              field: `metadata.ownerReferences[${i}].${f}`,
              reason: 'FieldValueRequired',
              message: 'Required value',
            });
          }
        }
      });
    }
  }
  return causes;
}

/** Defaults and validates a built-in kind in place; returns the field errors. */
export function prepareBuiltin(
  obj: KubeObject,
  rt: ResourceType,
  isCreate: boolean,
): StatusCause[] {
  const causes: StatusCause[] = [];
  const key = `${rt.group}/${rt.plural}`;
  switch (key) {
    case '/namespaces': {
      if (isCreate) {
        obj.spec = { finalizers: ['kubernetes'] };
        obj.status = { phase: 'Active' };
      }
      break;
    }
    case '/secrets': {
      obj.type ??= 'Opaque';
      const data: Record<string, string> = isObject(obj.data)
        ? (obj.data as Record<string, string>)
        : {};
      for (const [k, v] of Object.entries(data)) {
        if (typeof v !== 'string' || !BASE64.test(v) || v.length % 4 !== 0) {
          causes.push({
            field: `data[${k}]`,
            message: `Invalid value: "<secret contents redacted>": illegal base64 data`,
          });
        }
      }
      // stringData is write-only: it is folded into data and never stored.
      if (isObject(obj.stringData)) {
        for (const [k, v] of Object.entries(obj.stringData))
          data[k] = Buffer.from(String(v)).toString('base64');
        delete obj.stringData;
      }
      if (Object.keys(data).length > 0) obj.data = data;
      for (const k of Object.keys(data)) {
        if (!/^[-._a-zA-Z0-9]+$/.test(k))
          causes.push({
            field: `data[${k}]`,
            message: `Invalid value: "${k}": a valid config key must consist of alphanumeric characters, '-', '_' or '.'`,
          });
      }
      break;
    }
    case '/configmaps': {
      if (obj.data !== undefined) {
        if (!isObject(obj.data))
          causes.push({
            field: 'data',
            reason: 'FieldValueTypeInvalid',
            message: 'must be a map of string to string',
          });
        else
          for (const [k, v] of Object.entries(obj.data)) {
            if (typeof v !== 'string')
              causes.push({
                field: `data[${k}]`,
                reason: 'FieldValueTypeInvalid',
                message: 'must be a string',
              });
            if (!/^[-._a-zA-Z0-9]+$/.test(k))
              causes.push({
                field: `data[${k}]`,
                message: `Invalid value: "${k}": a valid config key must consist of alphanumeric characters, '-', '_' or '.'`,
              });
          }
      }
      const size =
        JSON.stringify(obj.data ?? {}).length + JSON.stringify(obj.binaryData ?? {}).length;
      if (size > 1048576)
        causes.push({
          field: '[]',
          reason: 'FieldValueTooLong',
          message: 'Too long: must have at most 1048576 bytes',
        });
      break;
    }
    case 'coordination.k8s.io/leases': {
      if (obj.spec !== undefined && !isObject(obj.spec))
        causes.push({
          field: 'spec',
          reason: 'FieldValueTypeInvalid',
          message: 'must be an object',
        });
      const spec = isObject(obj.spec) ? obj.spec : {};
      if (
        spec.leaseDurationSeconds !== undefined &&
        (typeof spec.leaseDurationSeconds !== 'number' || spec.leaseDurationSeconds <= 0)
      ) {
        causes.push({
          field: 'spec.leaseDurationSeconds',
          message: 'Invalid value: must be greater than 0',
        });
      }
      break;
    }
    case 'rbac.authorization.k8s.io/roles':
    case 'rbac.authorization.k8s.io/clusterroles': {
      const rules = obj.rules ?? [];
      if (!Array.isArray(rules))
        causes.push({ field: 'rules', reason: 'FieldValueTypeInvalid', message: 'must be a list' });
      else
        rules.forEach((r, i) => {
          if (!isObject(r) || !Array.isArray(r.verbs) || r.verbs.length === 0) {
            causes.push({
              field: `rules[${i}].verbs`,
              reason: 'FieldValueRequired',
              message: 'Required value: verbs must contain at least one value',
            });
          } else if (!Array.isArray(r.nonResourceURLs) && !Array.isArray(r.resources)) {
            causes.push({
              field: `rules[${i}].resources`,
              reason: 'FieldValueRequired',
              message: 'Required value: resource rules must supply at least one resource',
            });
          }
        });
      break;
    }
    case 'rbac.authorization.k8s.io/rolebindings':
    case 'rbac.authorization.k8s.io/clusterrolebindings': {
      const ref = obj.roleRef;
      if (!isObject(ref) || typeof ref.name !== 'string' || typeof ref.kind !== 'string') {
        causes.push({
          field: 'roleRef',
          reason: 'FieldValueRequired',
          message: 'Required value: roleRef.kind and roleRef.name are required',
        });
      } else if (key.endsWith('/clusterrolebindings') && ref.kind !== 'ClusterRole') {
        causes.push({
          field: 'roleRef.kind',
          reason: 'FieldValueNotSupported',
          message: `Unsupported value: "${ref.kind}": supported values: "ClusterRole"`,
        });
      }
      if (obj.subjects !== undefined && !Array.isArray(obj.subjects)) {
        causes.push({
          field: 'subjects',
          reason: 'FieldValueTypeInvalid',
          message: 'must be a list',
        });
      }
      break;
    }
    case 'certificates.k8s.io/certificatesigningrequests': {
      const spec = isObject(obj.spec) ? obj.spec : undefined;
      if (!spec || typeof spec.request !== 'string' || spec.request === '')
        causes.push({
          field: 'spec.request',
          reason: 'FieldValueRequired',
          message: 'Required value',
        });
      if (!spec || typeof spec.signerName !== 'string' || spec.signerName === '')
        causes.push({
          field: 'spec.signerName',
          reason: 'FieldValueRequired',
          message: 'Required value',
        });
      break;
    }
    case '/events':
    case 'events.k8s.io/events': {
      break;
    }
  }
  return causes;
}

/** The fields each built-in kind has: anything else is unknown (dropped, or refused under Strict). */
const BUILTIN_FIELDS: Record<string, string[]> = {
  '/configmaps': ['data', 'binaryData', 'immutable'],
  '/secrets': ['data', 'stringData', 'type', 'immutable'],
  '/namespaces': ['spec', 'status'],
  '/serviceaccounts': ['secrets', 'imagePullSecrets', 'automountServiceAccountToken'],
  '/events': [
    'involvedObject',
    'reason',
    'message',
    'source',
    'firstTimestamp',
    'lastTimestamp',
    'count',
    'type',
    'eventTime',
    'series',
    'action',
    'related',
    'reportingComponent',
    'reportingInstance',
  ],
  'coordination.k8s.io/leases': ['spec'],
  'rbac.authorization.k8s.io/roles': ['rules'],
  'rbac.authorization.k8s.io/clusterroles': ['rules', 'aggregationRule'],
  'rbac.authorization.k8s.io/rolebindings': ['subjects', 'roleRef'],
  'rbac.authorization.k8s.io/clusterrolebindings': ['subjects', 'roleRef'],
  'apiextensions.k8s.io/customresourcedefinitions': ['spec', 'status'],
  'certificates.k8s.io/certificatesigningrequests': ['spec', 'status'],
};

const METADATA_FIELDS = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);

/** Removes fields a kind does not have and returns their paths (metadata's are checked for every kind). */
export function unknownBuiltinFields(obj: KubeObject, rt: ResourceType): string[] {
  const unknown: string[] = [];
  if (isObject(obj.metadata)) {
    for (const k of Object.keys(obj.metadata)) {
      if (!METADATA_FIELDS.has(k)) {
        unknown.push(`metadata.${k}`);
        delete obj.metadata[k];
      }
    }
  }
  const known = rt.builtin
    ? BUILTIN_FIELDS[`${rt.group === 'events.k8s.io' ? '' : rt.group}/${rt.plural}`]
    : undefined;
  if (known) {
    for (const k of Object.keys(obj)) {
      if (k !== 'apiVersion' && k !== 'kind' && k !== 'metadata' && !known.includes(k)) {
        unknown.push(k);
        delete obj[k];
      }
    }
  }
  return unknown;
}

/** Role bindings may not change the role they grant, as in Kubernetes. */
export function immutableFieldErrors(
  oldObj: KubeObject,
  newObj: KubeObject,
  rt: ResourceType,
): StatusCause[] {
  if (rt.group === 'rbac.authorization.k8s.io' && rt.plural.endsWith('bindings')) {
    if (JSON.stringify(oldObj.roleRef) !== JSON.stringify(newObj.roleRef)) {
      return [{ field: 'roleRef', message: 'Invalid value: cannot change roleRef' }];
    }
  }
  if (
    rt.group === '' &&
    (rt.plural === 'secrets' || rt.plural === 'configmaps') &&
    oldObj.immutable === true
  ) {
    if (JSON.stringify(oldObj.data) !== JSON.stringify(newObj.data)) {
      return [
        {
          field: 'data',
          reason: 'FieldValueForbidden',
          message: 'Forbidden: field is immutable when `immutable` is set',
        },
      ];
    }
  }
  if (rt.group === '' && rt.plural === 'secrets' && oldObj.type !== newObj.type) {
    return [
      { field: 'type', message: `Invalid value: "${String(newObj.type)}": field is immutable` },
    ];
  }
  return [];
}
