// ZTP objects against a real in-process hub: every object is accepted by the CRD schemas with
// its status and nothing is pruned, the cross references resolve, and the danger rules hold.
// Deleting a ClusterDeployment or BareMetalHost the unsafe way is recorded as destruction; the
// safe way (pause, strip the finalizer, then delete) records nothing. Stripping without pausing
// is not safe: the operators put their finalizers back.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { ResourceType } from '../apiserver/resources.js';
import type { JsonObject, KubeObject } from '../apiserver/types.js';
import { isObject } from '../apiserver/types.js';
import { GroundTruth } from '../ground-truth.js';
import { SimHub } from '../hub.js';
import { eventually } from '../test-support.js';
import {
  applyWithStatus,
  BMH_FINALIZER,
  BMH_PAUSED_ANNOTATION,
  DATAIMAGE_FINALIZER,
  HIVE_DEPROVISION_FINALIZER,
  HIVE_PAUSE_ANNOTATION,
  SITECONFIG_PRESERVE_LABEL,
  startZtpControllers,
  typeFor,
  wasDestroyed,
  ztpClusterObjects,
  ztpNames,
} from './ztp.js';

let hub: SimHub;

beforeEach(() => {
  hub = new SimHub({ name: 'hub1' });
});

afterEach(async () => {
  await hub.stop();
});

const get = (apiVersion: string, kind: string, ns: string, name: string): KubeObject | undefined =>
  hub.state.get(typeFor(hub, { apiVersion, kind, metadata: {} }), ns, name);

function conditionOf(obj: KubeObject | undefined, type: string): JsonObject | undefined {
  const conditions = obj && isObject(obj.status) ? obj.status.conditions : undefined;
  return Array.isArray(conditions)
    ? conditions.filter(isObject).find((c) => c.type === type)
    : undefined;
}

/** The value at a path inside an object, or undefined. */
function field(obj: unknown, ...path: string[]): unknown {
  let cur = obj;
  for (const p of path) cur = isObject(cur) ? cur[p] : undefined;
  return cur;
}

describe('ZTP objects', () => {
  for (const provisioned of [true, false]) {
    test(`all create and keep their spec and status (provisioned: ${provisioned})`, () => {
      const objs = ztpClusterObjects('sno1', { provisioned, hubName: 'hub1' });
      assert.deepEqual(
        objs.map((o) => o.kind),
        [
          ...['Secret', 'Secret', 'Secret', 'Secret', 'Secret', 'ConfigMap', 'ConfigMap'],
          ...['KlusterletAddonConfig', 'BareMetalHost', 'HostFirmwareSettings', 'FirmwareSchema'],
          ...['HostFirmwareComponents', 'DataImage', 'ImageClusterInstall', 'ClusterDeployment'],
          'ClusterInstance',
        ],
      );
      for (const obj of objs) {
        assert.equal(obj.metadata.namespace, 'sno1', `${obj.kind} in the cluster namespace`);
        const stored = applyWithStatus(hub, obj);
        const rt = typeFor(hub, obj);
        if (rt.builtin) {
          assert.deepEqual(stored.data, obj.data, `${obj.kind} ${obj.metadata.name} data`);
          continue;
        }
        // Nothing pruned, nothing defaulted that the factory did not say: the object is exactly
        // what the operators would have written (statuses through the status subresource).
        assert.deepEqual(stored.spec, obj.spec, `${obj.kind} spec`);
        assert.deepEqual(stored.status, obj.status, `${obj.kind} status`);
        assert.deepEqual(
          stored.metadata.finalizers,
          obj.metadata.finalizers,
          `${obj.kind} finalizers`,
        );
      }
    });
  }

  test('cross references resolve and statuses say how far the install got', () => {
    const n = ztpNames('sno2', { hostName: 'sno2-node0.sim.example.com' });
    const objs = ztpClusterObjects('sno2', { provisioned: true, hostName: n.host });
    for (const obj of objs) applyWithStatus(hub, obj);
    const bmh = get('metal3.io/v1alpha1', 'BareMetalHost', 'sno2', n.host);
    const cd = get('hive.openshift.io/v1', 'ClusterDeployment', 'sno2', 'sno2');
    const ici = get('extensions.hive.openshift.io/v1alpha1', 'ImageClusterInstall', 'sno2', 'sno2');
    const ci = get(
      'siteconfig.open-cluster-management.io/v1alpha1',
      'ClusterInstance',
      'sno2',
      'sno2',
    );
    const hfs = get('metal3.io/v1alpha1', 'HostFirmwareSettings', 'sno2', n.host);
    const secret = (name: unknown) => get('v1', 'Secret', 'sno2', String(name));
    const configMap = (name: unknown) => get('v1', 'ConfigMap', 'sno2', String(name));

    assert.ok(secret(field(bmh, 'spec', 'bmc', 'credentialsName')), 'BMC credentials Secret');
    assert.ok(secret(field(cd, 'spec', 'pullSecretRef', 'name')), 'pull Secret');
    const metadataRef = (ref: string) => field(cd, 'spec', 'clusterMetadata', ref, 'name');
    assert.equal(metadataRef('adminPasswordSecretRef'), 'sno2-admin-password');
    assert.equal(metadataRef('adminKubeconfigSecretRef'), 'sno2-admin-kubeconfig');
    assert.ok(secret(metadataRef('adminPasswordSecretRef')), 'admin password Secret');
    assert.ok(secret(metadataRef('adminKubeconfigSecretRef')), 'admin kubeconfig Secret');
    // As the factory wrote it (the simulator's CRD may prune it, see the todo test below).
    const factoryIci = objs.find((o) => o.kind === 'ImageClusterInstall');
    const extraManifests = field(factoryIci, 'spec', 'extraManifestsRefs');
    assert.ok(Array.isArray(extraManifests) && extraManifests.length > 0);
    for (const ref of extraManifests.filter(isObject))
      assert.ok(configMap(ref.name), `extra-manifests ConfigMap ${String(ref.name)}`);
    assert.deepEqual(field(cd, 'spec', 'clusterInstallRef'), {
      group: 'extensions.hive.openshift.io',
      kind: 'ImageClusterInstall',
      name: 'sno2',
      version: 'v1alpha1',
    });
    assert.ok(ici);
    assert.equal(field(ici, 'spec', 'clusterDeploymentRef', 'name'), 'sno2');
    assert.deepEqual(field(ici, 'spec', 'bareMetalHostRef'), { name: n.host, namespace: 'sno2' });
    assert.ok(bmh);
    const schema = field(hfs, 'status', 'schema', 'name');
    assert.ok(
      get('metal3.io/v1alpha1', 'FirmwareSchema', 'sno2', String(schema)),
      'FirmwareSchema',
    );
    assert.ok(get('metal3.io/v1alpha1', 'HostFirmwareComponents', 'sno2', n.host));
    assert.ok(get('metal3.io/v1alpha1', 'DataImage', 'sno2', n.host));
    assert.ok(get('agent.open-cluster-management.io/v1', 'KlusterletAddonConfig', 'sno2', 'sno2'));
    assert.equal(field(ci, 'status', 'clusterDeploymentRef', 'name'), 'sno2');
    const preserved = (plural: string) =>
      hub.state.list(hub.state.rt('', 'v1', plural), 'sno2', {
        labelSelector: (l) => l !== undefined && SITECONFIG_PRESERVE_LABEL in l,
      }).items.length;
    assert.equal(preserved('secrets'), 1);
    assert.equal(preserved('configmaps'), 1);

    assert.equal(field(cd, 'spec', 'installed'), true);
    assert.equal(field(cd, 'status', 'powerState'), 'Running');
    assert.ok(field(cd, 'status', 'installedTimestamp'));
    assert.equal(conditionOf(cd, 'Provisioned')?.status, 'True');
    assert.equal(conditionOf(ici, 'Completed')?.status, 'True');
    assert.equal(conditionOf(ci, 'Provisioned')?.reason, 'Completed');
    assert.equal(field(bmh, 'status', 'provisioning', 'state'), 'provisioned');
    assert.deepEqual(bmh.metadata.finalizers, [BMH_FINALIZER]);
    assert.deepEqual(cd?.metadata.finalizers, [HIVE_DEPROVISION_FINALIZER]);

    for (const obj of ztpClusterObjects('sno3', { provisioned: false })) applyWithStatus(hub, obj);
    const cd3 = get('hive.openshift.io/v1', 'ClusterDeployment', 'sno3', 'sno3');
    assert.equal(field(cd3, 'spec', 'installed'), false);
    assert.equal(conditionOf(cd3, 'Provisioned')?.status, 'False');
    const ici3 = get(
      'extensions.hive.openshift.io/v1alpha1',
      'ImageClusterInstall',
      'sno3',
      'sno3',
    );
    assert.equal(conditionOf(ici3, 'Completed')?.reason, 'ClusterInstallationInProgress');
    const ci3 = get(
      'siteconfig.open-cluster-management.io/v1alpha1',
      'ClusterInstance',
      'sno3',
      'sno3',
    );
    assert.equal(conditionOf(ci3, 'Provisioned')?.reason, 'InProgress');
    assert.equal(
      field(
        get('metal3.io/v1alpha1', 'BareMetalHost', 'sno3', 'sno3'),
        'status',
        'provisioning',
        'state',
      ),
      'provisioning',
    );
  });

  test('ImageClusterInstall keeps spec.extraManifestsRefs (the image-based-install-operator field)', () => {
    const ici = ztpClusterObjects('sno4', { provisioned: true }).find(
      (o) => o.kind === 'ImageClusterInstall',
    )!;
    const stored = applyWithStatus(hub, ici);
    assert.deepEqual((stored.spec as JsonObject).extraManifestsRefs, [
      { name: 'sno4-extra-manifests' },
    ]);
  });
});

describe('ZTP danger rules', () => {
  let truth: GroundTruth;
  let destroyed: string[];
  let controllers: { stop: () => void };

  beforeEach(() => {
    truth = new GroundTruth();
    destroyed = [];
    controllers = startZtpControllers(hub, truth, {
      onDestroyed: (cluster, kind) => destroyed.push(`${kind}:${cluster}`),
    });
  });

  afterEach(() => controllers.stop());

  const cdRt = () => hub.state.rt('hive.openshift.io', 'v1', 'clusterdeployments');
  const bmhRt = () => hub.state.rt('metal3.io', 'v1alpha1', 'baremetalhosts');
  const dataImageRt = () => hub.state.rt('metal3.io', 'v1alpha1', 'dataimages');
  const settle = () => new Promise((r) => setTimeout(r, 100));

  function provision(cluster: string): void {
    truth.setRegistered(cluster, 'hub1'); // as its klusterlet would, once joined
    for (const obj of ztpClusterObjects(cluster, { provisioned: true })) applyWithStatus(hub, obj);
  }

  function annotate(
    rt: ResourceType,
    ns: string,
    name: string,
    key: string,
    value: string | null,
  ): void {
    hub.state.patch(rt, ns, name, 'merge', { metadata: { annotations: { [key]: value } } });
  }

  function stripFinalizers(rt: ResourceType, ns: string, name: string): void {
    hub.state.patch(rt, ns, name, 'merge', { metadata: { finalizers: null } });
  }

  test('deleting an unpaused ClusterDeployment destroys the cluster; an unpaused BareMetalHost wipes the host', async () => {
    provision('doomed');
    hub.state.delete(cdRt(), 'doomed', 'doomed');
    await eventually(
      () => !hub.state.get(cdRt(), 'doomed', 'doomed'),
      'the ClusterDeployment gone',
    );
    hub.state.delete(bmhRt(), 'doomed', 'doomed');
    await eventually(() => !hub.state.get(bmhRt(), 'doomed', 'doomed'), 'the BareMetalHost gone');

    assert.deepEqual(
      truth.destructions.map(({ at: _at, ...d }) => d),
      [
        {
          cluster: 'doomed',
          hub: 'hub1',
          kind: 'cluster-destroyed',
          object: 'ClusterDeployment doomed/doomed',
        },
        {
          cluster: 'doomed',
          hub: 'hub1',
          kind: 'host-wiped',
          object: 'BareMetalHost doomed/doomed',
        },
      ],
    );
    assert.equal(truth.cluster('doomed').destroyed, true);
    assert.equal(truth.cluster('doomed').hostWiped, true);
    assert.deepEqual(destroyed, ['cluster-destroyed:doomed', 'host-wiped:doomed']);
  });

  test('deleting the cluster namespace without pausing destroys too', async () => {
    provision('ns-doomed');
    hub.state.delete(hub.state.rt('', 'v1', 'namespaces'), undefined, 'ns-doomed');
    await eventually(
      () => !hub.state.get(hub.state.rt('', 'v1', 'namespaces'), undefined, 'ns-doomed'),
      'the namespace gone',
    );
    assert.deepEqual(truth.destructions.map((d) => d.kind).sort(), [
      'cluster-destroyed',
      'host-wiped',
    ]);
  });

  test('the safe way (pause, strip the finalizers, delete) destroys nothing', async () => {
    provision('safe');
    annotate(cdRt(), 'safe', 'safe', HIVE_PAUSE_ANNOTATION, 'true');
    annotate(bmhRt(), 'safe', 'safe', BMH_PAUSED_ANNOTATION, 'true');
    annotate(dataImageRt(), 'safe', 'safe', BMH_PAUSED_ANNOTATION, 'true');

    // Paused objects being deleted just wait: hive and the baremetal-operator leave them alone.
    hub.state.delete(cdRt(), 'safe', 'safe');
    hub.state.delete(bmhRt(), 'safe', 'safe');
    hub.state.delete(dataImageRt(), 'safe', 'safe');
    await settle();
    for (const rt of [cdRt(), bmhRt(), dataImageRt()]) {
      const obj = hub.state.get(rt, 'safe', 'safe');
      assert.ok(obj?.metadata.deletionTimestamp, `${rt.kind} waits, being deleted`);
      assert.equal(obj.metadata.finalizers?.length, 1, `${rt.kind} keeps its finalizer`);
    }
    for (const rt of [cdRt(), bmhRt(), dataImageRt()]) stripFinalizers(rt, 'safe', 'safe');
    await settle();
    for (const rt of [cdRt(), bmhRt(), dataImageRt()])
      assert.equal(hub.state.get(rt, 'safe', 'safe'), undefined, `${rt.kind} gone`);
    assert.deepEqual(truth.destructions, []);
    assert.deepEqual(destroyed, []);

    assert.equal(wasDestroyed(truth, 'safe'), false);
  });

  test('stripping the finalizers without pausing is not enough: the operators put them back', async () => {
    provision('unpaused');
    stripFinalizers(cdRt(), 'unpaused', 'unpaused');
    stripFinalizers(bmhRt(), 'unpaused', 'unpaused');
    await eventually(
      () =>
        !!hub.state
          .get(cdRt(), 'unpaused', 'unpaused')
          ?.metadata.finalizers?.includes(HIVE_DEPROVISION_FINALIZER) &&
        !!hub.state
          .get(bmhRt(), 'unpaused', 'unpaused')
          ?.metadata.finalizers?.includes(BMH_FINALIZER),
      'hive and the baremetal-operator to put their finalizers back',
    );
    hub.state.delete(cdRt(), 'unpaused', 'unpaused');
    hub.state.delete(bmhRt(), 'unpaused', 'unpaused');
    await eventually(() => truth.destructions.length === 2, 'cluster destroyed and host wiped');
    assert.equal(wasDestroyed(truth, 'unpaused'), true);

    // A copy created without finalizers (as a migration writes it on the target) is armed too,
    // while a paused copy is left alone.
    const [cd] = ztpClusterObjects('copied', { provisioned: true }).filter(
      (o) => o.kind === 'ClusterDeployment',
    );
    hub.apply({ ...cd, metadata: { ...cd.metadata, finalizers: undefined } });
    await eventually(
      () => !!hub.state.get(cdRt(), 'copied', 'copied')?.metadata.finalizers?.length,
      'the deprovision finalizer added to the copy',
    );
    hub.apply({
      ...cd,
      metadata: {
        name: 'paused-copy',
        namespace: 'copied',
        annotations: { [HIVE_PAUSE_ANNOTATION]: 'true' },
      },
    });
    await settle();
    assert.equal(hub.state.get(cdRt(), 'copied', 'paused-copy')?.metadata.finalizers, undefined);
  });

  test('unpausing an object that is being deleted lets the deprovision run', async () => {
    provision('late');
    annotate(cdRt(), 'late', 'late', HIVE_PAUSE_ANNOTATION, 'true');
    hub.state.delete(cdRt(), 'late', 'late');
    await settle();
    assert.deepEqual(truth.destructions, []);
    annotate(cdRt(), 'late', 'late', HIVE_PAUSE_ANNOTATION, null);
    await eventually(() => truth.cluster('late').destroyed, 'the cluster destroyed once unpaused');
    // A pause annotation other than "true" does not pause hive.
    provision('half');
    annotate(cdRt(), 'half', 'half', HIVE_PAUSE_ANNOTATION, 'false');
    hub.state.delete(cdRt(), 'half', 'half');
    await eventually(() => truth.cluster('half').destroyed, 'reconcile-pause=false does not pause');
    // An unpaused DataImage is simply detached and let go, destroying nothing.
    assert.deepEqual(hub.state.get(dataImageRt(), 'half', 'half')?.metadata.finalizers, [
      DATAIMAGE_FINALIZER,
    ]);
    hub.state.delete(dataImageRt(), 'half', 'half');
    await eventually(() => !hub.state.get(dataImageRt(), 'half', 'half'), 'the DataImage gone');
    assert.equal(truth.cluster('half').hostWiped, false);
  });
});
