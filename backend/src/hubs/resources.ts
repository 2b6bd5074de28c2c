// The Kubernetes resources the engine and the API touch on any hub, named once.

export interface Res {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

const r = (
  group: string,
  version: string,
  kind: string,
  plural: string,
  namespaced: boolean,
): Res => ({ group, version, kind, plural, namespaced });

export const R = {
  namespace: r('', 'v1', 'Namespace', 'namespaces', false),
  secret: r('', 'v1', 'Secret', 'secrets', true),
  configMap: r('', 'v1', 'ConfigMap', 'configmaps', true),
  serviceAccount: r('', 'v1', 'ServiceAccount', 'serviceaccounts', true),
  event: r('', 'v1', 'Event', 'events', true),
  lease: r('coordination.k8s.io', 'v1', 'Lease', 'leases', true),
  clusterRole: r('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false),
  clusterRoleBinding: r(
    'rbac.authorization.k8s.io',
    'v1',
    'ClusterRoleBinding',
    'clusterrolebindings',
    false,
  ),
  managedCluster: r(
    'cluster.open-cluster-management.io',
    'v1',
    'ManagedCluster',
    'managedclusters',
    false,
  ),
  placement: r('cluster.open-cluster-management.io', 'v1beta1', 'Placement', 'placements', true),
  placementDecision: r(
    'cluster.open-cluster-management.io',
    'v1beta1',
    'PlacementDecision',
    'placementdecisions',
    true,
  ),
  clusterManager: r(
    'operator.open-cluster-management.io',
    'v1',
    'ClusterManager',
    'clustermanagers',
    false,
  ),
  multiClusterHub: r(
    'operator.open-cluster-management.io',
    'v1',
    'MultiClusterHub',
    'multiclusterhubs',
    true,
  ),
  multiClusterEngine: r(
    'multicluster.openshift.io',
    'v1',
    'MultiClusterEngine',
    'multiclusterengines',
    false,
  ),
  klusterletConfig: r(
    'config.open-cluster-management.io',
    'v1alpha1',
    'KlusterletConfig',
    'klusterletconfigs',
    false,
  ),
  manifestWork: r('work.open-cluster-management.io', 'v1', 'ManifestWork', 'manifestworks', true),
  klusterletAddonConfig: r(
    'agent.open-cluster-management.io',
    'v1',
    'KlusterletAddonConfig',
    'klusterletaddonconfigs',
    true,
  ),
  policy: r('policy.open-cluster-management.io', 'v1', 'Policy', 'policies', true),
  clusterDeployment: r('hive.openshift.io', 'v1', 'ClusterDeployment', 'clusterdeployments', true),
  imageClusterInstall: r(
    'extensions.hive.openshift.io',
    'v1alpha1',
    'ImageClusterInstall',
    'imageclusterinstalls',
    true,
  ),
  clusterInstance: r(
    'siteconfig.open-cluster-management.io',
    'v1alpha1',
    'ClusterInstance',
    'clusterinstances',
    true,
  ),
  bareMetalHost: r('metal3.io', 'v1alpha1', 'BareMetalHost', 'baremetalhosts', true),
  hostFirmwareSettings: r(
    'metal3.io',
    'v1alpha1',
    'HostFirmwareSettings',
    'hostfirmwaresettings',
    true,
  ),
  firmwareSchema: r('metal3.io', 'v1alpha1', 'FirmwareSchema', 'firmwareschemas', true),
  hostFirmwareComponents: r(
    'metal3.io',
    'v1alpha1',
    'HostFirmwareComponents',
    'hostfirmwarecomponents',
    true,
  ),
  dataImage: r('metal3.io', 'v1alpha1', 'DataImage', 'dataimages', true),
  migration: r(
    'global-hub.open-cluster-management.io',
    'v1alpha1',
    'ManagedClusterMigration',
    'managedclustermigrations',
    true,
  ),
} as const;

export function apiVersion(res: Res): string {
  return res.group ? `${res.group}/${res.version}` : res.version;
}

/** The REST path of a collection or an object (and optionally a subresource). */
export function resourcePath(
  res: Res,
  namespace?: string,
  name?: string,
  subresource?: string,
): string {
  const base = res.group ? `/apis/${res.group}/${res.version}` : `/api/${res.version}`;
  const ns = res.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const obj = name ? `/${encodeURIComponent(name)}` : '';
  return `${base}${ns}/${res.plural}${obj}${subresource && name ? `/${subresource}` : ''}`;
}
