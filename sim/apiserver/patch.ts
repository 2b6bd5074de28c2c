// PATCH semantics: JSON merge patch (RFC 7386), JSON patch (RFC 6902), strategic merge patch
// (merge semantics plus the directives kubectl sends) and the merge step of server-side apply.
import { errors } from './errors.js';
import type { JsonObject } from './types.js';
import { cloneJson, isObject } from './types.js';

export function jsonMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return cloneJson(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = jsonMergePatch(out[k], v);
  }
  return out;
}

function unescapePointer(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parsePointer(path: unknown): string[] {
  if (typeof path !== 'string')
    throw errors.badRequest('json patch operation has no "path" string');
  if (path === '') return [];
  if (!path.startsWith('/'))
    throw errors.badRequest(`json patch path must start with "/": ${path}`);
  return path.slice(1).split('/').map(unescapePointer);
}

function patchFailure(message: string) {
  return errors.invalid('Patch', '', '', [{ message, reason: 'FieldValueInvalid' }]);
}

/** Applies an RFC 6902 patch to a copy of `doc`. */
export function jsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw errors.badRequest('json patch must be an array of operations');
  let root: unknown = cloneJson(doc);
  const resolve = (tokens: string[]): { parent: unknown; key: string } => {
    let parent: unknown = root;
    for (const t of tokens.slice(0, -1)) {
      if (Array.isArray(parent)) parent = parent[Number(t)];
      else if (isObject(parent)) parent = parent[t];
      else parent = undefined;
      if (parent === undefined) throw patchFailure(`doc is missing path: "/${tokens.join('/')}"`);
    }
    return { parent, key: tokens[tokens.length - 1] };
  };
  const get = (tokens: string[]): unknown => {
    let cur: unknown = root;
    for (const t of tokens) {
      if (Array.isArray(cur)) cur = cur[Number(t)];
      else if (isObject(cur)) cur = cur[t];
      else cur = undefined;
      if (cur === undefined) throw patchFailure(`doc is missing path: "/${tokens.join('/')}"`);
    }
    return cur;
  };
  const remove = (tokens: string[]): unknown => {
    const value = get(tokens);
    if (tokens.length === 0) {
      root = undefined;
      return value;
    }
    const { parent, key } = resolve(tokens);
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else if (isObject(parent)) delete parent[key];
    return value;
  };
  const add = (tokens: string[], value: unknown, replace: boolean): void => {
    if (tokens.length === 0) {
      root = cloneJson(value);
      return;
    }
    const { parent, key } = resolve(tokens);
    if (Array.isArray(parent)) {
      const idx = key === '-' ? parent.length : Number(key);
      if (!Number.isInteger(idx) || idx < 0 || idx > parent.length) {
        throw patchFailure(`index out of range: "/${tokens.join('/')}"`);
      }
      if (replace) parent[idx] = cloneJson(value);
      else parent.splice(idx, 0, cloneJson(value));
    } else if (isObject(parent)) {
      if (replace && !(key in parent)) {
        throw patchFailure(
          `replace operation does not apply: doc is missing key: /${tokens.join('/')}`,
        );
      }
      parent[key] = cloneJson(value);
    } else throw patchFailure(`doc is missing path: "/${tokens.join('/')}"`);
  };
  for (const op of ops) {
    if (!isObject(op)) throw errors.badRequest('json patch operation must be an object');
    const path = parsePointer(op.path);
    switch (op.op) {
      case 'add':
        add(path, op.value, false);
        break;
      case 'replace':
        get(path);
        add(path, op.value, true);
        break;
      case 'remove':
        remove(path);
        break;
      case 'move': {
        const v = remove(parsePointer(op.from));
        add(path, v, false);
        break;
      }
      case 'copy':
        add(path, get(parsePointer(op.from)), false);
        break;
      case 'test':
        if (JSON.stringify(get(path)) !== JSON.stringify(op.value)) {
          throw patchFailure(`testing value /${path.join('/')} failed`);
        }
        break;
      default:
        throw errors.badRequest(`unexpected json patch operation "${String(op.op)}"`);
    }
  }
  return root;
}

/** Lists merged by a key instead of replaced, as the built-in types' patch strategies say. */
const MERGE_KEYS: Record<string, string> = { ownerReferences: 'uid' };
/** Primitive lists merged as sets (patchStrategy: merge). */
const SET_LISTS = new Set(['finalizers']);

/**
 * Strategic merge patch for the kinds the simulator serves: merge-patch semantics, with the
 * directives kubectl emits (`$patch`, `$retainKeys`, `$setElementOrder/…`,
 * `$deleteFromPrimitiveList/…`) honoured or dropped, and finalizers/ownerReferences merged.
 */
export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return cloneJson(patch);
  if (patch.$patch === 'replace') {
    const copy = { ...patch };
    delete copy.$patch;
    return stripDirectives(copy);
  }
  if (patch.$patch === 'delete') return undefined;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  const retain = Array.isArray(patch.$retainKeys) ? new Set(patch.$retainKeys.map(String)) : null;
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const drop = new Set((Array.isArray(v) ? v : []).map((x) => JSON.stringify(x)));
      if (Array.isArray(out[field])) {
        out[field] = (out[field] as unknown[]).filter((x) => !drop.has(JSON.stringify(x)));
      }
      continue;
    }
    if (k.startsWith('$')) continue;
    if (v === null) {
      delete out[k];
    } else if (Array.isArray(v) && SET_LISTS.has(k) && Array.isArray(out[k])) {
      const merged = [...(out[k] as unknown[])];
      for (const x of v)
        if (!merged.some((y) => JSON.stringify(y) === JSON.stringify(x))) merged.push(x);
      out[k] = merged;
    } else if (Array.isArray(v) && MERGE_KEYS[k]) {
      const merged = mergeByKey(
        Array.isArray(out[k]) ? (out[k] as unknown[]) : [],
        v,
        MERGE_KEYS[k],
      );
      if (merged.length) out[k] = merged;
      else delete out[k];
    } else if (isObject(v)) {
      const merged = strategicMergePatch(out[k], v);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else {
      out[k] = stripDirectives(v);
    }
  }
  if (retain) for (const k of Object.keys(out)) if (!retain.has(k)) delete out[k];
  return out;
}

function mergeByKey(current: unknown[], patch: unknown[], key: string): unknown[] {
  const out = current.map((x) => cloneJson(x));
  for (const item of patch) {
    if (!isObject(item)) continue;
    const idx = out.findIndex((x) => isObject(x) && x[key] === item[key]);
    if (item.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
    } else if (idx >= 0) out[idx] = strategicMergePatch(out[idx], item);
    else out.push(stripDirectives(item));
  }
  return out;
}

function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith('$')) out[k] = stripDirectives(x);
  return out;
}

/** Server-side apply's merge, simplified: maps merge recursively, lists and scalars are replaced. */
export function applyMerge(current: unknown, applied: unknown): unknown {
  if (!isObject(applied) || !isObject(current)) return cloneJson(applied);
  const out: JsonObject = { ...current };
  for (const [k, v] of Object.entries(applied)) {
    out[k] = v === null ? null : applyMerge(out[k], v);
    if (v === null) delete out[k];
  }
  return out;
}
