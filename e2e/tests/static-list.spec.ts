import { Details } from '../pages/details';
import { Wizard } from '../pages/wizard';
import {
  countNavigations,
  expect,
  expectAccessible,
  numbered,
  shot,
  test,
} from '../support/fixtures';

test('static list: search, bulk-select 20, validate, review, start, watch it complete live', async ({
  page,
  hubs,
}) => {
  const chosen = numbered('static-', 20);
  const wizard = new Wizard(page);
  await wizard.open();
  await shot(page, 'wizard-1-hubs');
  await wizard.hubs('hub1', 'hub2');

  await wizard.searchListing('static-', 'hub1', 24);
  await page.getByRole('checkbox', { name: 'Select every cluster on this page' }).check();
  await expect(wizard.selectedCount).toContainText('24 selected');
  for (const n of ['21', '22', '23', '24'])
    await page.getByRole('checkbox', { name: `Select static-${n}` }).uncheck();
  await expect(wizard.selectedCount).toContainText('20 selected');
  await shot(page, 'wizard-2-clusters-browse');
  await wizard.next();

  await wizard.batches({ name: 'e2e-static' });
  await wizard.validated();
  await expect(page.getByText('20 clusters leave hub1 and register to hub2.')).toBeVisible();
  await shot(page, 'wizard-5-review');
  await wizard.start();

  // From here on the page must update by itself: no reload.
  const navigations = countNavigations(page);
  const details = new Details(page);
  await expect(details.streamStatus).toContainText('Live');
  await expect(details.phase).not.toHaveText('Completed');
  await shot(page, 'details-running');
  const seen = await details.watchUntil('Completed');
  expect(seen.length, `phases seen: ${seen.join(' → ')}`).toBeGreaterThanOrEqual(3);
  expect(navigations()).toBe(0);
  await expect(page.getByText('20 of 20 clusters migrated')).toBeVisible();
  await shot(page, 'details-completed');
  await expectAccessible(page, 'details page of a completed migration');

  await hubs.expectOn('hub2', 'hub1', chosen);
  // The four left unselected stay where they were.
  expect(await hubs.registeredTo(numbered('static-', 24).slice(20))).toEqual({
    'static-21': 'hub1',
    'static-22': 'hub1',
    'static-23': 'hub1',
    'static-24': 'hub1',
  });
});
