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
import { startBff, writeStack } from '../support/stack';

test('the BFF is killed while Registering: the page reconnects by itself and the migration completes', async ({
  page,
  hubs,
  stack,
}) => {
  const chosen = numbered('restart-', 12);
  const wizard = new Wizard(page);
  await wizard.open();
  await wizard.hubs('hub1', 'hub2');
  await wizard.searchListing('restart-', 'hub1', 12);
  await page.getByRole('checkbox', { name: 'Select every cluster on this page' }).check();
  await expect(wizard.selectedCount).toContainText('12 selected');
  await wizard.next();
  await wizard.batches({ name: 'e2e-restart' });
  await wizard.validated();
  await wizard.start();

  // From here on the page must carry on by itself: no reload.
  const navigations = countNavigations(page);
  const details = new Details(page);
  await expect(details.streamStatus).toContainText('Live');
  await details.watchUntil('Registering', 120_000);

  // kill -9 the BFF (and the engine in it) in the middle of Registering.
  process.kill(-stack.pids.bff, 'SIGKILL');
  await expect(details.streamStatus).toHaveText('Reconnecting…');
  await shot(page, 'details-reconnecting');
  await expectAccessible(page, 'details page while reconnecting');

  const bff = await startBff(stack);
  // Global teardown stops whatever stack.json names.
  writeStack({ ...stack, pids: { ...stack.pids, bff } });

  await expect(details.streamStatus).toContainText('Live', { timeout: 60_000 });
  const seen = await details.watchUntil('Completed');
  expect(seen.at(-1)).toBe('Completed');
  expect(navigations()).toBe(0);
  await expect(page.getByText('12 of 12 clusters migrated')).toBeVisible();
  await shot(page, 'details-completed-after-bff-restart');

  await hubs.expectOn('hub2', 'hub1', chosen);
  // No cluster was moved twice (nor back and forth): each went from hub1 to hub2, once.
  for (const c of chosen) expect(await hubs.hubsVisited(c), c).toEqual(['hub1', 'hub2']);
});
