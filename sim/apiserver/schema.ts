// Validation and pruning of custom resources against their CRD's structural openAPIV3Schema, as
// kube-apiserver does: unknown fields are dropped, wrong types, missing required fields, enums,
// bounds, patterns and x-kubernetes-validations (CEL) rules are reported as field errors.
import { compileCel, CelError } from './cel.js';
import type { CelProgram } from './cel.js';
import type { StatusCause } from './errors.js';
import type { JsonObject } from './types.js';
import { isObject, text } from './types.js';

type Schema = JsonObject;

const celCache = new Map<string, CelProgram | CelError>();

function program(rule: string): CelProgram | CelError {
  let p = celCache.get(rule);
  if (!p) {
    try {
      p = compileCel(rule);
    } catch (e) {
      p = e instanceof CelError ? e : new CelError(String(e));
    }
    celCache.set(rule, p);
  }
  return p;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function describe(v: unknown): string {
  return typeof v === 'string' ? `"${v}"` : JSON.stringify(v);
}

/**
 * Prunes `value` in place of fields its schema does not declare and returns the errors found.
 * `oldValue` (the stored object on updates) feeds CEL transition rules that use `oldSelf`.
 */
export function validateAndPrune(
  value: unknown,
  schema: Schema,
  oldValue?: unknown,
  pruned: string[] = [],
): StatusCause[] {
  const causes: StatusCause[] = [];
  prunedSink = pruned;
  try {
    walk(value, schema, '', causes, oldValue, true);
  } finally {
    prunedSink = [];
  }
  return causes;
}

/** Paths of unknown fields dropped by the current validation (for fieldValidation=Strict/Warn). */
let prunedSink: string[] = [];

function walk(
  value: unknown,
  schema: Schema,
  path: string,
  causes: StatusCause[],
  oldValue: unknown,
  isRoot = false,
): void {
  const field = path || '<root>';
  if (value === null) {
    if (schema.nullable !== true && !isRoot) {
      causes.push({
        field,
        reason: 'FieldValueTypeInvalid',
        message: `Invalid value: "null": ${field} in body must be of type ${text(schema.type) || 'object'}: "null"`,
      });
    }
    return;
  }
  const intOrString = schema['x-kubernetes-int-or-string'] === true;
  const type = typeof schema.type === 'string' ? schema.type : undefined;
  const actual = typeName(value);
  if (intOrString) {
    if (actual !== 'string' && actual !== 'integer') {
      causes.push({
        field,
        reason: 'FieldValueTypeInvalid',
        message: `Invalid value: ${describe(value)}: ${field} in body must be of type integer or string: "${actual}"`,
      });
      return;
    }
  } else if (type && !(type === actual || (type === 'number' && actual === 'integer'))) {
    causes.push({
      field,
      reason: 'FieldValueTypeInvalid',
      message: `Invalid value: "${actual}": ${field} in body must be of type ${type}: "${actual}"`,
    });
    return;
  }
  if (
    Array.isArray(schema.enum) &&
    !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))
  ) {
    causes.push({
      field,
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: ${describe(value)}: supported values: ${schema.enum.map(describe).join(', ')}`,
    });
  }
  if (typeof value === 'string') {
    if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) {
      causes.push({
        field,
        reason: 'FieldValueTooLong',
        message: `Too long: may not be more than ${schema.maxLength} bytes`,
      });
    }
    if (typeof schema.minLength === 'number' && value.length < schema.minLength) {
      causes.push({
        field,
        message: `Invalid value: ${describe(value)}: ${field} in body should be at least ${schema.minLength} chars long`,
      });
    }
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern).test(value)) {
      causes.push({
        field,
        message: `Invalid value: ${describe(value)}: ${field} in body should match '${schema.pattern}'`,
      });
    }
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) {
      causes.push({
        field,
        message: `Invalid value: ${value}: ${field} in body should be greater than or equal to ${schema.minimum}`,
      });
    }
    if (typeof schema.maximum === 'number' && value > schema.maximum) {
      causes.push({
        field,
        message: `Invalid value: ${value}: ${field} in body should be less than or equal to ${schema.maximum}`,
      });
    }
  }
  if (Array.isArray(value)) {
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) {
      causes.push({
        field,
        reason: 'FieldValueTooMany',
        message: `Too many: ${value.length}: must have at most ${schema.maxItems} items`,
      });
    }
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) {
      causes.push({
        field,
        message: `Invalid value: ${value.length}: ${field} in body should have at least ${schema.minItems} items`,
      });
    }
    if (isObject(schema.items)) {
      const items = schema.items;
      value.forEach((item, i) => walk(item, items, `${path}[${i}]`, causes, undefined));
    }
  }
  if (isObject(value) && !isRoot) walkObject(value, schema, path, causes, oldValue);
  if (isObject(value) && isRoot) {
    // metadata is validated by the server itself; apiVersion and kind always survive pruning.
    const props = isObject(schema.properties) ? schema.properties : {};
    applyDefaults(value, props);
    for (const key of Object.keys(value)) {
      if (key === 'apiVersion' || key === 'kind' || key === 'metadata') continue;
      if (!(key in props) && schema['x-kubernetes-preserve-unknown-fields'] !== true) {
        prunedSink.push(key);
        delete value[key];
      } else if (isObject(props[key]))
        walk(value[key], props[key], key, causes, isObject(oldValue) ? oldValue[key] : undefined);
    }
    checkRequired(value, schema, '', causes);
  }
  runRules(value, schema, field, causes, oldValue);
}

/** Fills absent properties that declare a `default`, as the apiserver does before validating. */
function applyDefaults(value: JsonObject, props: JsonObject | undefined): void {
  if (!props) return;
  for (const [key, sub] of Object.entries(props)) {
    if (!(key in value) && isObject(sub) && sub.default !== undefined)
      value[key] = structuredClone(sub.default);
  }
}

function walkObject(
  value: JsonObject,
  schema: Schema,
  path: string,
  causes: StatusCause[],
  oldValue: unknown,
): void {
  const props = isObject(schema.properties) ? schema.properties : undefined;
  applyDefaults(value, props);
  const additional = schema.additionalProperties;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = schema['x-kubernetes-embedded-resource'] === true;
  for (const key of Object.keys(value)) {
    const child = `${path}.${key}`;
    const old = isObject(oldValue) ? oldValue[key] : undefined;
    if (props && isObject(props[key])) walk(value[key], props[key], child, causes, old);
    else if (isObject(additional)) walk(value[key], additional, child, causes, old);
    else if (additional === true || preserve) continue;
    else if (embedded && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) continue;
    else {
      prunedSink.push(child.replace(/^\./, ''));
      delete value[key];
    }
  }
  checkRequired(value, schema, path, causes);
}

function checkRequired(
  value: JsonObject,
  schema: Schema,
  path: string,
  causes: StatusCause[],
): void {
  if (!Array.isArray(schema.required)) return;
  for (const r of schema.required) {
    if (typeof r === 'string' && !(r in value)) {
      causes.push({
        field: path ? `${path}.${r}` : r,
        reason: 'FieldValueRequired',
        message: 'Required value',
      });
    }
  }
}

function runRules(
  value: unknown,
  schema: Schema,
  field: string,
  causes: StatusCause[],
  oldValue: unknown,
): void {
  const rules = schema['x-kubernetes-validations'];
  if (!Array.isArray(rules)) return;
  for (const r of rules.filter(isObject)) {
    const rule = text(r.rule);
    // Transition rules (those naming oldSelf) only run on updates, as in Kubernetes.
    if (/\boldSelf\b/.test(rule) && oldValue === undefined) continue;
    const p = program(rule);
    let ok = false;
    let why = '';
    if (p instanceof CelError) why = `compilation failed: ${p.message}`;
    else {
      try {
        ok = p({ self: value, oldSelf: oldValue }) === true;
      } catch (e) {
        why = e instanceof Error ? e.message : String(e);
      }
    }
    if (!ok) {
      const message = typeof r.message === 'string' ? r.message : `failed rule: ${rule}`;
      const at =
        typeof r.fieldPath === 'string'
          ? `${field === '<root>' ? '' : field}${r.fieldPath}`
          : field;
      causes.push({
        field: at,
        reason: 'FieldValueInvalid',
        message: why ? `Invalid value: "object": ${why}` : `Invalid value: "object": ${message}`,
      });
    }
  }
}
