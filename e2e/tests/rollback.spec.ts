import { Details } from '../pages/details';
import { Wizard } from '../pages/wizard';
import { expect, expectAccessible, shot, test } from '../support/fixtures';

const slow = Array.from({ length: 8 }, (_, i) => `slow-${i + 1}`);

test('one-click rollback while Registering: type-to-confirm, everything back on the source', async ({
  page,
  hubs,
  stack,
}) => {
  const faults = async (cluster: string, body: object) => {
    const res = await fetch(`${stack.controlUrl}/clusters/${cluster}/faults`, {
      method: 'POST',
      body: JSON.stringify(body),
    });
    expect(res.ok, `faults of ${cluster}`).toBe(true);
  };
  // Slow to join whatever hub they go to next: they will not be Available on hub2 in time. The
  // delay is set here, not in the scenario, because it applies to every join, and the way back to
  // hub1 after the rollback must not wait ten minutes.
  for (const c of slow) await faults(c, { joinDelayMs: 600_000 });

  const wizard = new Wizard(page);
  await wizard.open();
  await wizard.hubs('hub1', 'hub2');
  await wizard.searchListing('slow-', 'hub1', 8);
  await page.getByRole('checkbox', { name: 'Select every cluster on this page' }).check();
  await expect(wizard.selectedCount).toContainText('8 selected');
  await wizard.next();
  await wizard.batches({ name: 'e2e-rollback' });
  await wizard.validated();
  await wizard.start();

  const details = new Details(page);
  const before = await details.watchUntil('Registering', 120_000);
  expect(before.at(-1)).toBe('Registering');

  await page.getByRole('button', { name: 'Roll back' }).click();
  const modal = page.getByRole('dialog', { name: 'Roll back 8 clusters to hub1?' });
  await expect(modal).toBeVisible();
  await expect(modal.getByTestId('impact-source')).toContainText(
    '8 clusters in flight return to hub1',
  );
  await expect(modal.getByTestId('impact-target')).toContainText(
    'The ManagedClusters and their add-on configuration created for 8 clusters are removed from hub2',
  );
  const confirm = modal.getByRole('button', { name: 'Roll back' });
  const typed = modal.getByRole('textbox', { name: 'Type e2e-rollback to confirm' });
  await expect(confirm).toBeDisabled();
  await typed.fill('e2e-rollbac');
  await expect(confirm).toBeDisabled();
  await typed.fill('E2E-ROLLBACK');
  await expect(confirm).toBeDisabled();
  await typed.fill('e2e-rollback');
  await expect(confirm).toBeEnabled();
  await shot(page, 'details-rollback-modal');
  await expectAccessible(page, 'the rollback modal');
  await confirm.click();
  await expect(modal).toBeHidden();
  // Watch the phase from the moment of the click while the fault is lifted below.
  const watching = details.watchUntil(/^(Rolled back|Failed|Completed|Partly completed)$/);
  watching.catch(() => undefined); // awaited below; no unhandled rejection meanwhile

  // The fault ends: a cluster that has not joined hub2 yet goes back to hub1 at normal speed.
  for (const c of slow) await faults(c, {});
  // Target first: what was created for them on hub2 goes.
  await expect
    .poll(() => hubs.leftovers('hub2', slow), { timeout: 60_000, intervals: [1000] })
    .toEqual([]);
  // An agent that already holds a hub2 certificate sleeps through its join delay: the simulator
  // fixed that delay when hub2 issued the certificate. Restarting the agent (as an administrator
  // would restart a stuck klusterlet) lets it find hub2 no longer takes it and fall back to hub1.
  for (const c of slow) {
    const res = await fetch(`${stack.controlUrl}/clusters/${c}/restart`, { method: 'POST' });
    expect(res.ok, `restart of ${c}`).toBe(true);
  }

  const seen = await watching;
  expect(seen, `phases seen: ${seen.join(' → ')}`).toContain('Rolling back');
  expect(seen.at(-1)).toBe('Rolled back');
  await expect(page.getByText('Why it stopped')).toBeVisible();
  for (const c of slow) await expect(details.row(c)).toContainText('Rolled back');
  await shot(page, 'details-rolled-back');

  // The engine reads "back on hub1" from the ManagedCluster's conditions, which can still be the
  // ones from before the switch; the agents' own record may take a few seconds more.
  await expect
    .poll(() => hubs.registeredTo(slow), { timeout: 30_000, intervals: [1000] })
    .toEqual(Object.fromEntries(slow.map((c) => [c, 'hub1'])));
  // Back on the source, registered and Available; nothing of them on hub2; nothing destroyed.
  await hubs.expectOn('hub1', 'hub2', slow);
  expect(await hubs.leftovers('hub2', slow)).toEqual([]);
  const onHub1 = await hubs.leftovers('hub1', slow);
  for (const c of slow) {
    expect(onHub1).toContain(`ClusterDeployment/${c}/${c}`);
    expect(onHub1).toContain(`BareMetalHost/${c}/${c}`);
    const mc = await hubs.get('hub1', 'managedclusters.cluster.open-cluster-management.io', c);
    expect(mc.spec?.hubAcceptsClient).toBe(true);
    expect(Object.keys(mc.metadata.annotations ?? {}).filter((a) => /migrating/.test(a))).toEqual(
      [],
    );
    const cd = await hubs.get('hub1', 'clusterdeployments.hive.openshift.io', c, c);
    expect(cd.metadata.annotations?.['hive.openshift.io/reconcile-pause']).not.toBe('true');
  }
});
