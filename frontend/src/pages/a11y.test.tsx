// Every interactive control on each page has an accessible name, and the main controls are
// reachable with the keyboard alone.
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { FakeEventSource, mockApi } from '../test-utils/fakeApi';
import { clusterRows, detail, hub, me, summary, zeroCounts } from '../test-utils/fixtures';
import { renderAt } from '../test-utils/render';
import { CreateMigrationPage } from './CreateMigrationPage';
import { MigrationDetailsPage } from './MigrationDetailsPage';
import { MigrationsPage } from './MigrationsPage';

const ROLES = [
  'button',
  'link',
  'textbox',
  'checkbox',
  'combobox',
  'searchbox',
  'switch',
  'tab',
  'radio',
  'spinbutton',
];

/** Controls whose accessible name is empty (Testing Library computes names as browsers do). */
const unnamedControls = () =>
  ROLES.flatMap((role) => {
    const named = new Set(screen.queryAllByRole(role, { name: /\S/ }));
    return screen.queryAllByRole(role).filter((el) => !named.has(el));
  });

type Target = [role: string, name: string];

/** Tabs through the page (at most `max` times) until each target control has had focus. */
const expectReachable = async (targets: Target[], max: number) => {
  const elements = targets.map(([role, name]) => screen.getByRole(role, { name }));
  const focused = new Set<Element>();
  for (let i = 0; i < max && !elements.every((el) => focused.has(el)); i++) {
    await userEvent.tab();
    if (document.activeElement) focused.add(document.activeElement);
  }
  const missed = targets.filter((_, i) => !focused.has(elements[i])).map(([, name]) => name);
  expect(missed).toEqual([]);
};

beforeEach(() => FakeEventSource.install());

const BASE = '/migrations/multicluster-global-hub/wave-1';

it('the migrations list: every control is named and reachable by keyboard', async () => {
  mockApi([
    { path: '/me', respond: me() },
    {
      path: '/migrations',
      respond: {
        items: [
          summary(),
          summary({
            name: 'b-1',
            plan: { name: 'b', batch: 1, batches: 2, awaitingApproval: false },
          }),
        ],
      },
    },
    { path: '/plans', respond: { items: [] } },
  ]);
  renderAt(<MigrationsPage />);
  await screen.findByRole('link', { name: 'wave-1' });
  expect(unnamedControls()).toEqual([]);
  await expectReachable(
    [
      ['button', 'Create migration'],
      ['textbox', 'Search migrations by name or plan'],
      ['link', 'wave-1'],
      ['button', 'Show the batches of plan b'],
    ],
    80,
  );
}, 60_000);

it('the details page: every control is named and reachable by keyboard', async () => {
  mockApi([
    { path: '/me', respond: me() },
    { path: BASE, respond: detail() },
    {
      path: `${BASE}/clusters`,
      respond: { items: clusterRows(5), total: 5, offset: 0, limit: 1000, counts: zeroCounts() },
    },
  ]);
  renderAt(<MigrationDetailsPage />, {
    url: '/hub-migration/ns/multicluster-global-hub/wave-1',
    path: '/hub-migration/ns/:namespace/:name',
  });
  await screen.findByRole('grid', { name: 'Clusters of wave-1' });
  expect(unnamedControls()).toEqual([]);
  await expectReachable(
    [
      ['button', 'Roll back'],
      ['textbox', 'Search clusters by name'],
      ['button', 'Details of sno-0000'],
    ],
    80,
  );
}, 60_000);

it('the wizard: every control is named and reachable by keyboard', async () => {
  mockApi([
    { path: '/me', respond: me() },
    { path: '/hubs', respond: { items: [hub(), hub({ name: 'hub2' })] } },
  ]);
  renderAt(<CreateMigrationPage />);
  await screen.findByRole('combobox', { name: 'Source hub' });
  await waitFor(() => expect(unnamedControls()).toEqual([]));
  await expectReachable(
    [
      ['combobox', 'Source hub'],
      ['combobox', 'Target hub'],
      ['button', 'Cancel'],
    ],
    30,
  );
}, 60_000);
