// Zero-touch-provisioning (ZTP) objects of a single-node cluster installed with the image-based
// installer, as a hub holds them in the cluster's namespace, and the hub-side controllers that
// make them dangerous. Deleting an unpaused ClusterDeployment that still has hive's deprovision
// finalizer destroys the cluster. Deleting an unpaused BareMetalHost wipes the host. Both are
// recorded in the ground truth, so tests can prove a migration never does either.
import { createHash } from 'node:crypto';
import type { ResourceType } from '../apiserver/resources.js';
import type { JsonObject, KubeObject } from '../apiserver/types.js';
import { isObject, kubeTime } from '../apiserver/types.js';
import type { DestructionRecord, GroundTruth } from '../ground-truth.js';
import type { SimHub } from '../hub.js';
import { Controller } from './controller.js';

export const HIVE_DEPROVISION_FINALIZER = 'hive.openshift.io/deprovision';
export const HIVE_PAUSE_ANNOTATION = 'hive.openshift.io/reconcile-pause';
export const BMH_FINALIZER = 'baremetalhost.metal3.io';
export const BMH_PAUSED_ANNOTATION = 'baremetalhost.metal3.io/paused';
/** A detached host is left alone by the baremetal-operator, deletion included. */
export const BMH_DETACHED_ANNOTATION = 'baremetalhost.metal3.io/detached';
export const DATAIMAGE_FINALIZER = 'dataimage.metal3.io';
export const SITECONFIG_PRESERVE_LABEL = 'siteconfig.open-cluster-management.io/preserve';

export interface ZtpClusterOptions {
  /** Finished installing (ClusterDeployment installed, ImageClusterInstall completed …) or still installing. */
  provisioned: boolean;
  /** The hub holding the objects; it appears in the image-based install service's URLs. */
  hubName?: string;
  baseDomain?: string;
  /** OpenShift version installed (x.y.z). */
  openshiftVersion?: string;
  /** Name of the BareMetalHost and its firmware objects; ZTP often uses the node's host name. */
  hostName?: string;
  /** When installation finished (or started, when not provisioned). */
  installedAt?: Date;
}

/** The names the objects use to refer to each other, for tests and the scenario builder. */
export function ztpNames(cluster: string, opts: Pick<ZtpClusterOptions, 'hostName'> = {}) {
  const host = opts.hostName ?? cluster;
  return {
    namespace: cluster,
    bmcSecret: `${cluster}-bmc-secret`,
    pullSecret: 'assisted-deployment-pull-secret',
    adminPassword: `${cluster}-admin-password`,
    adminKubeconfig: `${cluster}-admin-kubeconfig`,
    extraManifests: `${cluster}-extra-manifests`,
    preservedSecret: `${cluster}-preserved-identity`,
    preservedConfigMap: `${cluster}-preserved-config`,
    host,
    firmwareSchema: `schema-${digest(host).slice(0, 8)}`,
    imageSet: 'img4.18-x86-64-appsub',
  };
}

/**
 * Every object a provisioned (or still installing) image-based-install SNO cluster has on its
 * hub, in namespace `<cluster>`, with statuses as the operators write them. Create them with
 * {@link applyWithStatus} so the statuses are written through the status subresource.
 */
export function ztpClusterObjects(cluster: string, opts: ZtpClusterOptions): KubeObject[] {
  const n = ztpNames(cluster, opts);
  const ns = cluster;
  const provisioned = opts.provisioned;
  const baseDomain = opts.baseDomain ?? 'sim.example.com';
  const version = opts.openshiftVersion ?? '4.18.3';
  const [major, minor] = version.split('.');
  const hubName = opts.hubName ?? 'hub';
  const at = opts.installedAt ?? new Date(Date.now() - 24 * 3600 * 1000);
  const t0 = kubeTime(new Date(at.getTime() - 90 * 60 * 1000)); // host registered
  const t1 = kubeTime(new Date(at.getTime() - 60 * 60 * 1000)); // install started
  const t2 = kubeTime(at); // installed
  const h = digest(cluster);
  const ip = `10.${parseInt(h.slice(0, 2), 16)}.${parseInt(h.slice(2, 4), 16)}`;
  const mac = `52:54:00:${h.slice(4, 6)}:${h.slice(6, 8)}:${h.slice(8, 10)}`;
  const clusterID = uuidFrom(`${cluster}/cluster-id`);
  const infraID = `${cluster}-${h.slice(10, 15)}`;
  const hostID = uuidFrom(`${cluster}/host`);
  const configImage = `https://image-based-install-config-multicluster-engine.apps.${hubName}.${baseDomain}/images/${ns}/${uuidFrom(`${cluster}/image`)}.iso`;
  const apiURL = `https://api.${cluster}.${baseDomain}:6443`;
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const meta = (name: string, extra: Partial<KubeObject['metadata']> = {}) => ({
    name,
    namespace: ns,
    ...extra,
  });
  const ztpLabels = { 'siteconfig.open-cluster-management.io/owned-by': `${ns}_${cluster}` };

  const secrets: KubeObject[] = [
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta(n.bmcSecret),
      type: 'Opaque',
      data: { username: b64('root'), password: b64(`calvin-${h.slice(0, 6)}`) },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta(n.pullSecret),
      type: 'kubernetes.io/dockerconfigjson',
      data: {
        '.dockerconfigjson': b64(
          JSON.stringify({ auths: { 'registry.sim.example.com': { auth: b64('sim:sim') } } }),
        ),
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta(n.adminPassword, {
        labels: { 'hive.openshift.io/cluster-deployment-name': cluster },
      }),
      type: 'Opaque',
      data: {
        username: b64('kubeadmin'),
        password: b64(`${h.slice(0, 5)}-${h.slice(5, 10)}-${h.slice(10, 15)}`),
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta(n.adminKubeconfig, {
        labels: { 'hive.openshift.io/cluster-deployment-name': cluster },
      }),
      type: 'Opaque',
      data: { kubeconfig: b64(adminKubeconfig(cluster, apiURL)) },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta(n.preservedSecret, {
        labels: { [SITECONFIG_PRESERVE_LABEL]: 'cluster-identity' },
      }),
      type: 'Opaque',
      data: { 'cluster-id': b64(clusterID) },
    },
  ];

  const configMaps: KubeObject[] = [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(n.extraManifests),
      data: {
        '99-sim-chrony.yaml': [
          'apiVersion: machineconfiguration.openshift.io/v1',
          'kind: MachineConfig',
          'metadata:',
          '  name: 99-master-chrony',
          '  labels: {machineconfiguration.openshift.io/role: master}',
          'spec: {}',
          '',
        ].join('\n'),
      },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(n.preservedConfigMap, { labels: { [SITECONFIG_PRESERVE_LABEL]: '' } }),
      data: { 'site-notes': `rack ${h.slice(0, 2)}, row ${h.slice(2, 3)}` },
    },
  ];

  const klusterletAddonConfig: KubeObject = {
    apiVersion: 'agent.open-cluster-management.io/v1',
    kind: 'KlusterletAddonConfig',
    metadata: meta(cluster, { labels: ztpLabels }),
    spec: {
      clusterName: cluster,
      clusterNamespace: ns,
      clusterLabels: { cloud: 'auto-detect', vendor: 'auto-detect' },
      applicationManager: { enabled: false },
      certPolicyController: { enabled: false },
      policyController: { enabled: true },
      searchCollector: { enabled: false },
    },
  };

  const bareMetalHost: KubeObject = {
    apiVersion: 'metal3.io/v1alpha1',
    kind: 'BareMetalHost',
    metadata: meta(n.host, {
      labels: { ...ztpLabels },
      annotations: { 'inspect.metal3.io': 'disabled' },
      finalizers: [BMH_FINALIZER],
    }),
    spec: {
      online: true,
      architecture: 'x86_64',
      automatedCleaningMode: 'disabled',
      bootMACAddress: mac,
      bootMode: 'UEFI',
      bmc: {
        address: `redfish-virtualmedia+https://${ip}.1/redfish/v1/Systems/1`,
        credentialsName: n.bmcSecret,
        disableCertificateVerification: true,
      },
      rootDeviceHints: { deviceName: '/dev/disk/by-path/pci-0000:00:11.5-ata-1' },
    },
    status: {
      errorCount: 0,
      errorMessage: '',
      operationalStatus: 'OK',
      poweredOn: true,
      hardwareProfile: 'unknown',
      lastUpdated: provisioned ? t2 : t1,
      goodCredentials: {
        credentials: { name: n.bmcSecret, namespace: ns },
        credentialsVersion: String(parseInt(h.slice(0, 4), 16)),
      },
      provisioning: {
        ID: hostID,
        bootMode: 'UEFI',
        rootDeviceHints: { deviceName: '/dev/disk/by-path/pci-0000:00:11.5-ata-1' },
        state: provisioned ? 'provisioned' : 'provisioning',
      },
      hardware: {
        hostname: `${cluster}.${baseDomain}`,
        cpu: { arch: 'x86_64', count: 64, model: 'Intel(R) Xeon(R) Gold 6338N CPU @ 2.20GHz' },
        ramMebibytes: 262144,
        nics: [{ name: 'eno1', mac, ip: `${ip}.10`, speedGbps: 25 }],
        systemVendor: { manufacturer: 'Dell Inc.', productName: 'PowerEdge XR11' },
      },
      operationHistory: {
        register: { start: t0, end: t0 },
        inspect: { start: '', end: '' },
        provision: { start: t1, end: provisioned ? t2 : '' },
        deprovision: { start: '', end: '' },
      },
    },
  };

  const hostFirmwareSettings: KubeObject = {
    apiVersion: 'metal3.io/v1alpha1',
    kind: 'HostFirmwareSettings',
    metadata: meta(n.host),
    spec: { settings: {} },
    status: {
      settings: {
        BootMode: 'Uefi',
        LogicalProc: 'Enabled',
        ProcTurboMode: 'Enabled',
        SriovGlobalEnable: 'Enabled',
      },
      schema: { name: n.firmwareSchema, namespace: ns },
      lastUpdated: t0,
      conditions: [
        {
          type: 'Valid',
          status: 'True',
          reason: 'Success',
          message: '',
          lastTransitionTime: t0,
        },
        {
          type: 'ChangeDetected',
          status: 'False',
          reason: 'Success',
          message: '',
          lastTransitionTime: t0,
        },
      ],
    },
  };

  const firmwareSchema: KubeObject = {
    apiVersion: 'metal3.io/v1alpha1',
    kind: 'FirmwareSchema',
    metadata: meta(n.firmwareSchema),
    spec: {
      hardwareVendor: 'Dell Inc.',
      hardwareModel: 'PowerEdge XR11',
      schema: {
        BootMode: {
          attribute_type: 'Enumeration',
          allowable_values: ['Bios', 'Uefi'],
          read_only: false,
        },
        LogicalProc: {
          attribute_type: 'Enumeration',
          allowable_values: ['Enabled', 'Disabled'],
          read_only: false,
        },
        ProcTurboMode: {
          attribute_type: 'Enumeration',
          allowable_values: ['Enabled', 'Disabled'],
          read_only: false,
        },
        SriovGlobalEnable: {
          attribute_type: 'Enumeration',
          allowable_values: ['Enabled', 'Disabled'],
          read_only: false,
        },
        AssetTag: { attribute_type: 'String', min_length: 0, max_length: 63, read_only: false },
      },
    },
  };

  const hostFirmwareComponents: KubeObject = {
    apiVersion: 'metal3.io/v1alpha1',
    kind: 'HostFirmwareComponents',
    metadata: meta(n.host),
    spec: { updates: [] },
    status: {
      components: [
        { component: 'bios', initialVersion: '1.13.2', currentVersion: '1.13.2' },
        { component: 'bmc', initialVersion: '7.10.50.00', currentVersion: '7.10.50.00' },
      ],
      updates: [],
      lastUpdated: t0,
      conditions: [
        { type: 'Valid', status: 'True', reason: 'OK', message: '', lastTransitionTime: t0 },
        {
          type: 'ChangeDetected',
          status: 'False',
          reason: 'OK',
          message: '',
          lastTransitionTime: t0,
        },
      ],
    },
  };

  const dataImage: KubeObject = {
    apiVersion: 'metal3.io/v1alpha1',
    kind: 'DataImage',
    metadata: meta(n.host, { finalizers: [DATAIMAGE_FINALIZER] }),
    spec: { url: configImage },
    status: {
      attachedImage: { url: configImage },
      error: { count: 0, message: '' },
      lastReconciled: provisioned ? t2 : t1,
    },
  };

  const installConditions = provisioned
    ? [
        cond(
          'RequirementsMet',
          'True',
          'ClusterInstallationSucceeded',
          'Cluster installation has succeeded',
          t2,
        ),
        cond(
          'Completed',
          'True',
          'ClusterInstallationSucceeded',
          'Cluster installation has succeeded',
          t2,
        ),
        cond(
          'Failed',
          'False',
          'ClusterInstallationSucceeded',
          'Cluster installation has succeeded',
          t2,
        ),
        cond(
          'Stopped',
          'True',
          'ClusterInstallationSucceeded',
          'Cluster installation has succeeded',
          t2,
        ),
      ]
    : [
        cond(
          'RequirementsMet',
          'True',
          'HostValidationSucceeded',
          "The host's validations are passing and image is ready",
          t1,
        ),
        cond(
          'Completed',
          'False',
          'ClusterInstallationInProgress',
          'Cluster installation is in progress',
          t1,
        ),
        cond(
          'Failed',
          'False',
          'ClusterInstallationInProgress',
          'Cluster installation is in progress',
          t1,
        ),
        cond(
          'Stopped',
          'False',
          'ClusterInstallationInProgress',
          'Cluster installation is in progress',
          t1,
        ),
      ];
  const clusterMetadata = {
    clusterID,
    infraID,
    adminKubeconfigSecretRef: { name: n.adminKubeconfig },
    adminPasswordSecretRef: { name: n.adminPassword },
  };

  const imageClusterInstall: KubeObject = {
    apiVersion: 'extensions.hive.openshift.io/v1alpha1',
    kind: 'ImageClusterInstall',
    metadata: meta(cluster, { labels: { ...ztpLabels } }),
    spec: {
      clusterDeploymentRef: { name: cluster },
      imageSetRef: { name: n.imageSet },
      hostname: `${cluster}.${baseDomain}`,
      bareMetalHostRef: { name: n.host, namespace: ns },
      machineNetwork: `${ip}.0/24`,
      sshKey: `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${h.slice(0, 20)} admin@${hubName}`,
      // The image-based-install-operator's field (api/v1alpha1/imageclusterinstall_types.go).
      extraManifestsRefs: [{ name: n.extraManifests }],
      // The image-based installer generates the cluster's identity before installing it.
      clusterMetadata,
    },
    status: {
      conditions: installConditions,
      bareMetalHostRef: { name: n.host, namespace: ns },
      bootTime: t1,
    },
  };

  const deploymentConditions = provisioned
    ? [
        cdCond('Provisioned', 'True', 'Provisioned', 'Cluster is provisioned', t2),
        cdCond(
          'ClusterInstallCompleted',
          'True',
          'ClusterInstallationSucceeded',
          'Cluster installation has succeeded',
          t2,
        ),
        cdCond(
          'ClusterInstallFailed',
          'False',
          'ClusterInstallationSucceeded',
          'Cluster installation has succeeded',
          t2,
        ),
        cdCond(
          'ClusterInstallRequirementsMet',
          'True',
          'ClusterInstallationSucceeded',
          'Cluster installation has succeeded',
          t2,
        ),
        cdCond(
          'ClusterInstallStopped',
          'True',
          'ClusterInstallationSucceeded',
          'Cluster installation has succeeded',
          t2,
        ),
        cdCond('Hibernating', 'False', 'Running', 'Cluster is running', t2),
        cdCond('Ready', 'True', 'Running', 'Cluster is running', t2),
        cdCond('Unreachable', 'False', 'ClusterReachable', 'cluster is reachable', t2),
      ]
    : [
        cdCond('Provisioned', 'False', 'Provisioning', 'Cluster is provisioning', t1),
        cdCond(
          'ClusterInstallCompleted',
          'False',
          'ClusterInstallationInProgress',
          'Cluster installation is in progress',
          t1,
        ),
        cdCond(
          'ClusterInstallFailed',
          'False',
          'ClusterInstallationInProgress',
          'Cluster installation is in progress',
          t1,
        ),
        cdCond(
          'ClusterInstallRequirementsMet',
          'True',
          'HostValidationSucceeded',
          "The host's validations are passing and image is ready",
          t1,
        ),
        cdCond(
          'ClusterInstallStopped',
          'False',
          'ClusterInstallationInProgress',
          'Cluster installation is in progress',
          t1,
        ),
      ];

  const clusterDeployment: KubeObject = {
    apiVersion: 'hive.openshift.io/v1',
    kind: 'ClusterDeployment',
    metadata: meta(cluster, {
      labels: {
        ...ztpLabels,
        'hive.openshift.io/cluster-platform': 'none-platform',
        ...(provisioned
          ? {
              'hive.openshift.io/version-major': major,
              'hive.openshift.io/version-major-minor': `${major}.${minor}`,
              'hive.openshift.io/version-major-minor-patch': version,
            }
          : {}),
      },
      finalizers: [HIVE_DEPROVISION_FINALIZER],
    }),
    spec: {
      baseDomain,
      clusterName: cluster,
      clusterInstallRef: {
        group: 'extensions.hive.openshift.io',
        kind: 'ImageClusterInstall',
        name: cluster,
        version: 'v1alpha1',
      },
      installed: provisioned,
      platform: { none: {} },
      pullSecretRef: { name: n.pullSecret },
      clusterMetadata,
      ...(provisioned ? { powerState: 'Running' } : {}),
    },
    status: provisioned
      ? {
          apiURL,
          webConsoleURL: `https://console-openshift-console.apps.${cluster}.${baseDomain}`,
          installVersion: version,
          installStartedTimestamp: t1,
          installedTimestamp: t2,
          powerState: 'Running',
          conditions: deploymentConditions,
        }
      : { installStartedTimestamp: t1, conditions: deploymentConditions },
  };

  const ciCondition = (type: string) =>
    ({
      type,
      status: 'True',
      reason: 'Completed',
      message: 'Completed',
      lastTransitionTime: t0,
    }) as JsonObject;
  const manifest = (apiGroup: string, kind: string, name: string, syncWave: number) => ({
    apiGroup,
    kind,
    name,
    namespace: ns,
    status: 'rendered',
    syncWave,
    lastAppliedTime: t0,
  });
  const clusterInstance: KubeObject = {
    apiVersion: 'siteconfig.open-cluster-management.io/v1alpha1',
    kind: 'ClusterInstance',
    metadata: meta(cluster),
    spec: {
      clusterName: cluster,
      baseDomain,
      clusterImageSetNameRef: n.imageSet,
      clusterType: 'SNO',
      cpuArchitecture: 'x86_64',
      cpuPartitioningMode: 'AllNodes',
      holdInstallation: false,
      networkType: 'OVNKubernetes',
      pullSecretRef: { name: n.pullSecret },
      sshPublicKey: `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${h.slice(0, 20)} admin@${hubName}`,
      machineNetwork: [{ cidr: `${ip}.0/24` }],
      extraManifestsRefs: [{ name: n.extraManifests }],
      extraLabels: { ManagedCluster: { common: 'true', 'du-profile': 'latest' } },
      templateRefs: [{ name: 'ibi-cluster-templates-v1', namespace: 'open-cluster-management' }],
      nodes: [
        {
          hostName: `${cluster}.${baseDomain}`,
          role: 'master',
          bmcAddress: `redfish-virtualmedia+https://${ip}.1/redfish/v1/Systems/1`,
          bmcCredentialsName: { name: n.bmcSecret },
          bootMACAddress: mac,
          bootMode: 'UEFI',
          automatedCleaningMode: 'disabled',
          ironicInspect: '',
          templateRefs: [{ name: 'ibi-node-templates-v1', namespace: 'open-cluster-management' }],
        },
      ],
    },
    status: {
      observedGeneration: 1,
      clusterDeploymentRef: { name: cluster },
      conditions: [
        ciCondition('ClusterInstanceValidated'),
        ciCondition('RenderedTemplates'),
        ciCondition('RenderedTemplatesValidated'),
        ciCondition('RenderedTemplatesApplied'),
        provisioned
          ? {
              type: 'Provisioned',
              status: 'True',
              reason: 'Completed',
              message: 'Provisioning completed',
              lastTransitionTime: t2,
            }
          : {
              type: 'Provisioned',
              status: 'False',
              reason: 'InProgress',
              message: 'Provisioning cluster',
              lastTransitionTime: t1,
            },
      ],
      deploymentConditions,
      manifestsRendered: [
        manifest('hive.openshift.io', 'ClusterDeployment', cluster, 1),
        manifest('extensions.hive.openshift.io', 'ImageClusterInstall', cluster, 1),
        manifest('metal3.io', 'BareMetalHost', n.host, 1),
        manifest('agent.open-cluster-management.io', 'KlusterletAddonConfig', cluster, 2),
      ],
    },
  };

  return [
    ...secrets,
    ...configMaps,
    klusterletAddonConfig,
    bareMetalHost,
    hostFirmwareSettings,
    firmwareSchema,
    hostFirmwareComponents,
    dataImage,
    imageClusterInstall,
    clusterDeployment,
    clusterInstance,
  ];
}

/**
 * Creates or replaces an object on the hub, then writes its `status` through the status
 * subresource (a create or update of the main resource ignores status, as on a real server).
 */
export function applyWithStatus(hub: SimHub, obj: KubeObject): KubeObject {
  const stored = hub.apply(obj);
  if (obj.status === undefined) return stored;
  const rt = typeFor(hub, obj);
  if (!rt.hasStatus || rt.builtin) return stored;
  return hub.state.update(
    rt,
    stored.metadata.namespace,
    stored.metadata.name!,
    { ...stored, status: obj.status },
    { subresource: 'status' },
  );
}

/** The served type of an object's apiVersion and kind on a hub. */
export function typeFor(hub: SimHub, obj: KubeObject): ResourceType {
  const [group, version] = obj.apiVersion.includes('/')
    ? obj.apiVersion.split('/')
    : ['', obj.apiVersion];
  const rt = hub.state.registry.findByKind(group, obj.kind);
  if (!rt) throw new Error(`hub ${hub.name} does not serve ${obj.apiVersion} ${obj.kind}`);
  return rt.version === version ? rt : hub.state.rt(group, version, rt.plural);
}

// ---- the danger rules ------------------------------------------------------------------------

export interface ZtpControllerOptions {
  /** Called after a cluster was destroyed or its host wiped, e.g. to stop its klusterlet. */
  onDestroyed?: (cluster: string, kind: DestructionRecord['kind']) => void;
}

/** How one operator treats the objects it owns, as far as deletion goes. */
interface DangerRule {
  controller: string;
  rt: ResourceType;
  finalizer: string;
  paused(obj: KubeObject): boolean;
  /** What deprovisioning the object destroys; undefined when nothing is. */
  destroys(obj: KubeObject): DestructionRecord['kind'] | undefined;
  /** The cluster the object belongs to (in ZTP, its namespace is the cluster's name). */
  cluster(obj: KubeObject): string;
}

/**
 * hive and the baremetal-operator, as far as deletion goes. Each puts its finalizer on the
 * objects it manages (unless paused), so an object copied without it gets it back. On
 * deletion, each deprovisions while the finalizer is there and the object is not paused, then
 * drops the finalizer. A paused object being deleted waits for someone to strip the finalizer,
 * which is the safe way and destroys nothing.
 * - ClusterDeployment (`hive.openshift.io/deprovision`, paused by
 *   `hive.openshift.io/reconcile-pause: "true"`): the cluster is destroyed, unless
 *   `spec.preserveOnDelete` is set on an installed cluster, as in hive.
 * - BareMetalHost (`baremetalhost.metal3.io`, paused by `baremetalhost.metal3.io/paused` with
 *   any value): the host is wiped, unless it is detached.
 * - DataImage (`dataimage.metal3.io`, same pause): the image is detached; nothing is destroyed.
 */
export function startZtpControllers(
  hub: SimHub,
  truth: GroundTruth,
  opts: ZtpControllerOptions = {},
): { stop: () => void } {
  const state = hub.state;
  const annotations = (obj: KubeObject) => obj.metadata.annotations ?? {};
  const rules: DangerRule[] = [
    {
      controller: 'hive-clusterdeployment',
      rt: state.rt('hive.openshift.io', 'v1', 'clusterdeployments'),
      finalizer: HIVE_DEPROVISION_FINALIZER,
      paused: (cd) => annotations(cd)[HIVE_PAUSE_ANNOTATION] === 'true',
      destroys: (cd) => {
        const spec = isObject(cd.spec) ? cd.spec : {};
        return spec.preserveOnDelete === true && spec.installed === true
          ? undefined
          : 'cluster-destroyed';
      },
      cluster: (cd) => cd.metadata.namespace!,
    },
    {
      controller: 'metal3-baremetalhost',
      rt: state.rt('metal3.io', 'v1alpha1', 'baremetalhosts'),
      finalizer: BMH_FINALIZER,
      paused: (bmh) => BMH_PAUSED_ANNOTATION in annotations(bmh),
      destroys: (bmh) => (BMH_DETACHED_ANNOTATION in annotations(bmh) ? undefined : 'host-wiped'),
      cluster: (bmh) => bmh.metadata.namespace!,
    },
    {
      controller: 'metal3-dataimage',
      rt: state.rt('metal3.io', 'v1alpha1', 'dataimages'),
      finalizer: DATAIMAGE_FINALIZER,
      paused: (di) => BMH_PAUSED_ANNOTATION in annotations(di),
      destroys: () => undefined,
      cluster: (di) => di.metadata.namespace!,
    },
  ];

  const reconcile = (rule: DangerRule, obj: KubeObject | undefined): void => {
    if (!obj || rule.paused(obj)) return;
    const md = obj.metadata;
    const finalizers = md.finalizers ?? [];
    if (!md.deletionTimestamp) {
      if (!finalizers.includes(rule.finalizer))
        state.update(rule.rt, md.namespace, md.name!, {
          ...obj,
          metadata: { ...md, finalizers: [...finalizers, rule.finalizer] },
        });
      return;
    }
    if (!finalizers.includes(rule.finalizer)) return;
    const kind = rule.destroys(obj);
    // Drop the finalizer first: if that write fails, nothing is recorded and the retry decides again.
    state.update(rule.rt, md.namespace, md.name!, {
      ...obj,
      metadata: { ...md, finalizers: finalizers.filter((f) => f !== rule.finalizer) },
    });
    if (!kind) return;
    const cluster = rule.cluster(obj);
    truth.recordDestruction({
      cluster,
      hub: hub.name,
      kind,
      object: `${obj.kind} ${md.namespace}/${md.name}`,
    });
    opts.onDestroyed?.(cluster, kind);
  };

  const controllers = rules.map(
    (rule) => new Controller(hub, rule.controller, rule.rt, (_key, obj) => reconcile(rule, obj)),
  );
  return { stop: () => controllers.forEach((c) => c.stop()) };
}

/** Whether the ground truth holds a destruction of this cluster (or of its host) on any hub. */
export function wasDestroyed(truth: GroundTruth, cluster: string): boolean {
  return truth.destructions.some((d) => d.cluster === cluster);
}

// ---- helpers ---------------------------------------------------------------------------------

/** A hive ClusterInstallCondition (ImageClusterInstall status). */
function cond(
  type: string,
  status: string,
  reason: string,
  message: string,
  at: string,
): JsonObject {
  return { type, status, reason, message, lastTransitionTime: at, lastProbeTime: at };
}

/** A hive ClusterDeploymentCondition. */
function cdCond(
  type: string,
  status: string,
  reason: string,
  message: string,
  at: string,
): JsonObject {
  return { type, status, reason, message, lastTransitionTime: at, lastProbeTime: at };
}

function digest(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function uuidFrom(s: string): string {
  const h = digest(s);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function adminKubeconfig(cluster: string, server: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${cluster}`,
    '  cluster:',
    `    server: ${server}`,
    'contexts:',
    `- name: admin`,
    '  context:',
    `    cluster: ${cluster}`,
    '    user: admin',
    'current-context: admin',
    'users:',
    '- name: admin',
    '  user:',
    `    token: sim-${digest(`${cluster}/admin`).slice(0, 32)}`,
    '',
  ].join('\n');
}
