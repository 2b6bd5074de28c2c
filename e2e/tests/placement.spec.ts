import { Details } from '../pages/details';
import { Wizard } from '../pages/wizard';
import { expect, expectAccessible, shot, test } from '../support/fixtures';

const gold = ['gold-1', 'gold-2', 'gold-3', 'gold-4', 'gold-5', 'gold-6'];
const silver = ['silver-1', 'silver-2', 'silver-3'];

test('placement: a label selector built in the wizard, its live count, its 6 clusters migrate', async ({
  page,
  hubs,
}) => {
  const wizard = new Wizard(page);
  await wizard.open();
  await wizard.hubs('hub1', 'hub2');
  await wizard.tab('Placement').click();

  // By default the tab offers the Placements that exist on the source hub.
  await expect(
    page.getByRole('radio', { name: 'Use an existing Placement on hub1' }),
  ).toBeChecked();
  await expect(
    page.getByRole('radio', { name: /^prod-all \(fleet\) — decides \d+ clusters/ }),
  ).toBeVisible();
  await shot(page, 'wizard-2-clusters-placement-existing');
  await expectAccessible(page, 'wizard, Placement tab with the existing Placements');

  await page.getByRole('radio', { name: 'Build a selector' }).check();
  const preview = page.getByTestId('selector-preview');
  // With no expression the selector matches every cluster on hub1, and says so.
  await expect(preview).toContainText('This selection matches every cluster on the hub.');
  const total = Number(
    /Matches (\d+) of (\d+) clusters/.exec((await preview.innerText()) ?? '')?.[2] ?? NaN,
  );
  expect(total).toBeGreaterThan(9);

  // The journey's own clusters first: the count follows each keystroke, with no button to press.
  await page.getByRole('textbox', { name: 'Label' }).fill('journey');
  await expect(page.getByText('Finish the label expression to see what it matches.')).toBeVisible();
  await page.getByRole('textbox', { name: 'Values (comma separated)' }).fill('placement');
  await expect(preview).toContainText(`Matches 9 of ${total} clusters`);

  await page.getByRole('button', { name: 'Add a label expression' }).click();
  await page.getByRole('textbox', { name: 'Label' }).nth(1).fill('tier');
  await page.getByRole('textbox', { name: 'Values (comma separated)' }).nth(1).fill('gold');
  await expect(preview).toContainText(`Matches 6 of ${total} clusters`);
  await shot(page, 'wizard-2-clusters-placement-selector');
  await expectAccessible(page, 'wizard, Placement tab building a selector');

  await preview.getByRole('button', { name: 'Show matched and not matched clusters' }).click();
  const modal = page.getByRole('dialog', { name: 'Clusters the selector matches' });
  await expect(modal.getByRole('heading', { name: 'Matched (6)' })).toBeVisible();
  await expect(modal.getByTestId('matched-names')).toHaveText(gold.join(', '));
  const notMatched = await modal.getByTestId('not-matched-names').innerText();
  for (const name of silver) expect(notMatched.split(', ')).toContain(name);
  await modal.getByRole('textbox', { name: 'Search the clusters' }).fill('silver');
  await expect(modal.getByTestId('matched-names')).toHaveText('—');
  await expect(modal.getByTestId('not-matched-names')).toHaveText(silver.join(', '));
  await shot(page, 'wizard-2-clusters-placement-names');
  await expectAccessible(page, 'wizard, the clusters a selector matches');
  await modal.getByRole('button', { name: 'Close' }).click();
  await expect(modal).toBeHidden();

  // The selector becomes the list of its clusters (the wizard creates no Placement).
  await preview.getByRole('button', { name: 'Use these 6 clusters' }).click();
  await expect(wizard.tab('Browse')).toHaveAttribute('aria-selected', 'true');
  await expect(wizard.selectedCount).toContainText('6 selected');
  await wizard.next();

  await wizard.batches({ name: 'e2e-placement' });
  await wizard.validated();
  await expect(page.getByText('6 clusters leave hub1 and register to hub2.')).toBeVisible();
  await shot(page, 'wizard-5-review-placement');
  await wizard.start();

  const details = new Details(page);
  await details.watchUntil('Completed');
  await expect(page.getByText('6 of 6 clusters migrated')).toBeVisible();
  for (const name of gold) await expect(details.row(name)).toBeVisible();
  await shot(page, 'details-placement-completed');

  await hubs.expectOn('hub2', 'hub1', gold);
  expect(await hubs.registeredTo(silver)).toEqual(
    Object.fromEntries(silver.map((n) => [n, 'hub1'])),
  );
  const onHub2 = await hubs.clusterNames('hub2');
  expect(silver.filter((n) => onHub2.includes(n))).toEqual([]);
  expect(await hubs.availableClusters('hub1')).toEqual(expect.arrayContaining(silver));
});
