import { Details } from '../pages/details';
import { Wizard } from '../pages/wizard';
import { expect, expectAccessible, shot, test } from '../support/fixtures';

const reach = ['reach-1', 'reach-2', 'reach-3', 'reach-4'];

test('partial failure: a cluster that cannot reach the target is rolled back alone, then retried', async ({
  page,
  hubs,
}) => {
  const wizard = new Wizard(page);
  await wizard.open();
  await wizard.hubs('hub1', 'hub2');
  await wizard.searchListing('reach-', 'hub1', 4);
  await page.getByRole('checkbox', { name: 'Select every cluster on this page' }).check();
  await expect(wizard.selectedCount).toContainText('4 selected');
  await wizard.searchListing('cutoff-', 'hub1', 1);
  await page.getByRole('checkbox', { name: 'Select cutoff-1' }).check();
  await expect(wizard.selectedCount).toContainText('5 selected');
  await wizard.next();
  // The shortest stage timeout the wizard offers: Registering gives up on cutoff-1 after a minute.
  await wizard.batches({ name: 'e2e-reach', timeoutMinutes: 1 });
  await wizard.validated();
  await expect(page.getByText('5 clusters leave hub1 and register to hub2.')).toBeVisible();
  await wizard.start();

  const details = new Details(page);
  await expect(details.streamStatus).toContainText('Live');
  const seen = await details.watchUntil(/^(Partly completed|Failed|Completed)$/, 170_000);
  // The four that can reach hub2 move; cutoff-1 is rolled back on its own.
  expect(seen, `phases seen: ${seen.join(' → ')}`).toContain('Registering');
  expect(seen.at(-1)).toBe('Partly completed');
  await expect(page.getByText('4 of 5 clusters migrated')).toBeVisible();
  await expect(page.getByRole('alert').or(page.getByText('Why it stopped'))).toBeVisible();
  for (const c of reach) await expect(details.row(c)).toContainText('Migrated');
  // Its row: rolled back to hub1 by the engine, with the reason.
  const failedRow = details.row('cutoff-1');
  await expect(failedRow).toContainText('Rolled back');
  await expect(failedRow).toContainText('hub1');
  await expect(failedRow).toContainText('did not join hub2 before the Registering timeout');

  // Only the clusters with an error: cutoff-1 alone, with its reason.
  await page.getByText('Only clusters with an error').click();
  await expect(page.getByRole('switch', { name: 'Only clusters with an error' })).toBeChecked();
  await expect(page).toHaveURL(/errors=1/);
  await expect(details.clusterTable.getByRole('row', { name: /reach-/ })).toHaveCount(0);
  await expect(failedRow).toBeVisible();
  await failedRow.getByRole('button', { name: 'Details of cutoff-1' }).click();
  await expect(page.getByText('Why cutoff-1 failed')).toBeVisible();
  await shot(page, 'details-partial-failure-failed-row');
  await expectAccessible(page, 'details of a partial failure, error filter, row expanded');

  // Retry the one that did not move: the wizard opens pre-filled with cutoff-1 only, hub1 → hub2.
  await page.getByRole('button', { name: 'Retry 1 failed cluster', exact: true }).click();
  await expect(page).toHaveURL(/\/hub-migration\/new\?retry=/);
  await expect(
    page.getByText(
      'Pre-filled with the 1 failed cluster of e2e-reach. Review and edit before you start.',
    ),
  ).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'Source hub' })).toHaveValue('hub1');
  await expect(page.getByRole('combobox', { name: 'Target hub' })).toHaveValue('hub2');
  await shot(page, 'wizard-retry-prefilled');
  await wizard.next();
  await expect(page.getByTestId('selection-summary')).toHaveText(/1 cluster selected$/);
  await page.getByText('Show selected only').click();
  await expect(page.getByRole('button', { name: /^Remove / })).toHaveCount(1);
  await expect(page.getByRole('button', { name: 'Remove cutoff-1' })).toBeVisible();
  await shot(page, 'wizard-retry-prefilled-clusters');

  // What really happened on the hubs.
  await hubs.expectOn('hub2', 'hub1', reach);
  await hubs.expectOn('hub1', 'hub2', ['cutoff-1']);
  const onHub2 = await hubs.kubectl('hub2', ['get', 'namespace', '-o', 'name']);
  expect(onHub2).not.toContain('namespace/cutoff-1');
});
