// Strict reading of request bodies and queries: unknown fields, wrong types, bad names, durations
// and list sizes are refused with one message per field (422), before anything is done.
import { parseDuration } from '../engine/conditions.js';
import { DNS1123_SUBDOMAIN, isClusterName } from '../engine/validation.js';
import type {
  CreateMigrationRequest,
  CreatePlanRequest,
  FollowUpRequest,
  LabelSelector,
  LabelSelectorRequirement,
  PlacementPreviewRequest,
  ReconcileRequest,
  ValidateRequest,
} from './contract.js';
import { ApiFailure } from './errors.js';

export const MAX_CLUSTERS = 5000;
export const MAX_PASTED_NAMES = 20_000;
/** Shard ConfigMaps are named `<migration>-clusters-<i>`: leave room for the suffix. */
const MAX_MIGRATION_NAME = 200;
const MIN_TIMEOUT_MS = 60_000;
const MAX_TIMEOUT_MS = 24 * 3_600_000;

/** Collects field errors; `done()` throws them all at once. */
class Fields {
  readonly errors: Record<string, string> = {};
  add(path: string, message: string): void {
    this.errors[path] ??= message;
  }
  done(): void {
    const n = Object.keys(this.errors).length;
    if (n > 0)
      throw new ApiFailure(
        422,
        'Invalid',
        n === 1 ? Object.values(this.errors)[0] : `${n} fields are not valid.`,
        this.errors,
      );
  }
}

type Obj = Record<string, unknown>;

function object(body: unknown, allowed: string[], f: Fields): Obj {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    f.add('', 'The request body must be a JSON object.');
    f.done();
  }
  const o = body as Obj;
  for (const k of Object.keys(o))
    if (!allowed.includes(k))
      f.add(k, `Unknown field "${k}"; expected one of ${allowed.join(', ')}.`);
  return o;
}

export const isResourceName = (s: string) => s.length <= 253 && DNS1123_SUBDOMAIN.test(s);

function str(o: Obj, key: string, f: Fields, required: boolean): string | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') {
    if (required) f.add(key, `${key} is required.`);
    return undefined;
  }
  if (typeof v !== 'string') {
    f.add(key, `${key} must be a string.`);
    return undefined;
  }
  return v;
}

function hubName(o: Obj, key: string, f: Fields): string | undefined {
  const v = str(o, key, f, true);
  if (v !== undefined && !isClusterName(v))
    f.add(key, `"${v}" is not a hub name (lowercase letters, digits and "-", at most 63).`);
  return v;
}

function migrationName(o: Obj, key: string, f: Fields, required: boolean): string | undefined {
  const v = str(o, key, f, required);
  if (v !== undefined && (!DNS1123_SUBDOMAIN.test(v) || v.length > MAX_MIGRATION_NAME))
    f.add(
      key,
      `"${v}" is not a valid name: lowercase letters, digits, "-" and ".", starting and ending with a letter or digit, at most ${MAX_MIGRATION_NAME} characters.`,
    );
  return v;
}

function stageTimeout(o: Obj, f: Fields): string | undefined {
  const v = str(o, 'stageTimeout', f, false);
  if (v === undefined) return undefined;
  let ms: number;
  try {
    ms = parseDuration(v);
  } catch {
    f.add('stageTimeout', `"${v}" is not a duration such as 90s, 15m or 1h30m.`);
    return undefined;
  }
  if (ms < MIN_TIMEOUT_MS || ms > MAX_TIMEOUT_MS)
    f.add('stageTimeout', `The stage timeout must be between 1m and 24h, got ${v}.`);
  return v;
}

/** A list of cluster names: each valid, none repeated, between 1 and `max`. */
function clusterList(o: Obj, key: string, f: Fields, max: number): string[] | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) {
    f.add(key, `${key} must be a list of cluster names.`);
    return undefined;
  }
  if (v.length === 0) f.add(key, `${key} must name at least one cluster.`);
  if (v.length > max) f.add(key, `${key} may name at most ${max} clusters, got ${v.length}.`);
  const seen = new Set<string>();
  v.forEach((name: unknown, i) => {
    if (typeof name !== 'string' || !isClusterName(name))
      f.add(`${key}[${i}]`, `${JSON.stringify(name)} is not a cluster name.`);
    else if (seen.has(name)) f.add(`${key}[${i}]`, `${name} is listed more than once.`);
    else seen.add(name);
  });
  return v as string[];
}

function selection(o: Obj, f: Fields): { clusters?: string[]; placement?: string } {
  const clusters = clusterList(o, 'clusters', f, MAX_CLUSTERS);
  const placement = str(o, 'placement', f, false);
  if (placement !== undefined && !isResourceName(placement))
    f.add('placement', `"${placement}" is not a Placement name.`);
  if (clusters === undefined && placement === undefined)
    f.add('clusters', 'Give either clusters (a list of names) or placement (a Placement name).');
  if (clusters !== undefined && placement !== undefined)
    f.add('placement', 'Give either clusters or placement, not both.');
  return { clusters, placement };
}

function differentHubs(from: string | undefined, to: string | undefined, f: Fields): void {
  if (from && to && from === to) f.add('to', 'The target hub must differ from the source hub.');
}

export function readValidate(body: unknown): ValidateRequest {
  const f = new Fields();
  const o = object(body, ['from', 'to', 'clusters', 'placement'], f);
  const from = hubName(o, 'from', f);
  const to = hubName(o, 'to', f);
  differentHubs(from, to, f);
  const sel = selection(o, f);
  f.done();
  return { from: from!, to: to!, ...sel };
}

export function readCreateMigration(body: unknown): CreateMigrationRequest {
  const f = new Fields();
  const o = object(body, ['name', 'from', 'to', 'clusters', 'placement', 'stageTimeout'], f);
  const name = migrationName(o, 'name', f, false);
  const from = hubName(o, 'from', f);
  const to = hubName(o, 'to', f);
  differentHubs(from, to, f);
  const sel = selection(o, f);
  const timeout = stageTimeout(o, f);
  f.done();
  return { name, from: from!, to: to!, ...sel, stageTimeout: timeout };
}

export function readPlan(body: unknown): CreatePlanRequest {
  const f = new Fields();
  const o = object(
    body,
    ['name', 'from', 'to', 'clusters', 'batchSize', 'approvalBetweenBatches', 'stageTimeout'],
    f,
  );
  const name = migrationName(o, 'name', f, true);
  const from = hubName(o, 'from', f);
  const to = hubName(o, 'to', f);
  differentHubs(from, to, f);
  // A plan may cover more clusters than one migration: each batch is at most MAX_CLUSTERS.
  const clusters = clusterList(o, 'clusters', f, MAX_PASTED_NAMES);
  if (clusters === undefined) f.add('clusters', 'clusters is required.');
  const batchSize = o.batchSize;
  if (
    !Number.isInteger(batchSize) ||
    (batchSize as number) < 1 ||
    (batchSize as number) > MAX_CLUSTERS
  )
    f.add('batchSize', `batchSize must be a whole number from 1 to ${MAX_CLUSTERS}.`);
  else if (clusters && Math.ceil(clusters.length / (batchSize as number)) > 100)
    f.add('batchSize', 'A plan may have at most 100 batches: choose a larger batch size.');
  const approval = o.approvalBetweenBatches;
  if (approval !== undefined && typeof approval !== 'boolean')
    f.add('approvalBetweenBatches', 'approvalBetweenBatches must be true or false.');
  const timeout = stageTimeout(o, f);
  f.done();
  return {
    name: name!,
    from: from!,
    to: to!,
    clusters: clusters!,
    batchSize: batchSize as number,
    approvalBetweenBatches: approval === true,
    stageTimeout: timeout,
  };
}

export function readFollowUp(body: unknown): FollowUpRequest {
  const f = new Fields();
  const o = object(body ?? {}, ['name', 'stageTimeout'], f);
  const name = migrationName(o, 'name', f, false);
  const timeout = stageTimeout(o, f);
  f.done();
  return { name, stageTimeout: timeout };
}

export function readReconcile(body: unknown): ReconcileRequest {
  const f = new Fields();
  const o = object(body, ['names', 'target'], f);
  const names = o.names;
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string'))
    f.add('names', 'names must be a list of strings.');
  else if (names.length > MAX_PASTED_NAMES)
    f.add(
      'names',
      `At most ${MAX_PASTED_NAMES} names can be checked at once, got ${names.length}.`,
    );
  const target = str(o, 'target', f, false);
  if (target !== undefined && !isClusterName(target))
    f.add('target', `"${target}" is not a hub name.`);
  f.done();
  return { names: names as string[], target };
}

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];
const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(|[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;

function labelSelector(v: unknown, f: Fields): LabelSelector | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    f.add('labelSelector', 'labelSelector must be an object.');
    return undefined;
  }
  const o = object(v, ['matchLabels', 'matchExpressions'], new Fields());
  const out: LabelSelector = {};
  if (o.matchLabels !== undefined) {
    if (typeof o.matchLabels !== 'object' || o.matchLabels === null || Array.isArray(o.matchLabels))
      f.add('labelSelector.matchLabels', 'matchLabels must be an object of label values.');
    else {
      for (const [k, val] of Object.entries(o.matchLabels)) {
        if (!LABEL_KEY.test(k))
          f.add(`labelSelector.matchLabels.${k}`, `"${k}" is not a label key.`);
        if (typeof val !== 'string' || !LABEL_VALUE.test(val))
          f.add(`labelSelector.matchLabels.${k}`, `${JSON.stringify(val)} is not a label value.`);
      }
      out.matchLabels = o.matchLabels as Record<string, string>;
    }
  }
  if (o.matchExpressions !== undefined) {
    if (!Array.isArray(o.matchExpressions))
      f.add('labelSelector.matchExpressions', 'matchExpressions must be a list.');
    else {
      o.matchExpressions.forEach((e: unknown, i) => {
        const path = `labelSelector.matchExpressions[${i}]`;
        const r = (
          typeof e === 'object' && e !== null ? e : {}
        ) as Partial<LabelSelectorRequirement>;
        if (typeof r.key !== 'string' || !LABEL_KEY.test(r.key))
          f.add(`${path}.key`, 'Not a label key.');
        if (typeof r.operator !== 'string' || !OPERATORS.includes(r.operator))
          f.add(`${path}.operator`, `The operator must be one of ${OPERATORS.join(', ')}.`);
        const needsValues = r.operator === 'In' || r.operator === 'NotIn';
        if (needsValues && (!Array.isArray(r.values) || r.values.length === 0))
          f.add(`${path}.values`, `${r.operator} needs at least one value.`);
        if (
          !needsValues &&
          r.values !== undefined &&
          (!Array.isArray(r.values) || r.values.length > 0)
        )
          f.add(`${path}.values`, `${String(r.operator)} takes no values.`);
        if (Array.isArray(r.values))
          r.values.forEach((val: unknown, j) => {
            if (typeof val !== 'string' || !LABEL_VALUE.test(val))
              f.add(`${path}.values[${j}]`, `${JSON.stringify(val)} is not a label value.`);
          });
      });
      out.matchExpressions = o.matchExpressions as LabelSelectorRequirement[];
    }
  }
  return out;
}

export function readPreview(body: unknown): PlacementPreviewRequest {
  const f = new Fields();
  const o = object(body, ['clusterSets', 'labelSelector', 'numberOfClusters'], f);
  const sets = o.clusterSets;
  if (
    sets !== undefined &&
    (!Array.isArray(sets) || sets.some((s) => typeof s !== 'string' || !isResourceName(s)))
  )
    f.add('clusterSets', 'clusterSets must be a list of ManagedClusterSet names.');
  const selector = labelSelector(o.labelSelector, f);
  const n = o.numberOfClusters;
  if (n !== undefined && (!Number.isInteger(n) || (n as number) < 0))
    f.add('numberOfClusters', 'numberOfClusters must be a whole number of at least 0.');
  f.done();
  return {
    clusterSets: sets as string[] | undefined,
    labelSelector: selector,
    numberOfClusters: n as number | undefined,
  };
}

/** Paging and sorting from the query string, with bounds. */
export function readPaging(query: Record<string, unknown>): { offset: number; limit: number } {
  const f = new Fields();
  const num = (key: string, dflt: number, min: number, max: number) => {
    const raw = query[key];
    if (raw === undefined || raw === '') return dflt;
    const n = Number(raw);
    if (typeof raw !== 'string' || !Number.isInteger(n) || n < min || n > max) {
      f.add(key, `${key} must be a whole number from ${min} to ${max}.`);
      return dflt;
    }
    return n;
  };
  const offset = num('offset', 0, 0, 10_000_000);
  const limit = num('limit', 100, 1, 1000);
  f.done();
  return { offset, limit };
}

/** A query parameter that must be one of `allowed` (or absent). */
export function readChoice<T extends string>(
  query: Record<string, unknown>,
  key: string,
  allowed: readonly T[],
): T | undefined {
  const raw = query[key];
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || !allowed.includes(raw as T))
    throw new ApiFailure(422, 'Invalid', `${key} must be one of ${allowed.join(', ')}.`, {
      [key]: `must be one of ${allowed.join(', ')}`,
    });
  return raw as T;
}

/** A query parameter given once, as text (or absent). */
export function readText(
  query: Record<string, unknown>,
  key: string,
  max = 253,
): string | undefined {
  const raw = query[key];
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string' || raw.length > max)
    throw new ApiFailure(422, 'Invalid', `${key} must be given once, at most ${max} characters.`, {
      [key]: `must be given once, at most ${max} characters`,
    });
  return raw;
}
