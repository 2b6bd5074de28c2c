// Label and field selectors with the syntax and error messages of the Kubernetes API.
import { errors } from './errors.js';
import type { KubeObject } from './types.js';
import { isObject, text } from './types.js';

type LabelOp = 'in' | 'notin' | 'exists' | '!' | '=' | '!=' | 'gt' | 'lt';

interface LabelRequirement {
  key: string;
  op: LabelOp;
  values: string[];
}

export type LabelSelector = (labels: Record<string, string> | undefined) => boolean;

const KEY_RE =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function invalidSelector(selector: string, why: string) {
  return errors.badRequest(`unable to parse requirement: ${why} (selector "${selector}")`);
}

function checkKey(key: string, selector: string): void {
  if (!KEY_RE.test(key) || key.length > 316) {
    throw invalidSelector(
      selector,
      `<nil>: Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
    );
  }
}

function checkValue(value: string, selector: string): void {
  if (!VALUE_RE.test(value) || value.length > 63) {
    throw invalidSelector(
      selector,
      `values[0][${value}]: Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
    );
  }
}

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts;
}

export function parseLabelSelector(selector: string): LabelSelector {
  const reqs: LabelRequirement[] = [];
  const text = selector.trim();
  if (text === '') return () => true;
  for (const raw of splitTopLevel(text)) {
    const part = raw.trim();
    let m: RegExpMatchArray | null;
    if (part === '') throw invalidSelector(selector, `found '', expected: identifier`);
    if ((m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part))) {
      const values = m[3].split(',').map((v) => v.trim());
      checkKey(m[1], selector);
      values.forEach((v) => checkValue(v, selector));
      reqs.push({ key: m[1], op: m[2] as LabelOp, values });
    } else if ((m = /^!\s*(\S+)$/.exec(part))) {
      checkKey(m[1], selector);
      reqs.push({ key: m[1], op: '!', values: [] });
    } else if ((m = /^([^=!<>\s]+)\s*(==|=|!=|<|>)\s*(\S*)$/.exec(part))) {
      checkKey(m[1], selector);
      const op: LabelOp = m[2] === '!=' ? '!=' : m[2] === '<' ? 'lt' : m[2] === '>' ? 'gt' : '=';
      if ((op === 'lt' || op === 'gt') && !/^-?\d+$/.test(m[3])) {
        throw invalidSelector(selector, `for 'Gt', 'Lt' operators, the value must be an integer`);
      }
      if (op === '=' || op === '!=') checkValue(m[3], selector);
      reqs.push({ key: m[1], op, values: [m[3]] });
    } else if (/^[^\s=!()]+$/.test(part)) {
      checkKey(part, selector);
      reqs.push({ key: part, op: 'exists', values: [] });
    } else {
      throw invalidSelector(selector, `found '${part}', expected: in, notin, =, ==, !=, gt, lt`);
    }
  }
  return (labels) => reqs.every((r) => matchRequirement(r, labels ?? {}));
}

function matchRequirement(r: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = labels[r.key];
  switch (r.op) {
    case 'exists':
      return has;
    case '!':
      return !has;
    case '=':
      return has && v === r.values[0];
    case '!=':
      return !has || v !== r.values[0];
    case 'in':
      return has && r.values.includes(v);
    case 'notin':
      return !has || !r.values.includes(v);
    case 'gt':
      return has && /^-?\d+$/.test(v) && Number(v) > Number(r.values[0]);
    case 'lt':
      return has && /^-?\d+$/.test(v) && Number(v) < Number(r.values[0]);
  }
}

/** metav1.LabelSelector (matchLabels + matchExpressions) as a predicate; used by controllers. */
export function labelSelectorFromObject(sel: unknown): LabelSelector {
  if (!isObject(sel)) return () => true;
  const reqs: LabelRequirement[] = [];
  if (isObject(sel.matchLabels)) {
    for (const [k, v] of Object.entries(sel.matchLabels))
      reqs.push({ key: k, op: '=', values: [String(v)] });
  }
  if (Array.isArray(sel.matchExpressions)) {
    for (const e of sel.matchExpressions.filter(isObject)) {
      const op = String(e.operator);
      const values = Array.isArray(e.values) ? e.values.map(String) : [];
      const mapped: LabelOp | undefined =
        op === 'In'
          ? 'in'
          : op === 'NotIn'
            ? 'notin'
            : op === 'Exists'
              ? 'exists'
              : op === 'DoesNotExist'
                ? '!'
                : undefined;
      if (!mapped) throw errors.badRequest(`"${op}" is not a valid label selector operator`);
      reqs.push({ key: String(e.key), op: mapped, values });
    }
  }
  return (labels) => reqs.every((r) => matchRequirement(r, labels ?? {}));
}

// ---- field selectors --------------------------------------------------------------------------

export type FieldSelector = (obj: KubeObject) => boolean;

/** Fields each resource can be selected on, beyond metadata.name and metadata.namespace. */
const EXTRA_FIELDS: Record<string, string[]> = {
  '/events': [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  'events.k8s.io/events': [
    'regarding.kind',
    'regarding.namespace',
    'regarding.name',
    'regarding.uid',
    'reason',
    'reportingController',
    'type',
  ],
  '/secrets': ['type'],
  '/namespaces': ['status.phase'],
};

function readPath(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (!isObject(cur)) return '';
    cur = cur[part];
  }
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'object' ? JSON.stringify(cur) : text(cur);
}

export function parseFieldSelector(selector: string, storage: string): FieldSelector {
  const text = selector.trim();
  if (text === '') return () => true;
  const allowed = new Set([
    'metadata.name',
    'metadata.namespace',
    ...(EXTRA_FIELDS[storage] ?? []),
  ]);
  const reqs: { field: string; neg: boolean; value: string }[] = [];
  for (const raw of text.split(',')) {
    const m = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(raw);
    if (!m) throw errors.badRequest(`invalid selector: '${selector}'; can't understand '${raw}'`);
    const field = m[1] === 'source' && storage === '/events' ? 'source.component' : m[1];
    if (!allowed.has(m[1])) throw errors.badRequest(`field label not supported: ${m[1]}`);
    reqs.push({ field, neg: m[2] === '!=', value: m[3] });
  }
  return (obj) => reqs.every((r) => (readPath(obj, r.field) === r.value) !== r.neg);
}
