// Kubernetes label selectors: matching, the query-string form (`env=prod,region in (east,west),!gpu`)
// and a plain-words description for the wizard ("env is prod and region is east or west").
import type { LabelSelector, LabelSelectorRequirement } from './contract.js';
import { ApiFailure } from './errors.js';

export function matches(sel: LabelSelector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const r of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const value = labels[r.key];
    switch (r.operator) {
      case 'In':
        if (!has || !(r.values ?? []).includes(value)) return false;
        break;
      case 'NotIn':
        if (has && (r.values ?? []).includes(value)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

const KEY = String.raw`[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?`;
const VALUE = String.raw`[A-Za-z0-9]?([-A-Za-z0-9_.]*[A-Za-z0-9])?`;

/** Parses the string form of a selector; a 422 names the part that is not understood. */
export function parseSelector(text: string): LabelSelector {
  const out: LabelSelectorRequirement[] = [];
  // Split on commas that are not inside parentheses.
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  for (const raw of parts) {
    const p = raw.trim();
    if (!p) continue;
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*(${VALUE})$`).exec(p))) {
      out.push({ key: m[1], operator: m[3] === '!=' ? 'NotIn' : 'In', values: [m[4]] });
    } else if ((m = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^)]*)\\)$`, 'i').exec(p))) {
      const values = m[4]
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean);
      if (values.length === 0 || values.some((v) => !new RegExp(`^${VALUE}$`).test(v)))
        throw bad(p);
      out.push({ key: m[1], operator: m[3].toLowerCase() === 'in' ? 'In' : 'NotIn', values });
    } else if ((m = new RegExp(`^!\\s*(${KEY})$`).exec(p))) {
      out.push({ key: m[1], operator: 'DoesNotExist' });
    } else if ((m = new RegExp(`^(${KEY})$`).exec(p))) {
      out.push({ key: m[1], operator: 'Exists' });
    } else throw bad(p);
  }
  return { matchExpressions: out };
}

function bad(part: string): ApiFailure {
  return new ApiFailure(
    422,
    'Invalid',
    `"${part}" is not a label selector term (e.g. env=prod, region in (east,west), !gpu).`,
    {
      label: `"${part}" is not understood`,
    },
  );
}

export function describeSelector(sel: LabelSelector): string {
  const terms: string[] = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k} is ${v}`);
  for (const r of sel.matchExpressions ?? []) {
    const values = (r.values ?? []).join(' or ');
    if (r.operator === 'In') terms.push(`${r.key} is ${values}`);
    else if (r.operator === 'NotIn') terms.push(`${r.key} is not ${values}`);
    else if (r.operator === 'Exists') terms.push(`${r.key} is set`);
    else terms.push(`${r.key} is not set`);
  }
  return terms.length ? terms.join(' and ') : 'every cluster';
}
