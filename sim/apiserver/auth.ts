// Who a request comes from (bearer tokens: the hub's admin token, scenario users, and
// ServiceAccount tokens minted by TokenRequest) and what RBAC lets them do.
import { createHmac, randomBytes } from 'node:crypto';
import type { ClusterState } from './cluster.js';
import type { JsonObject, KubeObject, UserInfo } from './types.js';
import { isObject, text } from './types.js';

export interface RequestAttributes {
  verb: string;
  apiGroup: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** Set for non-resource requests such as /version or /apis. */
  path?: string;
}

interface MintedToken {
  namespace: string;
  name: string;
  saUid: string;
  expires: number;
  audiences: string[];
}

interface Rule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
}

export class Authenticator {
  private readonly staticTokens = new Map<string, UserInfo>();
  private readonly minted = new Map<string, MintedToken>();
  private readonly secret = randomBytes(32);

  constructor(
    private readonly state: ClusterState,
    private readonly issuer: string,
  ) {}

  addStaticToken(token: string, user: UserInfo): void {
    this.staticTokens.set(token, {
      ...user,
      groups: [...new Set([...user.groups, 'system:authenticated'])],
    });
  }

  removeStaticToken(token: string): void {
    this.staticTokens.delete(token);
  }

  /** A JWT-shaped token whose validity the server checks by lookup (and by its ServiceAccount). */
  mint(
    namespace: string,
    name: string,
    saUid: string,
    expirationSeconds: number,
    audiences: string[],
  ): { token: string; expires: Date } {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + expirationSeconds;
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const header = b64({ alg: 'RS256', kid: 'sim' });
    const payload = b64({
      aud: audiences,
      exp,
      iat: now,
      iss: this.issuer,
      sub: `system:serviceaccount:${namespace}:${name}`,
      'kubernetes.io': { namespace, serviceaccount: { name, uid: saUid } },
      jti: randomBytes(8).toString('hex'),
    });
    const sig = createHmac('sha256', this.secret)
      .update(`${header}.${payload}`)
      .digest('base64url');
    const token = `${header}.${payload}.${sig}`;
    this.minted.set(token, { namespace, name, saUid, expires: exp * 1000, audiences });
    return { token, expires: new Date(exp * 1000) };
  }

  authenticate(token: string | undefined): UserInfo | undefined {
    if (!token) return undefined;
    const fixed = this.staticTokens.get(token);
    if (fixed) return fixed;
    const t = this.minted.get(token);
    if (!t) return undefined;
    if (Date.now() >= t.expires) {
      this.minted.delete(token);
      return undefined;
    }
    // A token dies with its ServiceAccount (also when it is recreated with a new uid).
    const sa = this.state.get(this.state.rt('', 'v1', 'serviceaccounts'), t.namespace, t.name);
    if (!sa || sa.metadata.uid !== t.saUid) {
      this.minted.delete(token);
      return undefined;
    }
    return {
      username: `system:serviceaccount:${t.namespace}:${t.name}`,
      uid: t.saUid,
      groups: [
        'system:serviceaccounts',
        `system:serviceaccounts:${t.namespace}`,
        'system:authenticated',
      ],
    };
  }

  audiencesOf(token: string): string[] {
    return this.minted.get(token)?.audiences ?? [];
  }
}

/** Request paths every authenticated user may read (discovery, version, health), as system:discovery grants. */
const DISCOVERY_PATHS = [
  /^\/api(\/.*)?$/,
  /^\/apis(\/.*)?$/,
  /^\/version\/?$/,
  /^\/openapi\/.*$/,
  /^\/healthz$/,
  /^\/livez$/,
  /^\/readyz$/,
];

/** Reviews a user may always make about themselves, as system:basic-user grants. */
const SELF_REVIEWS = new Set([
  'selfsubjectaccessreviews',
  'selfsubjectrulesreviews',
  'selfsubjectreviews',
]);

export class Authorizer {
  /** Subject (`User:x`, `Group:g`, `ServiceAccount:ns:name`) → the bindings that name it. */
  private readonly bySubject = new Map<string, Set<string>>();
  /** Binding key → its subject keys, to unindex a binding when it changes or goes. */
  private readonly subjectsOf = new Map<string, string[]>();
  private readonly stops: (() => void)[] = [];
  /**
   * A user's rules in a namespace, as last computed, with the RBAC generation they were computed
   * at. Every klusterlet request evaluated its agent's bindings and roles afresh; any write to a
   * binding or role bumps the generation, so a cached entry never outlives what it was made from.
   */
  private readonly rulesCache = new Map<string, { generation: number; rules: Rule[] }>();
  private rbacGeneration = 0;

  constructor(private readonly state: ClusterState) {
    // Bindings are indexed by subject from watches, so a request's rules cost a few lookups
    // whatever the number of bindings (thousands of clusters each have their own).
    for (const plural of ['rolebindings', 'clusterrolebindings']) {
      const rt = state.rt('rbac.authorization.k8s.io', 'v1', plural);
      this.stops.push(
        state.watch(rt, {}, (e) => {
          this.rbacGeneration++;
          const key = bindingKey(e.object);
          this.unindex(key);
          if (e.type !== 'DELETED') this.index(key, e.object);
        }),
      );
    }
    for (const plural of ['roles', 'clusterroles']) {
      const rt = state.rt('rbac.authorization.k8s.io', 'v1', plural);
      this.stops.push(state.watch(rt, {}, () => this.rbacGeneration++));
    }
  }

  private index(key: string, binding: KubeObject): void {
    const subjects = Array.isArray(binding.subjects) ? binding.subjects.filter(isObject) : [];
    const keys = subjects
      .map((sub) => subjectKey(sub, binding.metadata.namespace))
      .filter((k): k is string => k !== undefined);
    this.subjectsOf.set(key, keys);
    for (const k of keys) {
      let set = this.bySubject.get(k);
      if (!set) this.bySubject.set(k, (set = new Set()));
      set.add(key);
    }
  }

  private unindex(key: string): void {
    for (const k of this.subjectsOf.get(key) ?? []) {
      const set = this.bySubject.get(k);
      set?.delete(key);
      if (set?.size === 0) this.bySubject.delete(k);
    }
    this.subjectsOf.delete(key);
  }

  allowed(user: UserInfo, attrs: RequestAttributes): boolean {
    if (user.groups.includes('system:masters')) return true;
    if (attrs.path !== undefined) {
      if (attrs.verb === 'get' && DISCOVERY_PATHS.some((re) => re.test(attrs.path!))) return true;
    } else if (
      attrs.verb === 'create' &&
      SELF_REVIEWS.has(attrs.resource) &&
      attrs.apiGroup.endsWith('.k8s.io')
    ) {
      return true;
    }
    return this.cachedRulesFor(user, attrs.namespace).some((r) => ruleAllows(r, attrs));
  }

  private cachedRulesFor(user: UserInfo, namespace: string | undefined): Rule[] {
    const key = `${user.username}\u0000${user.groups.join(',')}\u0000${namespace ?? ''}`;
    const hit = this.rulesCache.get(key);
    if (hit && hit.generation === this.rbacGeneration) return hit.rules;
    const rules = this.rulesFor(user, namespace);
    // Bounded: users and namespaces are many in a large fleet, and stale entries are useless.
    if (this.rulesCache.size >= 50_000) this.rulesCache.clear();
    this.rulesCache.set(key, { generation: this.rbacGeneration, rules });
    return rules;
  }

  /** Rules that apply to a user in a namespace (cluster-wide ones included). */
  rulesFor(user: UserInfo, namespace: string | undefined): Rule[] {
    const rbac = (plural: string) => this.state.rt('rbac.authorization.k8s.io', 'v1', plural);
    const keys = [`User:${user.username}`, ...user.groups.map((g) => `Group:${g}`)];
    const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(user.username);
    if (sa) keys.push(`ServiceAccount:${sa[1]}:${sa[2]}`);
    const out: Rule[] = [];
    const seen = new Set<string>();
    for (const k of keys) {
      for (const bk of this.bySubject.get(k) ?? []) {
        if (seen.has(bk)) continue;
        seen.add(bk);
        const [kind, ns, name] = bk.split('|');
        // Rules granted by a RoleBinding apply only inside its namespace.
        if (kind === 'RoleBinding' && ns !== namespace) continue;
        const binding =
          kind === 'RoleBinding'
            ? this.state.get(rbac('rolebindings'), ns, name)
            : this.state.get(rbac('clusterrolebindings'), undefined, name);
        const ref = isObject(binding?.roleRef) ? binding.roleRef : undefined;
        if (!ref) continue;
        const role =
          ref.kind === 'ClusterRole'
            ? this.state.get(rbac('clusterroles'), undefined, text(ref.name))
            : this.state.get(rbac('roles'), ns, text(ref.name));
        if (!role) continue;
        const rules = rulesOf(role, this.state);
        out.push(
          ...(kind === 'RoleBinding' ? rules.filter((r) => r.nonResourceURLs.length === 0) : rules),
        );
      }
    }
    return out;
  }

  stop(): void {
    this.stops.forEach((s) => s());
  }
}

function bindingKey(b: KubeObject): string {
  return `${b.kind}|${b.metadata.namespace ?? ''}|${b.metadata.name}`;
}

function subjectKey(s: JsonObject, bindingNamespace: string | undefined): string | undefined {
  if (s.kind === 'User' || s.kind === 'Group') return `${s.kind}:${text(s.name)}`;
  if (s.kind === 'ServiceAccount')
    return `ServiceAccount:${text(s.namespace) || bindingNamespace}:${text(s.name)}`;
  return undefined;
}

function list(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}

/**
 * The rules of roles that aggregate nothing, by stored role object: a write stores a new object,
 * so an entry never outlives its role's version. Every request of every klusterlet evaluated its
 * agent role's rules afresh.
 */
const plainRules = new WeakMap<KubeObject, Rule[]>();

function rulesOf(role: KubeObject, state: ClusterState): Rule[] {
  const agg = role.aggregationRule;
  const aggregates =
    role.kind === 'ClusterRole' && isObject(agg) && Array.isArray(agg.clusterRoleSelectors);
  if (!aggregates) {
    let rules = plainRules.get(role);
    if (!rules) plainRules.set(role, (rules = ownRules(role)));
    return rules;
  }
  return ownRules(role).concat(aggregatedRules(role, agg, state));
}

function ownRules(role: KubeObject): Rule[] {
  const rules: Rule[] = [];
  const raw = Array.isArray(role.rules) ? role.rules.filter(isObject) : [];
  for (const r of raw) {
    rules.push({
      verbs: list(r.verbs),
      apiGroups: list(r.apiGroups),
      resources: list(r.resources),
      resourceNames: list(r.resourceNames),
      nonResourceURLs: list(r.nonResourceURLs),
    });
  }
  return rules;
}

/** Aggregated ClusterRoles collect the rules of the roles their selectors match. */
function aggregatedRules(role: KubeObject, agg: JsonObject, state: ClusterState): Rule[] {
  const rules: Rule[] = [];
  const all = state.list(
    state.rt('rbac.authorization.k8s.io', 'v1', 'clusterroles'),
    undefined,
  ).items;
  for (const sel of (agg.clusterRoleSelectors as unknown[]).filter(isObject)) {
    const want = isObject(sel.matchLabels) ? sel.matchLabels : {};
    for (const other of all) {
      if (other.metadata.name === role.metadata.name) continue;
      const labels = other.metadata.labels ?? {};
      if (Object.entries(want).every(([k, v]) => labels[k] === v)) rules.push(...ownRules(other));
    }
  }
  return rules;
}

function ruleAllows(rule: Rule, a: RequestAttributes): boolean {
  const verbOk = rule.verbs.includes('*') || rule.verbs.includes(a.verb);
  if (!verbOk) return false;
  if (a.path !== undefined) {
    return rule.nonResourceURLs.some(
      (u) => u === '*' || u === a.path || (u.endsWith('*') && a.path!.startsWith(u.slice(0, -1))),
    );
  }
  if (!(rule.apiGroups.includes('*') || rule.apiGroups.includes(a.apiGroup))) return false;
  const full = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resOk = rule.resources.some(
    (r) =>
      r === '*' ||
      r === full ||
      (a.subresource && r === `*/${a.subresource}`) ||
      (!a.subresource && r === a.resource) ||
      (r.endsWith('/*') && !!a.subresource && r === `${a.resource}/*`),
  );
  if (!resOk) return false;
  if (rule.resourceNames.length > 0) return !!a.name && rule.resourceNames.includes(a.name);
  return true;
}

/** The rules of a SelfSubjectRulesReview, in the API's shape. */
export function rulesReviewStatus(rules: Rule[]): JsonObject {
  return {
    resourceRules: rules
      .filter((r) => r.resources.length > 0)
      .map((r) => ({
        verbs: r.verbs,
        apiGroups: r.apiGroups,
        resources: r.resources,
        ...(r.resourceNames.length ? { resourceNames: r.resourceNames } : {}),
      })),
    nonResourceRules: rules
      .filter((r) => r.nonResourceURLs.length > 0)
      .map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs })),
    incomplete: false,
  };
}
