// The JSONPath subset that CRD printer columns use: `.a.b`, `[0]`, `[*]`, `['key']` and
// `[?(@.type=="Ready")]` filters. Returns every value the path reaches.
import { isObject, text } from './types.js';

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'slice'; start?: number; end?: number }
  | { kind: 'wildcard' }
  | { kind: 'filter'; path: string[]; op: '==' | '!='; value: string };

export function compileJsonPath(path: string): (obj: unknown) => unknown[] {
  const steps = parse(path.replace(/^\{(.*)\}$/, '$1').trim());
  return (obj) => {
    let current: unknown[] = [obj];
    for (const step of steps) {
      const next: unknown[] = [];
      for (const v of current) apply(step, v, next);
      current = next;
    }
    return current;
  };
}

function apply(step: Step, v: unknown, out: unknown[]): void {
  switch (step.kind) {
    case 'field':
      if (isObject(v) && step.name in v && v[step.name] !== undefined) out.push(v[step.name]);
      return;
    case 'index':
      if (Array.isArray(v)) {
        const i = step.index < 0 ? v.length + step.index : step.index;
        if (i >= 0 && i < v.length) out.push(v[i]);
      }
      return;
    case 'slice':
      if (Array.isArray(v)) {
        const norm = (i: number | undefined, dflt: number) =>
          i === undefined ? dflt : i < 0 ? Math.max(0, v.length + i) : Math.min(i, v.length);
        out.push(...(v as unknown[]).slice(norm(step.start, 0), norm(step.end, v.length)));
      }
      return;
    case 'wildcard':
      if (Array.isArray(v)) out.push(...(v as unknown[]));
      else if (isObject(v)) out.push(...Object.values(v));
      return;
    case 'filter':
      if (!Array.isArray(v)) return;
      for (const item of v as unknown[]) {
        let cur: unknown = item;
        for (const p of step.path) cur = isObject(cur) ? cur[p] : undefined;
        const found = cur === undefined || cur === null ? undefined : text(cur);
        if ((found === step.value) === (step.op === '==')) out.push(item);
      }
  }
}

function parse(path: string): Step[] {
  const steps: Step[] = [];
  let i = 0;
  while (i < path.length) {
    const ch = path[i];
    if (ch === '.') {
      i++;
      const m = FIELD.exec(path.slice(i));
      if (!m) {
        if (path[i] === '*') {
          steps.push({ kind: 'wildcard' });
          i++;
          continue;
        }
        if (i >= path.length) break;
        throw new Error(`unrecognized JSONPath at ${i}: ${path}`);
      }
      steps.push({ kind: 'field', name: unescapeField(m[0]) });
      i += m[0].length;
    } else if (ch === '[') {
      const end = findClose(path, i);
      const inner = path.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === '*') steps.push({ kind: 'wildcard' });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
      else if (/^-?\d*:-?\d*$/.test(inner)) {
        const [a, b] = inner.split(':');
        steps.push({
          kind: 'slice',
          start: a === '' ? undefined : Number(a),
          end: b === '' ? undefined : Number(b),
        });
      } else if (/^'.*'$|^".*"$/.test(inner))
        steps.push({ kind: 'field', name: inner.slice(1, -1) });
      else {
        const m = /^\?\(@((?:\.[A-Za-z0-9_-]+)+)\s*(==|!=)\s*(?:"([^"]*)"|'([^']*)'|(\S+))\)$/.exec(
          inner,
        );
        if (!m) throw new Error(`unsupported JSONPath filter: [${inner}]`);
        steps.push({
          kind: 'filter',
          path: m[1].slice(1).split('.'),
          op: m[2] as '==' | '!=',
          value: m[3] ?? m[4] ?? m[5],
        });
      }
    } else {
      const m = FIELD.exec(path.slice(i));
      if (!m) throw new Error(`unrecognized JSONPath at ${i}: ${path}`);
      steps.push({ kind: 'field', name: unescapeField(m[0]) });
      i += m[0].length;
    }
  }
  return steps;
}

/** A field name: letters, digits, `_-$/`, and `\.` for a literal dot inside a key. */
const FIELD = /^(?:[A-Za-z0-9_\-$/]|\\\.)+/;

function unescapeField(name: string): string {
  return name.replace(/\\\./g, '.');
}

function findClose(s: string, open: number): number {
  let depth = 0;
  let quote: string | null = null;
  for (let j = open; j < s.length; j++) {
    const c = s[j];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') depth++;
    else if (c === ']' && --depth === 0) return j;
  }
  throw new Error(`unbalanced [ in JSONPath: ${s}`);
}
