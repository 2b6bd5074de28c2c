// Field ownership for server-side apply: which manager set which fields (metadata.managedFields
// in the FieldsV1 format), and the conflicts an apply meets when it would change a field another
// manager owns. Simplified from Kubernetes: lists are atomic, ownership is by leaf field.
import { ApiError } from './errors.js';
import type { JsonObject, KubeObject } from './types.js';
import { isObject, kubeTime, text } from './types.js';

type Path = string[];

/** Fields no manager owns: identity and server-set metadata, and the object's type. */
const SKIP_METADATA = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
  'generateName',
]);

export function leafPaths(obj: unknown, includeStatus = false): Path[] {
  const out: Path[] = [];
  const walk = (v: unknown, path: Path) => {
    if (isObject(v) && Object.keys(v).length > 0) {
      for (const [k, x] of Object.entries(v)) {
        if (
          path.length === 0 &&
          (k === 'apiVersion' || k === 'kind' || (k === 'status' && !includeStatus))
        )
          continue;
        if (path.length === 1 && path[0] === 'metadata' && SKIP_METADATA.has(k)) continue;
        walk(x, [...path, k]);
      }
    } else if (path.length > 0) out.push(path);
  };
  walk(obj, []);
  return out;
}

function valueAt(obj: unknown, path: Path): unknown {
  let cur = obj;
  for (const p of path) {
    if (!isObject(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

export function toFieldsV1(paths: Path[]): JsonObject {
  const root: JsonObject = {};
  for (const path of paths) {
    let node = root;
    for (const p of path) {
      const key = `f:${p}`;
      if (!isObject(node[key])) node[key] = {};
      node = node[key] as JsonObject;
    }
  }
  return root;
}

export function fromFieldsV1(fields: unknown): Path[] {
  const out: Path[] = [];
  const walk = (node: unknown, path: Path) => {
    const children = isObject(node) ? Object.keys(node).filter((k) => k.startsWith('f:')) : [];
    if (children.length === 0) {
      if (path.length) out.push(path);
      return;
    }
    for (const k of children) walk((node as JsonObject)[k], [...path, k.slice(2)]);
  };
  walk(fields, []);
  return out;
}

const key = (p: Path) => JSON.stringify(p);
const owns = (entry: JsonObject, path: Path) =>
  fromFieldsV1(entry.fieldsV1).some(
    (q) => q.length <= path.length && q.every((x, i) => x === path[i]),
  );
const dotted = (p: Path) => `.${p.join('.')}`;

function entry(
  manager: string,
  operation: string,
  apiVersion: string,
  paths: Path[],
  subresource?: string,
): JsonObject {
  return {
    manager,
    operation,
    apiVersion,
    time: kubeTime(),
    fieldsType: 'FieldsV1',
    fieldsV1: toFieldsV1(paths),
    ...(subresource ? { subresource } : {}),
  };
}

function withoutPaths(e: JsonObject, drop: Set<string>): JsonObject | undefined {
  const kept = fromFieldsV1(e.fieldsV1).filter((p) => !drop.has(key(p)));
  return kept.length ? { ...e, fieldsV1: toFieldsV1(kept) } : undefined;
}

/**
 * The managedFields after an apply of `applied` by `manager`; throws 409 when it would change a
 * field another manager owns (unless forced, which takes the field over).
 */
export function applyOwnership(
  current: KubeObject | undefined,
  applied: KubeObject,
  manager: string,
  force: boolean,
  subresource?: string,
): JsonObject[] {
  const paths = leafPaths(applied, subresource === 'status');
  const existing = current?.metadata.managedFields ?? [];
  const others = existing.filter((e) => !(e.manager === manager && e.operation === 'Apply'));
  const changed = paths.filter(
    (p) =>
      current !== undefined &&
      valueAt(current, p) !== undefined &&
      JSON.stringify(valueAt(current, p)) !== JSON.stringify(valueAt(applied, p)),
  );
  const conflicts: { manager: string; apiVersion: string; path: Path }[] = [];
  for (const p of changed)
    for (const e of others)
      if (owns(e, p))
        conflicts.push({
          manager: text(e.manager),
          apiVersion: text(e.apiVersion),
          path: p,
        });
  if (conflicts.length && !force) {
    const lines = conflicts.map(
      (c) =>
        `conflict with "${c.manager}"${c.apiVersion ? ` using ${c.apiVersion}` : ''}: ${dotted(c.path)}`,
    );
    throw new ApiError(
      409,
      'Conflict',
      `Apply failed with ${conflicts.length} conflict${conflicts.length > 1 ? 's' : ''}: ${lines.join('\n')}`,
      {
        name: applied.metadata.name,
        causes: conflicts.map((c) => ({
          reason: 'FieldManagerConflict',
          message: `conflict with "${c.manager}"`,
          field: dotted(c.path),
        })),
      },
    );
  }
  const taken = new Set((force ? changed : []).map(key));
  const rest = others
    .map((e) => withoutPaths(e, taken))
    .filter((e): e is JsonObject => e !== undefined);
  return [...rest, entry(manager, 'Apply', applied.apiVersion, paths, subresource)];
}

/** The managedFields after an ordinary write: the writer takes ownership of what it changed. */
export function updateOwnership(
  old: KubeObject | undefined,
  next: KubeObject,
  manager: string,
  subresource?: string,
): JsonObject[] {
  const status = subresource === 'status';
  const before = new Map(
    old ? leafPaths(old, status).map((p) => [key(p), JSON.stringify(valueAt(old, p))]) : [],
  );
  const changed = leafPaths(next, status).filter(
    (p) => before.get(key(p)) !== JSON.stringify(valueAt(next, p)),
  );
  const existing = old?.metadata.managedFields ?? [];
  if (changed.length === 0) return existing;
  const drop = new Set(changed.map(key));
  const mine = existing.find(
    (e) =>
      e.manager === manager &&
      e.operation === 'Update' &&
      (e.subresource ?? undefined) === subresource,
  );
  const rest = existing
    .filter((e) => e !== mine)
    .map((e) => withoutPaths(e, drop))
    .filter((e): e is JsonObject => e !== undefined);
  const owned = [
    ...(mine ? fromFieldsV1(mine.fieldsV1) : []).filter((p) => !drop.has(key(p))),
    ...changed,
  ];
  return [...rest, entry(manager, 'Update', next.apiVersion, owned, subresource)];
}
