import { Details } from '../pages/details';
import { Wizard } from '../pages/wizard';
import { expect, expectAccessible, shot, test, type Hubs } from '../support/fixtures';

const ready = ['ready-1', 'ready-2', 'ready-3'];
const building = 'building-1';
// The objects of a ZTP cluster that matter: their deletion or unpausing could deprovision it.
const ztpKinds = [
  'managedclusters.cluster.open-cluster-management.io',
  'clusterdeployments.hive.openshift.io',
  'baremetalhosts.metal3.io',
  'clusterinstances.siteconfig.open-cluster-management.io',
];

interface Obj {
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
    finalizers?: string[];
    deletionTimestamp?: string;
  };
  spec?: unknown;
}

/** What the migration must not change of a cluster's objects on a hub (not its status). */
async function ztpObjects(hubs: Hubs, hub: string, cluster: string) {
  const out: Record<string, unknown> = {};
  for (const kind of ztpKinds) {
    const ns = kind.startsWith('managedclusters') ? [] : ['-n', cluster];
    const json = await hubs.kubectl(hub, ['get', kind, ...ns, '-o', 'json']);
    for (const o of (JSON.parse(json) as { items: Obj[] }).items) {
      if (kind.startsWith('managedclusters') && o.metadata.name !== cluster) continue;
      out[`${o.kind}/${o.metadata.name}`] = {
        spec: o.spec,
        annotations: o.metadata.annotations ?? {},
        labels: o.metadata.labels ?? {},
        finalizers: o.metadata.finalizers ?? [],
        deleting: o.metadata.deletionTimestamp ?? null,
      };
    }
  }
  return out;
}

test('validation blocks a ZTP cluster still provisioning; the others migrate without it', async ({
  page,
  hubs,
}) => {
  const before = await ztpObjects(hubs, 'hub1', building);
  expect(Object.keys(before)).toEqual(
    expect.arrayContaining([`ManagedCluster/${building}`, `ClusterDeployment/${building}`]),
  );
  // Still installing: no agent runs on it yet, so it is registered nowhere.
  expect(await hubs.registeredTo([building])).toEqual({ [building]: null });

  const wizard = new Wizard(page);
  await wizard.open();
  await wizard.hubs('hub1', 'hub2');
  await wizard.search('ready-', 'hub1');
  for (const name of ready) await page.getByRole('checkbox', { name: `Select ${name}` }).check();
  await wizard.search(building, 'hub1');
  await page.getByRole('checkbox', { name: `Select ${building}` }).check();
  await expect(wizard.selectedCount).toContainText('4 selected');
  await wizard.next();
  await wizard.batches({ name: 'e2e-provisioning' });

  const summary = page.getByTestId('validation-summary');
  await expect(summary).toHaveText(/1 problem blocks this migration$/, { timeout: 60_000 });
  const blocked = page.getByRole('grid', { name: 'Blocked clusters' });
  await expect(blocked.getByRole('row')).toHaveCount(2);
  const row = blocked.getByRole('row').filter({ hasText: building });
  await expect(row).toContainText('ZTP');
  await expect(row).toContainText(
    `managed cluster ${building} has not finished provisioning in managed hub hub1, it cannot be migrated yet`,
  );
  // Said once, in its row: not again as a problem of the whole migration.
  await expect(
    page.getByText(/managed cluster building-1 has not finished provisioning/),
  ).toHaveCount(1);
  await expect(wizard.nextButton).toBeDisabled();
  await shot(page, 'wizard-4-validate-blocked');
  await expectAccessible(page, 'wizard, validation with a blocked cluster');

  await page.getByRole('button', { name: 'Remove 1 blocked cluster and check again' }).click();
  await expect(summary).toContainText(/Every check passed for 3 clusters|Ready, with/, {
    timeout: 60_000,
  });
  await expect(blocked).toHaveCount(0);
  await shot(page, 'wizard-4-validate-after-removal');
  await wizard.next();
  await expect(page.getByText('3 clusters leave hub1 and register to hub2.')).toBeVisible();
  await expect(page.getByTestId('review-yaml')).not.toContainText(building);
  await wizard.start();

  const details = new Details(page);
  await details.watchUntil('Completed');
  await expect(page.getByText('3 of 3 clusters migrated')).toBeVisible();
  await expect(details.row(building)).toHaveCount(0);
  await shot(page, 'details-provisioning-completed');

  await hubs.expectOn('hub2', 'hub1', ready);
  // building-1 is where it was, as it was: its ZTP objects on hub1 unchanged, none on hub2.
  expect(await ztpObjects(hubs, 'hub1', building)).toEqual(before);
  expect(await ztpObjects(hubs, 'hub2', building)).toEqual({});
  expect(await hubs.registeredTo([building])).toEqual({ [building]: null });
  expect(await hubs.clusterNames('hub1')).toContain(building);
});
