import type { Page } from '@playwright/test';
import { Details } from '../pages/details';
import { Wizard } from '../pages/wizard';
import { expect, expectAccessible, numbered, shot, test } from '../support/fixtures';

/** The clusters a batch moves, as its YAML tab shows them (a waiting batch has no rows yet). */
async function clustersOf(page: Page, name: string): Promise<string[]> {
  await page.getByRole('tab', { name: 'YAML' }).click();
  const yaml = await page.getByLabel(`YAML of ${name}`).innerText();
  await page.getByRole('tab', { name: 'Details' }).click();
  const names = [...new Set(yaml.match(/plan-\d\d/g) ?? [])].sort();
  expect(names, `clusters of ${name}`).toHaveLength(3);
  return names;
}

/** Back to the migrations list by the breadcrumb, as a user would. */
async function openList(page: Page): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Breadcrumb' })
    .getByRole('link', { name: 'Hub migrations' })
    .click();
  await expect(page.getByRole('grid', { name: 'Migrations' })).toBeVisible();
}

/** Opens the plan's row on the list page to show its batches (once: it toggles). */
async function expandPlan(page: Page): Promise<void> {
  const toggle = page.getByRole('button', { name: 'Show the batches of plan e2e-plan' });
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
}

test('plan: 9 ZTP clusters in 3 batches, each batch after the first approved from the UI', async ({
  page,
  hubs,
}) => {
  const all = numbered('plan-', 9);
  const wizard = new Wizard(page);
  await wizard.open();
  await wizard.hubs('hub1', 'hub2');
  await wizard.searchListing('plan-', 'hub1', 9);
  await page.getByRole('checkbox', { name: 'Select every cluster on this page' }).check();
  await expect(wizard.selectedCount).toContainText('9 selected');
  await wizard.next();

  await wizard.batches({ name: 'e2e-plan', batchSize: 3, approval: true });
  await wizard.validated();
  await expect(page.getByText('9 clusters leave hub1 and register to hub2.')).toBeVisible();
  await expect(
    page.getByText(/3 batches of up to 3 · waits for approval between batches/),
  ).toBeVisible();
  await wizard.start();

  // The first batch's details page: it runs at once.
  const details = new Details(page);
  await expect(page.getByRole('heading', { level: 1, name: 'e2e-plan-1' })).toBeVisible();
  await expect(page.getByText('plan e2e-plan, batch 1 of 3')).toBeVisible();
  const batch1 = await clustersOf(page, 'e2e-plan-1');

  // The list groups the plan's batches under one row with the plan's progress and ETA.
  await openList(page);
  const plan = page.getByTestId('plan-e2e-plan');
  await expect(plan.getByText('Plan e2e-plan')).toBeVisible();
  await expect(plan.getByText('9 clusters', { exact: true })).toBeVisible();
  await expect(plan.getByText('0 of 3 batches completed')).toBeVisible();
  await expect(plan.getByTestId('eta')).toHaveText(/Estimating…|About .+ left/);
  await expandPlan(page);
  for (const n of [1, 2, 3]) {
    await expect(plan.getByTestId(`migration-row-e2e-plan-${n}`)).toContainText(
      `e2e-plan · batch ${n} of 3`,
    );
  }
  await shot(page, 'list-plan-with-eta');
  await expectAccessible(page, 'migrations list with a plan');

  // Batch 1 runs to completion on its own.
  await plan.getByRole('link', { name: 'e2e-plan-1' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'e2e-plan-1' })).toBeVisible();
  const seen1 = await details.watchUntil('Completed');
  expect(seen1.length, `batch 1 phases: ${seen1.join(' → ')}`).toBeGreaterThanOrEqual(2);
  await expect(page.getByText('3 of 3 clusters migrated')).toBeVisible();

  // Batch 2 waits for approval: nothing of it has moved.
  await details.open('e2e-plan-2');
  await expect(
    page.getByText('This batch waits for your approval before it starts.'),
  ).toBeVisible();
  await expect(details.phase).toHaveText('Queued');
  const batch2 = await clustersOf(page, 'e2e-plan-2');
  expect(batch2.filter((c) => batch1.includes(c))).toEqual([]);
  // Waiting stays waiting: a few seconds later it has still not started.
  await page.waitForTimeout(3000);
  await expect(
    page.getByText('This batch waits for your approval before it starts.'),
  ).toBeVisible();
  expect(await hubs.registeredTo(batch2)).toEqual(
    Object.fromEntries(batch2.map((c) => [c, 'hub1'])),
  );
  const onHub2 = new Set(await hubs.clusterNames('hub2'));
  expect(all.filter((c) => onHub2.has(c)).sort()).toEqual(batch1);
  await shot(page, 'details-batch-waiting-for-approval');
  await openList(page);
  await expandPlan(page);
  await expect(page.getByTestId('migration-row-e2e-plan-2')).toContainText('Waiting for approval');
  await expect(plan.getByText('1 of 3 batches completed')).toBeVisible();
  await plan.getByRole('link', { name: 'e2e-plan-2' }).click();

  // Approve batch 2 from its page and watch it run.
  await page.getByRole('button', { name: 'Approve next batch' }).click();
  await expect(page.getByText('This batch waits for your approval before it starts.')).toBeHidden();
  const seen2 = await details.watchUntil('Completed');
  expect(seen2.length, `batch 2 phases: ${seen2.join(' → ')}`).toBeGreaterThanOrEqual(2);
  expect(await hubs.registeredTo(batch2)).toEqual(
    Object.fromEntries(batch2.map((c) => [c, 'hub2'])),
  );

  // Batch 3 waits in turn; approve it too.
  await details.open('e2e-plan-3');
  await expect(
    page.getByText('This batch waits for your approval before it starts.'),
  ).toBeVisible();
  const batch3 = await clustersOf(page, 'e2e-plan-3');
  expect([...batch1, ...batch2, ...batch3].sort()).toEqual(all);
  expect(await hubs.registeredTo(batch3)).toEqual(
    Object.fromEntries(batch3.map((c) => [c, 'hub1'])),
  );
  await page.getByRole('button', { name: 'Approve next batch' }).click();
  await details.watchUntil('Completed');

  // The plan as a whole is completed.
  await openList(page);
  await expect(plan.getByText('3 of 3 batches completed')).toBeVisible();
  await expect(plan.getByTestId('eta')).toHaveText('Not running');
  await hubs.expectOn('hub2', 'hub1', all);
});
