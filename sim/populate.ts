// Turns a scenario into a living fleet: each hub's ACM inventory and controllers, the managed
// clusters with their objects and klusterlets, placements and policies, and on the global hub
// what the BFF needs to find the managed hubs (their ManagedClusters and kubeconfig Secrets).
import type { KubeObject } from './apiserver/types.js';
import type { GroundTruth } from './ground-truth.js';
import type { SimHub } from './hub.js';
import type { HubClient } from './ocm/hub-client.js';
import { applyInventory, hubInventory } from './ocm/inventory.js';
import { Klusterlet } from './ocm/klusterlet.js';
import type { KlusterletScheduler } from './ocm/klusterlet.js';
import { startPlacementController } from './ocm/placement.js';
import { startPolicyController } from './ocm/policy.js';
import type { RegistrationController } from './ocm/registration.js';
import { startRegistration } from './ocm/registration.js';
import { applyWithStatus, startZtpControllers, ztpClusterObjects } from './ocm/ztp.js';
import type { Scenario } from './scenario.js';
import { clusterNames } from './scenario.js';

/** Where the BFF finds hub kubeconfigs on the global hub (its own namespace, one Secret per hub). */
export const BFF_NAMESPACE = 'hub-migration';
export const HUB_SECRET_LABEL = 'hub-migration.openshift.io/hub';
export const MIGRATION_NAMESPACE = 'multicluster-global-hub';
export const CLUSTERSET_LABEL = 'cluster.open-cluster-management.io/clusterset';

export interface PopulateContext {
  scenario: Scenario;
  hubs: Map<string, SimHub>;
  globalHub: SimHub;
  truth: GroundTruth;
  client: HubClient;
  scheduler: KlusterletScheduler;
}

export interface Populated {
  registrations: Map<string, RegistrationController>;
  stop(): void;
}

export function populate(ctx: PopulateContext): Populated {
  const { scenario, hubs, globalHub, truth, scheduler } = ctx;
  const registrations = new Map<string, RegistrationController>();
  const stops: (() => void)[] = [];
  const byUrl = new Map<string, string>();
  for (const hub of hubs.values()) byUrl.set(new URL(hub.url).origin, hub.name);
  // Every agent request asks which hub a server URL is (reachability faults): parse each once.
  const hubOf = new Map<string, string | undefined>();
  const env = {
    client: ctx.client,
    truth,
    hubName: (server: string) => {
      if (!hubOf.has(server)) hubOf.set(server, byUrl.get(new URL(server).origin));
      return hubOf.get(server);
    },
    defaultLeaseSeconds: scenario.timings.leaseDurationSeconds,
    timeoutScale: scenario.timings.hubConnectionTimeoutScale,
  };
  const klusterletFor = new Map<string, Klusterlet>();

  for (const spec of scenario.hubs) {
    const hub = hubs.get(spec.name)!;
    const reg = startRegistration(hub);
    registrations.set(hub.name, reg);
    stops.push(() => reg.stop());
    stops.push(watchForAgents(hub, scheduler));
    stops.push(startPlacementController(hub).stop);
    stops.push(
      startPolicyController(hub, { complianceDelayMs: scenario.timings.policyComplianceDelayMs })
        .stop,
    );
    stops.push(
      startZtpControllers(hub, truth, {
        onDestroyed: (cluster) => klusterletFor.get(cluster)?.stop(),
      }).stop,
    );
    if (spec.acmVersion) {
      applyInventory(
        hub,
        hubInventory({
          acmVersion: spec.acmVersion,
          mceVersion: spec.mceVersion,
          disabledComponents: spec.disabledComponents,
          eus: spec.eus,
        }),
      );
    }
    hub.apply({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'open-cluster-management-global-set' },
    });
    hub.apply({
      apiVersion: 'cluster.open-cluster-management.io/v1beta2',
      kind: 'ManagedClusterSet',
      metadata: { name: 'global' },
      spec: { clusterSelector: { selectorType: 'LabelSelector', labelSelector: {} } },
    });
  }

  const addClusterObject = (
    hub: SimHub,
    name: string,
    labels: Record<string, string>,
    extra: Partial<KubeObject> = {},
  ) =>
    hub.apply({
      apiVersion: 'cluster.open-cluster-management.io/v1',
      kind: 'ManagedCluster',
      metadata: {
        name,
        labels: { name, cloud: 'BareMetal', vendor: 'OpenShift', ...labels },
        ...(extra.metadata ?? {}),
      },
      spec: {
        hubAcceptsClient: true,
        leaseDurationSeconds: scenario.timings.leaseDurationSeconds,
        managedClusterClientConfigs: [{ url: `https://api.${name}.sim.example.com:6443` }],
      },
    });

  /** A registered cluster: its ManagedCluster, its import bootstrap and its agent's credentials. */
  const addCluster = (
    hub: SimHub,
    name: string,
    labels: Record<string, string>,
    extra: Partial<KubeObject> = {},
  ) => {
    addClusterObject(hub, name, labels, extra);
    const reg = registrations.get(hub.name)!;
    const original = reg.importKubeconfig(name);
    return { original, registered: reg.preRegister(name) };
  };

  // The managed clusters, each on the hub the scenario puts it on.
  for (const group of scenario.clusters) {
    const hub = hubs.get(group.hub)!;
    const sets = new Set<string>();
    for (const name of clusterNames(group)) {
      const labels = {
        ...group.labels,
        ...(group.clusterSet ? { [CLUSTERSET_LABEL]: group.clusterSet } : {}),
      };
      if (group.clusterSet) sets.add(group.clusterSet);
      if (group.ztp) {
        for (const obj of ztpClusterObjects(name, {
          provisioned: group.provisioned,
          hubName: hub.name,
        }))
          applyWithStatus(hub, obj);
      }
      // A ZTP cluster still installing has its ManagedCluster but no agent yet: not registered.
      if (group.ztp && !group.provisioned) {
        addClusterObject(hub, name, labels);
        continue;
      }
      const { original, registered } = addCluster(hub, name, labels);
      const k = new Klusterlet(name, original, env, group.faults ?? {}, registered);
      klusterletFor.set(name, k);
      scheduler.add(k);
    }
    for (const set of sets) {
      hub.apply({
        apiVersion: 'cluster.open-cluster-management.io/v1beta2',
        kind: 'ManagedClusterSet',
        metadata: { name: set },
        spec: { clusterSelector: { selectorType: 'ExclusiveClusterSetLabel' } },
      });
    }
  }

  for (const p of scenario.placements) {
    const hub = hubs.get(p.hub)!;
    hub.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: p.namespace } });
    for (const set of p.clusterSets.length ? p.clusterSets : ['global']) {
      hub.apply({
        apiVersion: 'cluster.open-cluster-management.io/v1beta2',
        kind: 'ManagedClusterSetBinding',
        metadata: { name: set, namespace: p.namespace },
        spec: { clusterSet: set },
      });
    }
    hub.apply({
      apiVersion: 'cluster.open-cluster-management.io/v1beta1',
      kind: 'Placement',
      metadata: { name: p.name, namespace: p.namespace },
      spec: {
        ...(p.clusterSets.length ? { clusterSets: p.clusterSets } : {}),
        ...(p.matchLabels
          ? {
              predicates: [
                { requiredClusterSelector: { labelSelector: { matchLabels: p.matchLabels } } },
              ],
            }
          : {}),
        ...(p.numberOfClusters ? { numberOfClusters: p.numberOfClusters } : {}),
      },
    });
  }

  for (const pol of scenario.policies) {
    const hub = hubs.get(pol.hub)!;
    hub.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: pol.namespace } });
    hub.apply({
      apiVersion: 'policy.open-cluster-management.io/v1',
      kind: 'Policy',
      metadata: { name: pol.name, namespace: pol.namespace },
      spec: {
        disabled: false,
        remediationAction: 'inform',
        'policy-templates': [
          {
            objectDefinition: {
              apiVersion: 'policy.open-cluster-management.io/v1',
              kind: 'ConfigurationPolicy',
              metadata: { name: pol.name },
              spec: { remediationAction: 'inform', severity: 'low', 'object-templates': [] },
            },
          },
        ],
      },
    });
    hub.apply({
      apiVersion: 'policy.open-cluster-management.io/v1',
      kind: 'PlacementBinding',
      metadata: { name: `${pol.name}-binding`, namespace: pol.namespace },
      placementRef: {
        apiGroup: 'cluster.open-cluster-management.io',
        kind: 'Placement',
        name: pol.placement,
      },
      subjects: [{ apiGroup: 'policy.open-cluster-management.io', kind: 'Policy', name: pol.name }],
    });
  }

  // The global hub: every hub is one of its managed clusters (the global hub itself as
  // local-cluster), and the BFF finds each managed hub's kubeconfig in a labelled Secret.
  globalHub.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: MIGRATION_NAMESPACE } });
  globalHub.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: BFF_NAMESPACE } });
  for (const spec of scenario.hubs) {
    const hub = hubs.get(spec.name)!;
    const isGlobal = hub === globalHub;
    const clusterName = isGlobal ? 'local-cluster' : hub.name;
    const labels: Record<string, string> = isGlobal ? { 'local-cluster': 'true' } : {};
    const annotations: Record<string, string> = spec.acmVersion
      ? { 'addon.open-cluster-management.io/on-multicluster-hub': 'true' }
      : {};
    const { original, registered } = addCluster(globalHub, clusterName, labels, {
      metadata: { annotations },
    });
    const k = new Klusterlet(clusterName, original, env, {}, registered);
    scheduler.add(k, 0);
    if (!isGlobal) {
      globalHub.apply({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name: `hub-kubeconfig-${hub.name}`,
          namespace: BFF_NAMESPACE,
          labels: { [HUB_SECRET_LABEL]: hub.name },
        },
        type: 'Opaque',
        data: { kubeconfig: Buffer.from(hub.kubeconfig()).toString('base64') },
      });
    }
  }

  return { registrations, stop: () => stops.forEach((s) => s()) };
}

/**
 * The agents' watches, delivered in-process: a real work agent and registration agent follow
 * their ManifestWorks and ManagedCluster through informers instead of re-reading them, so each
 * event on a hub goes to the klusterlet of the cluster it belongs to, which acts on it only while
 * joined to that hub (see Klusterlet.notifyWork and notifyCluster).
 */
function watchForAgents(hub: SimHub, scheduler: KlusterletScheduler): () => void {
  const mw = hub.state.rt('work.open-cluster-management.io', 'v1', 'manifestworks');
  const mc = hub.state.rt('cluster.open-cluster-management.io', 'v1', 'managedclusters');
  const stops = [
    hub.state.watch(mw, {}, (e) => {
      if (e.type === 'DELETED') return;
      const ns = e.object.metadata.namespace;
      if (ns) scheduler.klusterlets.get(ns)?.notifyWork(hub.name, e.object);
    }),
    hub.state.watch(mc, {}, (e) => {
      if (e.type === 'DELETED') return;
      scheduler.klusterlets.get(e.object.metadata.name!)?.notifyCluster(hub.name, e.object);
    }),
  ];
  return () => stops.forEach((s) => s());
}
