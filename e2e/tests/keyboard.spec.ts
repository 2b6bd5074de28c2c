import type { Locator, Page } from '@playwright/test';
import { Details } from '../pages/details';
import { Wizard } from '../pages/wizard';
import { expect, expectAccessible, shot, test } from '../support/fixtures';

const keys = ['keys-1', 'keys-2', 'keys-3'];

const isFocused = (target: Locator) =>
  target.evaluate((el) => el === document.activeElement || el.contains(document.activeElement));

/**
 * Presses Tab, or Shift+Tab when `target` comes before the focus, until `target` has the focus,
 * as a keyboard user would (reading where the focus is only tells which way to go).
 */
async function tabTo(page: Page, target: Locator): Promise<void> {
  await expect(target).toBeVisible();
  const back = await target.evaluate((el) => {
    const from = document.activeElement;
    if (!from || from === document.body) return false;
    return (from.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_PRECEDING) !== 0;
  });
  for (let i = 0; i < 250; i++) {
    if (await isFocused(target)) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`${String(target)} never got the focus with ${back ? 'Shift+Tab' : 'Tab'}`);
}

/** Picks a hub in a typeahead: type, arrow down into the options, Enter. */
async function pickHub(page: Page, which: string, hub: string): Promise<void> {
  const box = page.getByRole('combobox', { name: which });
  await tabTo(page, box);
  await page.keyboard.type(hub);
  await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('option', { name: new RegExp(`^${hub}\\b`) }).first()).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(box).toHaveValue(hub);
}

test('keyboard only: the whole wizard to a completed migration, and axe on every step', async ({
  page,
  hubs,
}) => {
  const wizard = new Wizard(page);
  // The only navigation by URL; from here on, the keyboard alone.
  await page.goto('/hub-migration');
  await expect(page.getByRole('heading', { level: 1, name: 'Hub migrations' })).toBeVisible();
  await tabTo(page, page.getByRole('button', { name: 'Create migration' }).first());
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Create migration' })).toBeVisible();

  // 1. Hubs.
  await pickHub(page, 'Source hub', 'hub1');
  await pickHub(page, 'Target hub', 'hub2');
  await expect(page.getByTestId('compatibility')).toContainText(/ACM 2\.14\S* → ACM 2\.15/);
  await shot(page, 'wizard-1-hubs-keyboard');
  await expectAccessible(page, 'wizard step Hubs');
  await tabTo(page, wizard.nextButton);
  await page.keyboard.press('Enter');

  // 2. Clusters: each of the three tabs, then Browse to choose.
  await expect(wizard.tab('Browse')).toHaveAttribute('aria-selected', 'true');
  await expectAccessible(page, 'wizard step Clusters, Browse tab');
  for (const name of ['Paste', 'Placement'] as const) {
    await tabTo(page, wizard.tab(name));
    await page.keyboard.press('Enter');
    await expect(wizard.tab(name)).toHaveAttribute('aria-selected', 'true');
    await shot(page, `wizard-2-clusters-${name.toLowerCase()}-keyboard`);
    await expectAccessible(page, `wizard step Clusters, ${name} tab`);
  }
  await tabTo(page, wizard.tab('Browse'));
  await page.keyboard.press('Enter');
  await expect(wizard.tab('Browse')).toHaveAttribute('aria-selected', 'true');

  await tabTo(page, page.getByRole('textbox', { name: 'Search clusters on hub1' }));
  await page.keyboard.type('keys-');
  const table = page.getByRole('grid', { name: 'Clusters on hub1' });
  await expect(table.getByRole('row')).toHaveCount(4); // the header and the three
  for (const name of keys) {
    const box = page.getByRole('checkbox', { name: `Select ${name}` });
    await tabTo(page, box);
    await page.keyboard.press('Space');
    await expect(box).toBeChecked();
  }
  await expect(wizard.selectedCount).toContainText('3 selected');
  await shot(page, 'wizard-2-clusters-browse-keyboard');
  await tabTo(page, wizard.nextButton);
  await page.keyboard.press('Enter');

  // 3. Batches and timeouts: a name of our own.
  const name = page.getByRole('textbox', { name: 'Name' });
  await tabTo(page, name);
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('e2e-keys');
  await expect(name).toHaveValue('e2e-keys');
  await expect(page.getByTestId('batch-preview')).toContainText(/3 clusters → 1 batch/);
  await shot(page, 'wizard-3-batches');
  await expectAccessible(page, 'wizard step Batches and timeouts');
  await tabTo(page, wizard.nextButton);
  await page.keyboard.press('Enter');

  // 4. Validate.
  await expect(page.getByTestId('validation-summary')).toContainText(
    /Every check passed for 3 clusters|Ready, with/,
    { timeout: 60_000 },
  );
  await shot(page, 'wizard-4-validate');
  await expectAccessible(page, 'wizard step Validate');
  await tabTo(page, wizard.nextButton);
  await page.keyboard.press('Enter');

  // 5. Review, and start.
  await expect(page.getByText('3 clusters leave hub1 and register to hub2.')).toBeVisible();
  await expectAccessible(page, 'wizard step Review');
  const start = page.getByRole('button', { name: 'Start migration' });
  await tabTo(page, start);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/hub-migration\/ns\/[^/]+\/e2e-keys$/, { timeout: 30_000 });

  const details = new Details(page);
  await details.watchUntil('Completed');
  await expect(page.getByText('3 of 3 clusters migrated')).toBeVisible();
  await shot(page, 'details-keys-completed');
  await hubs.expectOn('hub2', 'hub1', keys);

  // Back to the list by its breadcrumb: not empty now.
  await tabTo(
    page,
    page
      .getByRole('navigation', { name: 'Breadcrumb' })
      .getByRole('link', { name: 'Hub migrations' }),
  );
  await page.keyboard.press('Enter');
  await expect(page.getByRole('link', { name: 'e2e-keys' })).toBeVisible();
  await shot(page, 'list-with-migrations');
  await expectAccessible(page, 'the migrations list with migrations');
});
