// The validation of a migration (migration-engine.md §4): what the controller runs in the
// Validating phase, and what the wizard runs as a dry run before it creates a migration.
//
// It only reads. Every check runs even when others fail, so one pass tells an administrator
// everything that is wrong, with one line per failing hub or cluster. Hub data is read with a few
// list calls per hub (ManagedClusters, ZTP objects, policies), never one GET per cluster, so it
// stays fast at thousands of clusters. The reference's error texts are kept where it has one.
import type { HubClient, KubeObject } from '../hubs/hub-client.js';
import { HubError } from '../hubs/hub-client.js';
import type { HubInfo } from '../hubs/registry.js';
import {
  DEPLOY_MODE_LABEL,
  HUB_ANNOTATION,
  HubRegistry,
  HubUnavailableError,
} from '../hubs/registry.js';
import type { Res } from '../hubs/resources.js';
import { R } from '../hubs/resources.js';
import type { Migration } from './types.js';
import { LABEL, isTerminal } from './types.js';

// ---- the API -----------------------------------------------------------------------------------

export interface ValidationInput {
  from: string;
  to: string;
  clusters?: string[];
  placementRef?: string;
  /** name/namespace of the migration being validated, so it does not conflict with itself */
  migration?: { name: string; namespace: string };
}

export interface CheckResult {
  ok: boolean;
  errors: string[];
  warnings: string[];
}

export interface HubCheck extends CheckResult {
  hub: string;
  role: 'source' | 'target';
  acmVersion?: string;
}

export interface ClusterCheck extends CheckResult {
  name: string;
  /** e.g. 'ztp' | 'plain' */
  kind: 'ztp' | 'plain';
}

export interface ValidationResult {
  ok: boolean;
  hubs: HubCheck[];
  clusters: ClusterCheck[];
  /** the final cluster list (from the list, or the Placement's decisions, read once) */
  resolvedClusters: string[];
  errors: string[];
  warnings: string[];
}

export interface ValidationDeps {
  registry: HubRegistry;
  migrationsNamespace: string;
  /** minor versions the target may be ahead of the source; EUS sources may jump two */
  policy?: VersionPolicy;
}

export interface VersionPolicy {
  maxMinorSkew: number;
  eusMaxMinorSkew: number;
  /** ACM minor versions (x.y) that are EUS releases: from these the target may be two minors ahead. */
  eusVersions: readonly string[];
}

/** ACM 2.13 pairs with OpenShift 4.18 EUS; the list is configurable (EUS_ACM_VERSIONS). */
export const DEFAULT_VERSION_POLICY: VersionPolicy = {
  maxMinorSkew: 1,
  eusMaxMinorSkew: 2,
  eusVersions: ['2.13'],
};

// ---- names on the hubs -------------------------------------------------------------------------

const AVAILABLE = 'ManagedClusterConditionAvailable';
const DEPLOY_MODE_ANNOTATION = 'import.open-cluster-management.io/klusterlet-deploy-mode';
const ROOT_POLICY_LABEL = 'policy.open-cluster-management.io/root-policy';
/** The ManagedCluster name ACM gives a hub's own cluster unless its MultiClusterHub renames it. */
const DEFAULT_LOCAL_CLUSTER = 'local-cluster';
/**
 * ACM has no field, label or annotation that says a hub runs an Extended Update Support release
 * (the MultiClusterHub only reports `status.currentVersion`, and the OLM channel is `release-2.y`
 * either way). We therefore honour this annotation on the MultiClusterHub, which an administrator
 * sets on an EUS hub and the fleet simulator sets for its `eus: true` hubs.
 */
export const EUS_ANNOTATION = 'sim.hub-migration.openshift.io/eus';
/** How many cluster names a warning lists before it says "and N more". */
const NAMES_IN_MESSAGE = 10;
/** Parallel reads of other migrations' ConfigMaps. */
const CONFIGMAP_READS = 8;

export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS1123_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

// ---- small helpers ---------------------------------------------------------------------------

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

function conditionOf(obj: KubeObject | undefined, type: string): Condition | undefined {
  const status = obj?.status as { conditions?: Condition[] } | undefined;
  return status?.conditions?.find((c) => c.type === type);
}

/** `Provisioned=False (Provisioning)` — what a condition says, for a message. */
function describeCondition(type: string, c: Condition | undefined): string {
  if (!c) return `no ${type} condition`;
  return `${type}=${c.status}${c.reason ? ` (${c.reason})` : ''}`;
}

function errorText(e: unknown): string {
  if (e instanceof HubUnavailableError) return e.why;
  if (e instanceof HubError) {
    if (e.status === 401 || e.status === 403)
      return `access denied (${e.status} ${e.reason}): ${e.message}`;
    return e.message;
  }
  return e instanceof Error ? e.message : String(e);
}

/** `a, b, c … and 7 more`, so a warning about thousands of clusters stays one readable line. */
function nameList(names: string[]): string {
  const shown = names.slice(0, NAMES_IN_MESSAGE).join(', ');
  const rest = names.length - NAMES_IN_MESSAGE;
  return rest > 0 ? `${shown} and ${rest} more` : shown;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Runs `fn` over `items` with at most `limit` calls in flight. */
export async function mapLimit<T, U>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<U>,
): Promise<U[]> {
  const out = new Array<U>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** A read that may fail: the checks that need it are skipped and say so, the others go on. */
type Loaded<T> = { ok: true; value: T } | { ok: false; error: string };

async function load<T>(fn: () => Promise<T>): Promise<Loaded<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    return { ok: false, error: errorText(e) };
  }
}

/** Lists a kind; a kind whose API the hub does not serve (404) simply has no objects there. */
export async function listOrEmpty(
  client: HubClient,
  res: Res,
  namespace?: string,
  labelSelector?: string,
): Promise<KubeObject[]> {
  try {
    return await client.list(res, namespace, { labelSelector });
  } catch (e) {
    if (e instanceof HubError && e.notFound) return [];
    throw e;
  }
}

function key(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

// ---- hubs ------------------------------------------------------------------------------------

/** What validation learnt of one hub: its client when it can be read, and its ACM objects. */
interface HubView {
  name: string;
  role: 'source' | 'target';
  check: HubCheck;
  client?: HubClient;
  mch?: KubeObject;
  mce?: KubeObject;
  /** Why the hub cannot be read, when it cannot. */
  unusable?: string;
}

/** The hub checks that need no other hub: exists, Available, is a hub, connected, runs ACM. */
async function inspectHub(
  name: string,
  role: 'source' | 'target',
  registry: HubRegistry,
  infos: Loaded<Map<string, HubInfo>>,
): Promise<HubView> {
  const check: HubCheck = { hub: name, role, ok: true, errors: [], warnings: [] };
  const view: HubView = { name, role, check };
  // A failure that stops the hub from being read; its text also explains the unchecked clusters.
  const fail = (msg: string) => {
    check.errors.push(msg);
    view.unusable ??= msg;
  };
  if (!name) {
    fail(`${role} hub is not specified`);
    return view;
  }
  const mc = await load(() => registry.global.get(R.managedCluster, name));
  if (!mc.ok) {
    fail(`failed to get managed hub cluster ${name} from the global hub: ${mc.error}`);
    return view;
  }
  if (!mc.value) {
    fail(`managed hub cluster ${name} is not found`);
    return view;
  }
  const available = conditionOf(mc.value, AVAILABLE);
  if (available?.status !== 'True') {
    // Not Available on the global hub is the reference's "not ready"; we still try to read the
    // hub, since the Secret-based connection may work and its other checks are useful.
    check.errors.push(
      `managed hub cluster ${name} is not ready (${describeCondition(AVAILABLE, available)} on the global hub)`,
    );
  }
  if (!HubRegistry.isHub(mc.value)) {
    fail(
      `${name} is not a managed hub cluster (its ManagedCluster has neither the annotation ${HUB_ANNOTATION}=true nor the label ${DEPLOY_MODE_LABEL})`,
    );
    return view;
  }
  if (!infos.ok) {
    fail(`managed hub cluster ${name} cannot be checked: ${infos.error}`);
    return view;
  }
  const info = infos.value.get(name);
  if (!info?.connected) {
    fail(
      `managed hub cluster ${name} is not connected: ${info?.reason ?? 'the hub registry does not know it'}`,
    );
    return view;
  }
  await readAcm(view, registry);
  return view;
}

/** Reads the hub's MultiClusterHub and MultiClusterEngine (versions, components, EUS). */
async function readAcm(view: HubView, registry: HubRegistry): Promise<void> {
  const { name, check } = view;
  const read = await load(async () => {
    const client = await registry.client(name);
    const [mch, mce] = await Promise.all([
      listOrEmpty(client, R.multiClusterHub),
      listOrEmpty(client, R.multiClusterEngine),
    ]);
    return { client, mch: mch[0], mce: mce[0] };
  });
  if (!read.ok) {
    view.unusable = `managed hub cluster ${name} is not connected: ${read.error}`;
    check.errors.push(view.unusable);
    return;
  }
  Object.assign(view, read.value);
  if (!read.value.mch) {
    check.errors.push(`no MultiClusterHub found on hub ${name}: ACM is not installed there`);
    return;
  }
  check.acmVersion = (read.value.mch.status as { currentVersion?: string } | undefined)
    ?.currentVersion;
  if (!check.acmVersion)
    check.errors.push(
      `the ACM version of hub ${name} is unknown: its MultiClusterHub reports no status.currentVersion`,
    );
}

function parseMinor(version: string): { major: number; minor: number } | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(version.trim());
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

function isEus(mch: KubeObject | undefined, version: string, policy: VersionPolicy): boolean {
  const minor = version.split('.').slice(0, 2).join('.');
  return (
    policy.eusVersions.includes(minor) || mch?.metadata.annotations?.[EUS_ANNOTATION] === 'true'
  );
}

/**
 * The target's ACM must be the source's minor, or newer by at most `maxMinorSkew` (by
 * `eusMaxMinorSkew` from an EUS source), never older: a cluster's add-ons and policies are
 * written for its hub's ACM, and only upgrades along a supported path are tested.
 */
export function versionErrors(
  source: { hub: string; version: string; eus: boolean },
  target: { hub: string; version: string },
  policy: VersionPolicy,
): string[] {
  const s = parseMinor(source.version);
  const t = parseMinor(target.version);
  if (!s)
    return [
      `source hub ${source.hub} reports ACM version "${source.version}", which is not a version`,
    ];
  if (!t)
    return [
      `target hub ${target.hub} reports ACM version "${target.version}", which is not a version`,
    ];
  const pair = `target hub ${target.hub} runs ACM ${target.version} and source hub ${source.hub} runs ACM ${source.version}`;
  if (s.major !== t.major) return [`${pair}: clusters cannot move between ACM major versions`];
  const skew = t.minor - s.minor;
  if (skew < 0)
    return [`${pair}: clusters cannot move to an older ACM; upgrade the target hub first`];
  const allowed = source.eus ? policy.eusMaxMinorSkew : policy.maxMinorSkew;
  if (skew > allowed) {
    const rule = source.eus
      ? `${plural(allowed, 'minor version')} from an EUS release`
      : `${plural(allowed, 'minor version')} (${policy.eusMaxMinorSkew} from an EUS release)`;
    return [
      `${pair}: the target is ${plural(skew, 'minor version')} ahead, at most ${rule} is supported`,
    ];
  }
  return [];
}

function enabledComponents(obj: KubeObject | undefined): string[] {
  const spec = obj?.spec as
    { overrides?: { components?: { name: string; enabled?: boolean }[] } } | undefined;
  return (spec?.overrides?.components ?? []).filter((c) => c.enabled === true).map((c) => c.name);
}

/**
 * Components the source enables that the target does not. A source's `x-preview` counts as
 * present when the target enables `x`: ACM renames a preview component when it becomes GA
 * (fine-grained-rbac-preview → fine-grained-rbac), and the newer hub has only the new name.
 */
export function missingComponents(source: string[], target: string[]): string[] {
  const have = new Set(target);
  return source.filter(
    (c) => !have.has(c) && !(c.endsWith('-preview') && have.has(c.slice(0, -'-preview'.length))),
  );
}

/** Version and component checks between the two hubs; their errors go to the target's check. */
function compareHubs(source: HubView, target: HubView, policy: VersionPolicy): void {
  const sv = source.check.acmVersion;
  const tv = target.check.acmVersion;
  if (sv && tv)
    target.check.errors.push(
      ...versionErrors(
        { hub: source.name, version: sv, eus: isEus(source.mch, sv, policy) },
        { hub: target.name, version: tv },
        policy,
      ),
    );
  if (!source.mch || !target.mch) return;
  const missing = [
    ...missingComponents(enabledComponents(source.mch), enabledComponents(target.mch)).map(
      (c) => `${c} (MultiClusterHub)`,
    ),
    ...missingComponents(enabledComponents(source.mce), enabledComponents(target.mce)).map(
      (c) => `${c} (MultiClusterEngine)`,
    ),
  ];
  if (missing.length > 0) {
    target.check.errors.push(
      `target hub ${target.name} does not enable ${missing.length === 1 ? 'a component' : 'components'} that source hub ${source.name} enables: ${missing.join(', ')}; enable ${missing.length === 1 ? 'it' : 'them'} on the target hub first`,
    );
  }
}

// ---- the cluster list ------------------------------------------------------------------------

interface Selection {
  /** Unique names in the order given. */
  names: string[];
  /** Per-cluster findings on the input itself (invalid, listed twice). */
  inputErrors: Map<string, string[]>;
  /** Errors that concern the selection as a whole. */
  errors: string[];
}

function inputErrors(input: ValidationInput): string[] {
  // A missing hub name is reported by that hub's own check.
  const errors: string[] = [];
  if (input.from && input.from === input.to)
    errors.push(
      `source and target hub are the same (${input.from}): a cluster can only migrate to another hub`,
    );
  const hasList = input.clusters !== undefined && input.clusters.length > 0;
  const hasPlacement = Boolean(input.placementRef);
  if (hasList && hasPlacement)
    errors.push(
      'give either a list of managed clusters (includedManagedClusters) or a placement (includedManagedClustersPlacementRef), not both',
    );
  else if (!hasPlacement && input.clusters !== undefined && input.clusters.length === 0)
    errors.push('the list of managed clusters to migrate is empty');
  else if (!hasList && !hasPlacement)
    errors.push(
      'no managed clusters selected: give a list of managed clusters (includedManagedClusters) or a placement (includedManagedClustersPlacementRef)',
    );
  if (hasPlacement && !DNS1123_SUBDOMAIN.test(input.placementRef!))
    errors.push(`"${input.placementRef}" is not a valid placement name`);
  return errors;
}

function emptySelection(): Selection {
  return { names: [], inputErrors: new Map(), errors: [] };
}

/** A ManagedCluster name: a DNS-1123 label of at most 63 characters. */
export function isClusterName(name: string): boolean {
  return DNS1123_LABEL.test(name) && name.length <= 63;
}

/** The listed clusters, once each; invalid names and names listed twice are errors of that cluster. */
function selectFromList(list: string[]): Selection {
  const sel = emptySelection();
  const count = new Map<string, number>();
  for (const name of list) count.set(name, (count.get(name) ?? 0) + 1);
  for (const [name, n] of count) {
    sel.names.push(name);
    const errs: string[] = [];
    if (!isClusterName(name))
      errs.push(
        `"${name}" is not a valid managed cluster name: it must be a DNS-1123 label (at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit)`,
      );
    if (n > 1) errs.push(`managed cluster ${name} is listed more than once (${n} times)`);
    if (errs.length) sel.inputErrors.set(name, errs);
  }
  return sel;
}

/**
 * The clusters a Placement on the source hub decides, read once: the Placement is found by name
 * in any namespace (it must be unique), and its PlacementDecisions are those in its namespace.
 */
async function selectFromPlacement(placement: string, source: HubView): Promise<Selection> {
  const sel = emptySelection();
  const client = source.client;
  if (!client) {
    sel.errors.push(
      `failed to get managed clusters from placement decisions: source hub ${source.name || '(not specified)'} cannot be read${source.unusable ? ` (${source.unusable})` : ''}`,
    );
    return sel;
  }
  const read = await load(async () => {
    const found = await client.list(R.placement, undefined, {
      fieldSelector: `metadata.name=${placement}`,
    });
    if (found.length !== 1) return { found, decisions: [] };
    const ns = found[0].metadata.namespace;
    const decisions = await client.list(R.placementDecision, ns, {
      labelSelector: `${LABEL.placement}=${placement}`,
    });
    return { found, decisions };
  });
  if (!read.ok) {
    sel.errors.push(`failed to get managed clusters from placement decisions: ${read.error}`);
    return sel;
  }
  const { found, decisions } = read.value;
  if (found.length === 0) {
    sel.errors.push(`placement "${placement}" is not found in managed hub ${source.name}`);
    return sel;
  }
  if (found.length > 1) {
    const namespaces = found.map((p) => p.metadata.namespace ?? '').sort();
    sel.errors.push(
      `placement "${placement}" exists in ${found.length} namespaces of managed hub ${source.name} (${namespaces.join(', ')}): rename or remove all but one`,
    );
    return sel;
  }
  const names = new Set<string>();
  for (const d of decisions) {
    const status = d.status as { decisions?: { clusterName?: string }[] } | undefined;
    for (const { clusterName } of status?.decisions ?? []) if (clusterName) names.add(clusterName);
  }
  sel.names = [...names].sort();
  if (sel.names.length === 0)
    sel.errors.push(`no managed clusters found in placement "${placement}"`);
  return sel;
}

// ---- what the cluster checks read ----------------------------------------------------------

interface SourceData {
  /** Set when the hub itself cannot be used: then nothing on it was read. */
  unusable?: string;
  clusters: Loaded<Map<string, KubeObject>>;
  /** ClusterDeployments, ImageClusterInstalls by `<ns>/<name>`; ClusterInstances by cluster. */
  ztp: Loaded<{
    deployments: Map<string, KubeObject>;
    installs: Map<string, KubeObject>;
    instances: Map<string, KubeObject[]>;
  }>;
  policies: Loaded<{ roots: Set<string>; replicas: KubeObject[] }>;
  localClusterName: string;
}

interface TargetData {
  unusable?: string;
  clusters: Loaded<Set<string>>;
  rootPolicies: Loaded<Set<string>>;
}

interface OtherMigrations {
  /** Cluster → the other, unfinished migration that holds it. */
  byCluster: Loaded<Map<string, string>>;
}

function unreadable<T>(hub: HubView): Loaded<T> {
  return { ok: false, error: unusableText(hub) };
}

/** Why nothing could be read on a hub: the hub check's own error, which says what to fix. */
function unusableText(hub: HubView): string {
  return hub.unusable ?? `${hub.role} hub ${hub.name || '(not specified)'} cannot be used`;
}

async function readSource(source: HubView): Promise<SourceData> {
  const client = source.client;
  const mchLocal = (source.mch?.spec as { localClusterName?: string } | undefined)
    ?.localClusterName;
  const localClusterName = mchLocal || DEFAULT_LOCAL_CLUSTER;
  if (!client)
    return {
      unusable: unusableText(source),
      clusters: unreadable(source),
      ztp: unreadable(source),
      policies: unreadable(source),
      localClusterName,
    };
  const [clusters, ztp, policies] = await Promise.all([
    load(
      async () =>
        new Map((await client.list(R.managedCluster)).map((mc) => [mc.metadata.name, mc])),
    ),
    load(async () => {
      const [cds, icis, cis] = await Promise.all([
        listOrEmpty(client, R.clusterDeployment),
        listOrEmpty(client, R.imageClusterInstall),
        listOrEmpty(client, R.clusterInstance),
      ]);
      const instances = new Map<string, KubeObject[]>();
      for (const ci of cis) {
        // A ClusterInstance names the cluster it installs; it normally lives in its namespace.
        const cluster =
          (ci.spec as { clusterName?: string } | undefined)?.clusterName ??
          ci.metadata.namespace ??
          '';
        instances.set(cluster, [...(instances.get(cluster) ?? []), ci]);
      }
      return {
        deployments: new Map(cds.map((o) => [key(o.metadata.namespace, o.metadata.name), o])),
        installs: new Map(icis.map((o) => [key(o.metadata.namespace, o.metadata.name), o])),
        instances,
      };
    }),
    load(async () => {
      const [roots, replicas] = await Promise.all([
        listOrEmpty(client, R.policy, undefined, `!${ROOT_POLICY_LABEL}`),
        listOrEmpty(client, R.policy, undefined, ROOT_POLICY_LABEL),
      ]);
      return {
        roots: new Set(roots.map((p) => key(p.metadata.namespace, p.metadata.name))),
        replicas,
      };
    }),
  ]);
  return { clusters, ztp, policies, localClusterName };
}

async function readTarget(target: HubView): Promise<TargetData> {
  const client = target.client;
  if (!client) {
    return {
      unusable: unusableText(target),
      clusters: unreadable(target),
      rootPolicies: unreadable(target),
    };
  }
  const [clusters, rootPolicies] = await Promise.all([
    load(async () => new Set((await client.list(R.managedCluster)).map((mc) => mc.metadata.name))),
    load(
      async () =>
        new Set(
          (await listOrEmpty(client, R.policy, undefined, `!${ROOT_POLICY_LABEL}`)).map((p) =>
            key(p.metadata.namespace, p.metadata.name),
          ),
        ),
    ),
  ]);
  return { clusters, rootPolicies };
}

/** The clusters each other, unfinished migration holds: its list, or its frozen Placement result. */
async function clustersOf(m: Migration, global: HubClient, namespace: string): Promise<string[]> {
  if (m.spec?.includedManagedClusters?.length) return m.spec.includedManagedClusters;
  // A Placement-based migration froze its clusters into the ConfigMap named after it. One that
  // has not got that far is still Pending, and its own validation will see this one's clusters.
  const cm = await global.get(R.configMap, m.metadata.name, namespace);
  const raw = (cm?.data as Record<string, string> | undefined)?.['all-clusters'];
  if (!raw) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

async function readOtherMigrations(
  input: ValidationInput,
  deps: ValidationDeps,
): Promise<OtherMigrations> {
  const global = deps.registry.global;
  const ns = deps.migrationsNamespace;
  const byCluster = await load(async () => {
    const all = (await listOrEmpty(global, R.migration, ns)) as Migration[];
    const self = input.migration;
    const others = all.filter(
      (m) =>
        !isTerminal(m.status?.phase) &&
        !(self && self.name === m.metadata.name && self.namespace === (m.metadata.namespace ?? ns)),
    );
    const lists = await mapLimit(others, CONFIGMAP_READS, (m) => clustersOf(m, global, ns));
    const map = new Map<string, string>();
    others.forEach((m, i) => {
      const label = `${m.metadata.name} (${m.status?.phase ?? 'Pending'})`;
      for (const c of lists[i]) if (!map.has(c)) map.set(c, label);
    });
    return map;
  });
  return { byCluster };
}

// ---- per-cluster checks ----------------------------------------------------------------------

interface ClusterContext {
  from: string;
  to: string;
  /** The global hub's own cluster name, as the registry's global client is named after it. */
  globalLocalName: string;
  source: SourceData;
  target: TargetData;
  /** False when source and target are the same hub: "exists on the target" would then say nothing. */
  checkTarget: boolean;
  others: OtherMigrations;
}

/**
 * A per-cluster finding. One that comes from a read that failed carries `shared`, the sentence
 * for all clusters alike: the summary reports it once rather than once per cluster.
 */
interface Finding {
  message: string;
  shared?: string;
}

/** The reference's source-hub checks, in its order: hosted, local, available, is a hub. */
function sourceFindings(name: string, mc: KubeObject, ctx: ClusterContext): Finding[] {
  const out: Finding[] = [];
  const ann = mc.metadata.annotations ?? {};
  const hub = ctx.from;
  if (ann[DEPLOY_MODE_ANNOTATION] === 'Hosted')
    out.push({
      message: `managed cluster ${name} is imported as hosted mode in managed hub ${hub}, it cannot be migrated`,
    });
  if (
    mc.metadata.labels?.[LABEL.localCluster] === 'true' ||
    name === ctx.source.localClusterName ||
    name === ctx.globalLocalName
  )
    out.push({
      message: `managed cluster ${name} is local cluster in managed hub ${hub}, it cannot be migrated`,
    });
  const available = conditionOf(mc, AVAILABLE);
  if (available?.status !== 'True')
    out.push({
      message: `managed cluster ${name} is not available in managed hub ${hub}, it cannot be migrated (${describeCondition(AVAILABLE, available)})`,
    });
  if (ann[HUB_ANNOTATION] === 'true')
    out.push({
      message: `managed cluster ${name} is a managed hub cluster in managed hub ${hub}, it cannot be migrated`,
    });
  return out;
}

/** What in a ZTP cluster's installation is not finished yet, one phrase per object. */
export function unfinishedZtp(
  name: string,
  cd: KubeObject,
  ici: KubeObject | undefined,
  instances: KubeObject[],
): string[] {
  const out: string[] = [];
  const provisioned = conditionOf(cd, 'Provisioned');
  const installed = (cd.spec as { installed?: boolean } | undefined)?.installed === true;
  if (!installed || (provisioned && provisioned.status !== 'True')) {
    out.push(
      `ClusterDeployment ${name}/${name} is not provisioned (spec.installed=${String(installed)}, ${describeCondition('Provisioned', provisioned)})`,
    );
  }
  if (ici) {
    const completed = conditionOf(ici, 'Completed');
    if (completed?.status !== 'True')
      out.push(
        `ImageClusterInstall ${name}/${name} has not completed (${describeCondition('Completed', completed)})`,
      );
  }
  for (const ci of instances) {
    // siteconfig reports the end of an installation as Provisioned=True (reason Completed).
    const done = conditionOf(ci, 'Provisioned') ?? conditionOf(ci, 'Completed');
    if (done?.status !== 'True')
      out.push(
        `ClusterInstance ${ci.metadata.namespace ?? ''}/${ci.metadata.name} is not provisioned (${describeCondition(done?.type ?? 'Provisioned', done)})`,
      );
  }
  return out;
}

/** The source-hub checks of one cluster; one finding only when the source cannot be used at all. */
function onSource(name: string, ctx: ClusterContext): Finding[] {
  const { source, from } = ctx;
  if (source.unusable) {
    return [
      {
        message: `managed cluster ${name} could not be checked: ${source.unusable}`,
        shared: `the managed clusters could not be checked: ${source.unusable}`,
      },
    ];
  }
  const out: Finding[] = [];
  if (!source.clusters.ok) {
    out.push({
      message: `failed to get managed cluster ${name} from managed hub ${from}: ${source.clusters.error}`,
      shared: `failed to get the managed clusters from managed hub ${from}: ${source.clusters.error}`,
    });
  } else {
    const mc = source.clusters.value.get(name);
    if (!mc) out.push({ message: `managed cluster ${name} is not found in managed hub ${from}` });
    else out.push(...sourceFindings(name, mc, ctx));
  }
  if (!source.ztp.ok) {
    out.push({
      message: `the ZTP installation of managed cluster ${name} could not be checked in managed hub ${from}: ${source.ztp.error}`,
      shared: `the ZTP installations could not be checked in managed hub ${from}: ${source.ztp.error}`,
    });
  } else {
    const unfinished = ztpOf(name, ctx)?.unfinished ?? [];
    if (unfinished.length > 0) {
      out.push({
        message: `managed cluster ${name} has not finished provisioning in managed hub ${from}, it cannot be migrated yet: ${unfinished.join(', ')}`,
      });
    }
  }
  return out;
}

/** A ZTP cluster (one with a ClusterDeployment `<c>/<c>` on the source) and what is not done. */
function ztpOf(name: string, ctx: ClusterContext): { unfinished: string[] } | undefined {
  if (!ctx.source.ztp.ok) return undefined;
  const { deployments, installs, instances } = ctx.source.ztp.value;
  const cd = deployments.get(key(name, name));
  if (!cd) return undefined;
  return {
    unfinished: unfinishedZtp(name, cd, installs.get(key(name, name)), instances.get(name) ?? []),
  };
}

function onTarget(name: string, ctx: ClusterContext): Finding[] {
  const { target, to } = ctx;
  if (!ctx.checkTarget) return [];
  if (target.unusable) {
    return [
      {
        message: `could not check whether managed cluster ${name} already exists in target hub ${to}: ${target.unusable}`,
        shared: `could not check whether the managed clusters already exist in target hub ${to}: ${target.unusable}`,
      },
    ];
  }
  if (!target.clusters.ok) {
    return [
      {
        message: `could not check whether managed cluster ${name} already exists in target hub ${to}: ${target.clusters.error}`,
        shared: `could not check whether the managed clusters already exist in target hub ${to}: ${target.clusters.error}`,
      },
    ];
  }
  return target.clusters.value.has(name)
    ? [{ message: `managed cluster ${name} already exists in target hub ${to}` }]
    : [];
}

function inOtherMigrations(name: string, ctx: ClusterContext): Finding[] {
  const { byCluster } = ctx.others;
  if (!byCluster.ok) {
    return [
      {
        message: `could not check whether managed cluster ${name} is in another migration: ${byCluster.error}`,
        shared: `could not check whether the managed clusters are in other migrations: ${byCluster.error}`,
      },
    ];
  }
  const other = byCluster.value.get(name);
  return other
    ? [
        {
          message: `managed cluster ${name} is already in migration ${other}, which has not finished`,
        },
      ]
    : [];
}

/** Every check of one cluster; a name that is not a valid cluster name is checked no further. */
function checkCluster(
  name: string,
  ctx: ClusterContext,
  listErrors: string[],
): { check: ClusterCheck; findings: Finding[] } {
  const findings: Finding[] = listErrors.map((message) => ({ message }));
  if (isClusterName(name)) {
    findings.push(...onSource(name, ctx), ...onTarget(name, ctx), ...inOtherMigrations(name, ctx));
  }
  const errors = findings.map((f) => f.message);
  const kind = ztpOf(name, ctx) ? 'ztp' : 'plain';
  return { check: { name, kind, ok: errors.length === 0, errors, warnings: [] }, findings };
}

// ---- policies --------------------------------------------------------------------------------

/**
 * Root policies on the source whose replicas sit in a migrating cluster's namespace but that do
 * not exist (same namespace/name) on the target: the clusters would stop being governed by them.
 * A warning, not an error: the administrator may mean to drop a policy.
 */
export function missingPolicyWarnings(
  replicas: KubeObject[],
  sourceRoots: Set<string>,
  targetRoots: Set<string>,
  migrating: Set<string>,
  from: string,
  to: string,
): string[] {
  const clustersByRoot = new Map<string, Set<string>>();
  for (const replica of replicas) {
    const cluster = replica.metadata.namespace ?? '';
    const root = replica.metadata.labels?.[ROOT_POLICY_LABEL];
    if (!root || !migrating.has(cluster)) continue;
    // A replica is named `<root namespace>.<root name>`; namespaces have no dots, names may.
    const dot = root.indexOf('.');
    if (dot <= 0) continue;
    const rootKey = key(root.slice(0, dot), root.slice(dot + 1));
    if (!sourceRoots.has(rootKey) || targetRoots.has(rootKey)) continue;
    clustersByRoot.set(rootKey, (clustersByRoot.get(rootKey) ?? new Set()).add(cluster));
  }
  return [...clustersByRoot.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([root, set]) => {
      const names = [...set].sort();
      return `policy ${root} applies to ${plural(names.length, 'migrating cluster')} on source hub ${from} (${nameList(names)}) but does not exist on target hub ${to}: apply the policy to the target hub before migrating, or these clusters will no longer be governed by it`;
    });
}

function policyWarnings(ctx: ClusterContext, migrating: Set<string>): string[] {
  if (!ctx.checkTarget || migrating.size === 0) return [];
  const { policies } = ctx.source;
  const { rootPolicies } = ctx.target;
  if (!policies.ok)
    return [
      `could not check which policies apply to the migrating clusters on source hub ${ctx.from}: ${policies.error}`,
    ];
  if (!rootPolicies.ok)
    return [`could not check the policies of target hub ${ctx.to}: ${rootPolicies.error}`];
  return missingPolicyWarnings(
    policies.value.replicas,
    policies.value.roots,
    rootPolicies.value,
    migrating,
    ctx.from,
    ctx.to,
  );
}

// ---- the whole validation ------------------------------------------------------------------

/** One line for a failing hub or cluster, its errors joined. */
function line(errors: string[]): string {
  return errors.join('; ');
}

/**
 * One line per failing cluster, for the condition and events. A read that failed would repeat
 * the same sentence for every cluster: it is reported once, with how many clusters it left unchecked.
 */
function clusterLines(perCluster: Finding[][]): string[] {
  const lines: string[] = [];
  const shared = new Map<string, number>();
  for (const findings of perCluster) {
    const own = findings.filter((f) => !f.shared).map((f) => f.message);
    if (own.length) lines.push(line(own));
    for (const f of findings) if (f.shared) shared.set(f.shared, (shared.get(f.shared) ?? 0) + 1);
  }
  for (const [what, n] of shared) lines.push(`${what} (${plural(n, 'cluster')} not checked)`);
  return lines;
}

/**
 * Validates a migration without changing anything on any hub. Never throws for what it finds:
 * a hub that cannot be read is itself a finding.
 */
export async function validateMigration(
  input: ValidationInput,
  deps: ValidationDeps,
): Promise<ValidationResult> {
  const policy = deps.policy ?? DEFAULT_VERSION_POLICY;
  const errors = inputErrors(input);
  const warnings: string[] = [];

  // Hubs: one registry refresh, so availability and connections are current.
  const infos = await load(
    async () => new Map((await deps.registry.refresh()).map((h) => [h.name, h])),
  );
  const [source, target] = await Promise.all([
    inspectHub(input.from, 'source', deps.registry, infos),
    inspectHub(input.to, 'target', deps.registry, infos),
  ]);
  compareHubs(source, target, policy);
  const hubs = [source.check, target.check];

  // Clusters: the list, or the Placement's decisions read once; then every check's data, read once.
  const usePlacement =
    Boolean(input.placementRef) && !(input.clusters && input.clusters.length > 0);
  const placementValid = usePlacement && DNS1123_SUBDOMAIN.test(input.placementRef!);
  const [selection, sourceData, targetData, others] = await Promise.all([
    usePlacement
      ? placementValid
        ? selectFromPlacement(input.placementRef!, source)
        : Promise.resolve(emptySelection())
      : Promise.resolve(selectFromList(input.clusters ?? [])),
    readSource(source),
    readTarget(target),
    readOtherMigrations(input, deps),
  ]);
  errors.push(...selection.errors);
  const ctx: ClusterContext = {
    from: input.from,
    to: input.to,
    globalLocalName: deps.registry.global.name,
    source: sourceData,
    target: targetData,
    checkTarget: Boolean(input.to) && input.to !== input.from,
    others,
  };
  const results = selection.names.map((name) =>
    checkCluster(name, ctx, selection.inputErrors.get(name) ?? []),
  );

  for (const hub of hubs) {
    hub.ok = hub.errors.length === 0;
    if (!hub.ok) errors.push(line(hub.errors));
  }
  errors.push(...clusterLines(results.map((r) => r.findings)));
  warnings.push(...policyWarnings(ctx, new Set(selection.names)));

  return {
    ok: errors.length === 0,
    hubs,
    clusters: results.map((r) => r.check),
    resolvedClusters: selection.names,
    errors,
    warnings,
  };
}
