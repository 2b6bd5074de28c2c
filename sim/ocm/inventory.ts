// What a hub says about its own installation: the MultiClusterHub (ACM), the MultiClusterEngine
// (MCE) with the version that ships with that ACM, their enabled components, and the
// ClusterManager whose registration settings the migration target relies on (auto-approval).
// The migration's validation reads these to compare hubs.
import type { KubeObject } from '../apiserver/types.js';
import { kubeTime } from '../apiserver/types.js';
import type { SimHub } from '../hub.js';
import { applyWithStatus } from './ztp.js';

export const MCH_NAMESPACE = 'open-cluster-management';
export const MCH_NAME = 'multiclusterhub';
export const MCE_NAME = 'multiclusterengine';
export const MCE_NAMESPACE = 'multicluster-engine';
export const CLUSTER_MANAGER_NAME = 'cluster-manager';
/**
 * Not an ACM field: the simulator's way of saying the hub runs an Extended Update Support
 * release, for scenarios that test the "two minors newer from EUS" upgrade rule.
 */
export const SIM_EUS_ANNOTATION = 'sim.hub-migration.openshift.io/eus';

export interface HubInventoryOptions {
  /** ACM version, x.y or x.y.z (x.y means x.y.0). */
  acmVersion: string;
  /** MCE version; by default the one released with the ACM version (ACM 2.y ↔ MCE 2.(y-5)). */
  mceVersion?: string;
  /** Components (of MCH or MCE, by their real names) to turn off. */
  disabledComponents?: string[];
  /** Components to turn on that are off by default (e.g. cluster-backup). */
  enabledComponents?: string[];
  eus?: boolean;
}

/**
 * MultiClusterHub components and whether a hub built for ZTP enables them: ACM's defaults
 * (multiclusterhub-operator GetDefaultEnabledComponents), plus siteconfig, which a ZTP hub
 * turns on.
 */
function mchComponents(minor: number): [string, boolean][] {
  const list: [string, boolean][] = [
    ['app-lifecycle', true],
    ['cluster-backup', false],
    ['cluster-lifecycle', true],
    ['cluster-permission', true],
    ['console', true],
    ['grc', true],
    ['insights', true],
    ['multicluster-engine', true],
    ['multicluster-observability', true],
    ['search', true],
    ['siteconfig', true],
    ['submariner-addon', true],
    ['volsync', true],
  ];
  if (minor >= 13 && minor <= 14) list.push(['edge-manager-preview', false]);
  if (minor >= 13 && minor <= 14) list.push(['fine-grained-rbac-preview', false]);
  if (minor >= 15) list.push(['fine-grained-rbac', false]);
  if (minor === 14) list.push(['cnv-mtv-integrations-preview', false]);
  if (minor >= 15) list.push(['cnv-mtv-integrations', false]);
  return list.sort(([a], [b]) => a.localeCompare(b));
}

/**
 * MultiClusterEngine components: MCE's defaults plus image-based-install-operator, which a ZTP
 * hub (image-based installs) turns on. managedserviceaccount is on, as the migration requires.
 */
function mceComponents(mceMinor: number): [string, boolean][] {
  const list: [string, boolean][] = [
    ['assisted-service', true],
    ['cluster-lifecycle', true],
    ['cluster-manager', true],
    ['cluster-proxy-addon', true],
    ['console-mce', true],
    ['discovery', true],
    ['hive', true],
    ['hypershift', true],
    ['hypershift-local-hosting', true],
    ['image-based-install-operator', true],
    ['local-cluster', true],
    ['managedserviceaccount', true],
    ['server-foundation', true],
  ];
  if (mceMinor >= 9) list.push(['cluster-api', false], ['cluster-api-provider-aws', false]);
  else list.push(['cluster-api-preview', false], ['cluster-api-provider-aws-preview', false]);
  return list.sort(([a], [b]) => a.localeCompare(b));
}

/** The MCE version released with an ACM version: ACM 2.13.z ↔ MCE 2.8.z, 2.14 ↔ 2.9, … */
export function mceVersionFor(acmVersion: string): string {
  const [major, minor, patch] = parseVersion(acmVersion);
  return `${major}.${minor - 5}.${patch}`;
}

export function hubInventory(opts: HubInventoryOptions): KubeObject[] {
  const [acmMajor, acmMinor, acmPatch] = parseVersion(opts.acmVersion);
  const acmVersion = `${acmMajor}.${acmMinor}.${acmPatch}`;
  const mceVersion = opts.mceVersion
    ? parseVersion(opts.mceVersion).join('.')
    : mceVersionFor(acmVersion);
  const mceMinor = parseVersion(mceVersion)[1];
  const off = new Set(opts.disabledComponents ?? []);
  const on = new Set(opts.enabledComponents ?? []);
  const decide = ([name, enabled]: [string, boolean]) => ({
    name,
    enabled: off.has(name) ? false : on.has(name) ? true : enabled,
  });
  const mch = mchComponents(acmMinor).map(decide);
  const mce = mceComponents(mceMinor).map(decide);
  const now = kubeTime();

  const multiClusterHub: KubeObject = {
    apiVersion: 'operator.open-cluster-management.io/v1',
    kind: 'MultiClusterHub',
    metadata: {
      name: MCH_NAME,
      namespace: MCH_NAMESPACE,
      ...(opts.eus ? { annotations: { [SIM_EUS_ANNOTATION]: 'true' } } : {}),
    },
    spec: {
      availabilityConfig: 'High',
      localClusterName: 'local-cluster',
      overrides: { components: mch },
    },
    status: {
      phase: 'Running',
      currentVersion: acmVersion,
      desiredVersion: acmVersion,
      conditions: [
        {
          type: 'Complete',
          status: 'True',
          reason: 'ComponentsAvailable',
          message: 'All hub components ready.',
          lastTransitionTime: now,
          lastUpdateTime: now,
        },
      ],
      components: Object.fromEntries(
        mch.filter((c) => c.enabled).map((c) => [c.name, componentAvailable(c.name, now)]),
      ),
    },
  };

  const multiClusterEngine: KubeObject = {
    apiVersion: 'multicluster.openshift.io/v1',
    kind: 'MultiClusterEngine',
    metadata: {
      name: MCE_NAME,
      labels: { 'installer.name': MCH_NAME, 'installer.namespace': MCH_NAMESPACE },
    },
    spec: {
      availabilityConfig: 'High',
      localClusterName: 'local-cluster',
      targetNamespace: MCE_NAMESPACE,
      overrides: { components: mce },
    },
    status: {
      phase: 'Available',
      currentVersion: mceVersion,
      desiredVersion: mceVersion,
      conditions: [
        {
          type: 'Available',
          status: 'True',
          reason: 'ComponentsAvailable',
          message: 'All components deployed',
          lastTransitionTime: now,
          lastUpdateTime: now,
        },
      ],
      components: mce.filter((c) => c.enabled).map((c) => componentAvailable(c.name, now)),
    },
  };

  const image = (component: string) =>
    `registry.redhat.io/multicluster-engine/${component}-rhel9:v${mceVersion}`;
  const clusterManager: KubeObject = {
    apiVersion: 'operator.open-cluster-management.io/v1',
    kind: 'ClusterManager',
    metadata: { name: CLUSTER_MANAGER_NAME },
    spec: {
      deployOption: { mode: 'Default' },
      addOnManagerImagePullSpec: image('addon-manager'),
      placementImagePullSpec: image('placement'),
      registrationImagePullSpec: image('registration'),
      workImagePullSpec: image('work'),
      registrationConfiguration: {
        featureGates: [
          { feature: 'ManagedClusterAutoApproval', mode: 'Enable' },
          { feature: 'DefaultClusterSet', mode: 'Enable' },
        ],
        autoApproveUsers: [],
      },
      workConfiguration: {
        workDriver: 'kube',
        featureGates: [{ feature: 'ManifestWorkReplicaSet', mode: 'Enable' }],
      },
      addOnManagerConfiguration: {
        featureGates: [{ feature: 'AddonManagement', mode: 'Enable' }],
      },
    },
    status: {
      observedGeneration: 1,
      conditions: [
        condition(
          'Applied',
          'True',
          'ClusterManagerApplied',
          'Components of cluster manager are applied',
          now,
        ),
        condition(
          'HubRegistrationDegraded',
          'False',
          'RegistrationFunctional',
          'Registration is managing credentials',
          now,
        ),
        condition(
          'HubPlacementDegraded',
          'False',
          'PlacementFunctional',
          'Placement is scheduling placement decisions',
          now,
        ),
        condition(
          'Progressing',
          'False',
          'ClusterManagerUpToDate',
          'Components of cluster manager are up to date',
          now,
        ),
      ],
    },
  };

  return [multiClusterHub, multiClusterEngine, clusterManager];
}

/** Creates (or replaces) the inventory objects on a hub, statuses included. */
export function applyInventory(hub: SimHub, objs: KubeObject[]): KubeObject[] {
  return objs.map((obj) => applyWithStatus(hub, obj));
}

function parseVersion(v: string): [number, number, number] {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(v.trim());
  if (!m) throw new Error(`not a version: ${v}`);
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

function condition(type: string, status: string, reason: string, message: string, at: string) {
  return { type, status, reason, message, lastTransitionTime: at, observedGeneration: 1 };
}

/** A running component's entry in a MultiClusterHub's or MultiClusterEngine's status. */
function componentAvailable(name: string, now: string): Record<string, string> {
  return {
    kind: 'Deployment',
    name,
    type: 'Available',
    status: 'True',
    reason: 'MinimumReplicasAvailable',
    message: 'Deployment has minimum availability.',
    lastTransitionTime: now,
  };
}
