import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ClusterRow, MigrationDetail } from '../api/types';
import { apiError, FakeEventSource, mockApi } from '../test-utils/fakeApi';
import type { Route } from '../test-utils/fakeApi';
import { clusterRows, detail, me, zeroCounts } from '../test-utils/fixtures';
import { renderAt } from '../test-utils/render';
import { MigrationDetailsPage } from './MigrationDetailsPage';

const BASE = '/migrations/multicluster-global-hub/wave-1';
const URL = '/hub-migration/ns/multicluster-global-hub/wave-1';
const PATH = '/hub-migration/ns/:namespace/:name';

beforeEach(() => FakeEventSource.install());

const page =
  (rows: ClusterRow[]) =>
  ({ url }: { url: URL }) => {
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const limit = Number(url.searchParams.get('limit') ?? 100);
    return {
      items: rows.slice(offset, offset + limit),
      total: rows.length,
      offset,
      limit,
      counts: zeroCounts(),
    };
  };

const routes = (
  d: MigrationDetail = detail(),
  rows: ClusterRow[] = clusterRows(10),
  extra: Route[] = [],
): Route[] => [
  ...extra,
  { path: '/me', respond: me() },
  { path: BASE, respond: d },
  { path: `${BASE}/clusters`, respond: page(rows) },
  { path: `${BASE}/events`, respond: { items: [] } },
];

const renderPage = (url = URL, props = {}) =>
  renderAt(<MigrationDetailsPage {...props} />, { url, path: PATH });

describe('MigrationDetailsPage', () => {
  it('shows a spinner while loading', () => {
    mockApi(routes());
    renderPage();
    expect(
      screen.getByRole('progressbar', { name: 'Loading migration wave-1' }),
    ).toBeInTheDocument();
  });

  it('explains a migration that does not exist', async () => {
    mockApi([
      { path: '/me', respond: me() },
      {
        path: BASE,
        respond: () => {
          throw apiError(
            404,
            'NotFound',
            'Migration wave-1 was not found in multicluster-global-hub.',
          );
        },
      },
    ]);
    renderPage();
    expect(await screen.findByRole('heading', { name: 'Not found' })).toBeInTheDocument();
    expect(
      screen.getByText('Migration wave-1 was not found in multicluster-global-hub.'),
    ).toBeInTheDocument();
  });

  it('shows phases, progress, an honest ETA and the clusters', async () => {
    mockApi(routes(detail({ ratePerMinute: 12 })));
    renderPage();
    expect(await screen.findByRole('heading', { name: 'wave-1', level: 1 })).toBeInTheDocument();
    expect(screen.getByRole('listitem', { name: 'Deploying: in progress' })).toBeInTheDocument();
    expect(
      screen.getByRole('progressbar', { name: '2 of 10 clusters migrated' }),
    ).toBeInTheDocument();
    // The BFF has no ETA yet: "estimating…", not a number.
    expect(screen.getByTestId('eta')).toHaveTextContent('Estimating…');
    const table = await screen.findByRole('grid', { name: 'Clusters of wave-1' });
    expect(within(table).getAllByRole('button', { name: /^Details of / })).toHaveLength(10);
  });

  it('gives an ETA once the BFF has one, and says when no cluster has moved yet', async () => {
    mockApi(routes(detail({ ratePerMinute: 10, etaSeconds: 1500 })));
    const { unmount } = renderPage();
    expect(await screen.findByTestId('eta')).toHaveTextContent('About 25 min left');
    unmount();
    mockApi(routes(detail({ ratePerMinute: 0, etaSeconds: 1500 })));
    renderPage();
    expect(await screen.findByTestId('eta')).toHaveTextContent('No cluster has moved yet');
  });

  it('shows an empty cluster table before validation', async () => {
    mockApi(routes(detail({ phase: 'Pending', outcome: 'Queued', counts: zeroCounts() }), []));
    renderPage();
    expect(
      await screen.findByRole('heading', { name: 'No clusters in this migration yet' }),
    ).toBeInTheDocument();
  });

  it('keeps the page when only the clusters cannot be loaded (partial)', async () => {
    mockApi([
      {
        path: `${BASE}/clusters`,
        respond: () => {
          throw apiError(500, 'Internal', 'progress ConfigMap unreadable');
        },
      },
      ...routes(),
    ]);
    renderPage();
    expect(await screen.findByText('progress ConfigMap unreadable')).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'wave-1', level: 1 })).toBeInTheDocument();
    expect(screen.getByText('Could not load the clusters')).toBeInTheDocument();
  });

  it('filters the table by a state count and keeps the filter in the URL', async () => {
    const rows = [
      ...clusterRows(3, 'Cleaned'),
      {
        name: 'bad-1',
        state: 'Failed' as const,
        hub: 'hub2',
        error: 'boom',
        updated: '2026-11-20T10:01:00Z',
      },
    ];
    mockApi(routes(detail(), rows));
    renderPage();
    await screen.findByRole('grid', { name: 'Clusters of wave-1' });
    await userEvent.click(screen.getByText('Failed: 1'));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('state=Failed'));
    const table = screen.getByRole('grid', { name: 'Clusters of wave-1' });
    expect(within(table).getAllByRole('button', { name: /^Details of / })).toHaveLength(1);
    // Opening a row shows its error and its objects on each hub.
    await userEvent.click(within(table).getByRole('button', { name: 'Details of bad-1' }));
    expect(await screen.findByText('Why bad-1 failed')).toBeInTheDocument();
    expect(screen.getByTestId('location')).toHaveTextContent('cluster=bad-1');
  });

  it('applies the stream: snapshot, cluster changes and migration changes, and announces failures', async () => {
    mockApi(routes(detail(), clusterRows(5)));
    renderPage();
    await screen.findByRole('grid', { name: 'Clusters of wave-1' });
    const es = FakeEventSource.latest();
    expect(es.url).toBe(
      '/api/proxy/plugin/hub-migration/backend/api/v1/stream?migration=multicluster-global-hub%2Fwave-1',
    );
    es.open();
    es.emit('snapshot', { migrations: [], clusters: clusterRows(6) });
    expect(screen.getAllByRole('button', { name: /^Details of / })).toHaveLength(6);
    es.emit('clusters', {
      migration: 'multicluster-global-hub/wave-1',
      rows: [
        {
          name: 'sno-0001',
          state: 'Failed',
          hub: 'hub2',
          error: 'lease expired',
          updated: '2026-11-20T10:02:00Z',
        },
      ],
    });
    const row = screen.getByTestId('cluster-row-sno-0001');
    expect(within(row).getByText('Failed')).toBeInTheDocument();
    es.emit('migration', {
      type: 'MODIFIED',
      migration: {
        ...detail(),
        phase: 'Rollbacking',
        outcome: 'Running',
        counts: { ...zeroCounts(), Failed: 1, RollingBack: 5 },
      },
    });
    await waitFor(() =>
      expect(screen.getByTestId('announcer')).toHaveTextContent('Migration wave-1: Rolling back'),
    );
  });

  it('shows that it is reconnecting when the stream drops', async () => {
    mockApi(routes());
    renderPage();
    await screen.findByRole('heading', { name: 'wave-1', level: 1 });
    const es = FakeEventSource.latest();
    es.open();
    es.drop();
    expect(screen.getByTestId('stream-status')).toHaveTextContent('Reconnecting…');
  });

  it('gates actions by state and rights, and says why', async () => {
    mockApi([{ path: '/me', respond: me({ updateMigrations: false }) }, ...routes()]);
    renderPage();
    await screen.findByRole('heading', { name: 'wave-1', level: 1 });
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Roll back' })).toHaveAttribute(
        'aria-disabled',
        'true',
      ),
    );
    expect(screen.getByRole('button', { name: 'Migrate back' })).toHaveAttribute(
      'aria-disabled',
      'true',
    );
  });

  it('offers to retry every cluster that did not move: failed and rolled back alike', async () => {
    const partial = detail({
      phase: 'Failed',
      outcome: 'Partial',
      counts: { ...zeroCounts(), Cleaned: 4, RolledBack: 1, Failed: 1 },
      total: 6,
      actions: {
        rollback: false,
        retryFailed: true,
        migrateBack: true,
        approve: false,
        delete: true,
      },
    });
    mockApi(routes(partial));
    renderPage();
    await userEvent.click(await screen.findByRole('button', { name: 'Retry 2 failed clusters' }));
    expect(screen.getByTestId('location')).toHaveTextContent(
      '/hub-migration/new?retry=multicluster-global-hub%2Fwave-1',
    );
  });

  it('renders 5,000 clusters and applies 1,000 updates without re-rendering every row', async () => {
    const rows = clusterRows(5000);
    mockApi(routes(detail({ total: 5000 }), rows));
    const renders = new Map<string, number>();
    const onRowRender = (cluster: string) => renders.set(cluster, (renders.get(cluster) ?? 0) + 1);
    renderPage(`${URL}?perPage=100`, { onRowRender });
    await screen.findByRole('grid', { name: 'Clusters of wave-1' });
    const es = FakeEventSource.latest();
    es.open();
    expect(screen.getAllByRole('button', { name: /^Details of / })).toHaveLength(100);
    expect(screen.getAllByText('5000').length).toBeGreaterThan(0); // the pager's item count
    renders.clear();
    // 1,000 changes in 10 stream events: every 5th cluster moves to Deployed.
    const changed = rows
      .filter((_, i) => i % 5 === 0)
      .map((r) => ({ ...r, state: 'Deployed' as const, updated: '2026-11-20T10:05:00Z' }));
    for (let i = 0; i < 10; i++) {
      es.emit('clusters', {
        migration: 'multicluster-global-hub/wave-1',
        rows: changed.slice(i * 100, (i + 1) * 100),
      });
    }
    // Only the changed rows on the visible page render again (20 of the 100 shown), once each.
    const visibleChanged = rows
      .slice(0, 100)
      .filter((_, i) => i % 5 === 0)
      .map((r) => r.name);
    expect([...renders.keys()].sort()).toEqual(visibleChanged.sort());
    expect(Math.max(...renders.values())).toBe(1);
    expect(
      within(screen.getByTestId('cluster-row-sno-0005')).getByText('Deployed'),
    ).toBeInTheDocument();
    expect(
      within(screen.getByTestId('cluster-row-sno-0001')).getByText('Not started'),
    ).toBeInTheDocument();
  }, 30_000);
});

describe('RollbackModal from the details page', () => {
  const counts = { ...zeroCounts(), Cleaned: 30, Deployed: 12, Pending: 50, Failed: 8 };

  it('states the impact per hub with counts and needs the name typed to confirm', async () => {
    const { calls } = mockApi([
      {
        method: 'POST',
        path: `${BASE}/rollback`,
        respond: { ...detail(), phase: 'Rollbacking', counts },
      },
      ...routes(detail({ counts, total: 100 })),
    ]);
    renderPage();
    await screen.findByRole('heading', { name: 'wave-1', level: 1 });
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Roll back' })).not.toHaveAttribute(
        'aria-disabled',
        'true',
      ),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Roll back' }));
    const dialog = await screen.findByRole('dialog');
    expect(
      within(dialog).getByRole('heading', { name: /Roll back 100 clusters to hub1\?/ }),
    ).toBeInTheDocument();
    const source = within(dialog).getByTestId('impact-source');
    expect(source).toHaveTextContent('30 clusters already migrated re-register to hub1');
    expect(source).toHaveTextContent('12 clusters in flight return to hub1');
    expect(source).toHaveTextContent('50 clusters not started stay on hub1');
    expect(source).toHaveTextContent('8 failed clusters are returned to hub1 as well');
    expect(within(dialog).getByTestId('impact-target')).toHaveTextContent(
      'created for 50 clusters are removed from hub2',
    );
    const confirm = within(dialog).getByRole('button', { name: 'Roll back' });
    expect(confirm).toBeDisabled();
    const input = within(dialog).getByRole('textbox', { name: 'Type wave-1 to confirm' });
    await userEvent.type(input, 'wave-');
    expect(confirm).toBeDisabled();
    await userEvent.type(input, '1');
    expect(confirm).toBeEnabled();
    await userEvent.click(confirm);
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    const post = calls.find((c) => c.method === 'POST');
    expect(post?.path).toBe(`${BASE}/rollback`);
  });

  it('keeps the modal open and explains a failed rollback', async () => {
    mockApi([
      {
        method: 'POST',
        path: `${BASE}/rollback`,
        respond: () => {
          throw apiError(409, 'Conflict', 'The migration changed meanwhile.');
        },
      },
      ...routes(detail({ counts, total: 100 })),
    ]);
    renderPage();
    await screen.findByRole('heading', { name: 'wave-1', level: 1 });
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'Roll back' })).not.toHaveAttribute(
        'aria-disabled',
        'true',
      ),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Roll back' }));
    const dialog = await screen.findByRole('dialog');
    await userEvent.type(within(dialog).getByRole('textbox'), 'wave-1{Enter}');
    expect(await within(dialog).findByText('The migration changed meanwhile.')).toBeInTheDocument();
    expect(within(dialog).getByText('Someone else changed this first')).toBeInTheDocument();
    await act(async () => {
      await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    });
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });
});
