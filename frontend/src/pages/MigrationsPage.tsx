import { DocumentTitle } from '@openshift-console/dynamic-plugin-sdk';
import {
  Alert,
  Bullseye,
  Button,
  Card,
  CardBody,
  CardTitle,
  EmptyState,
  EmptyStateActions,
  EmptyStateBody,
  EmptyStateFooter,
  Flex,
  FlexItem,
  Gallery,
  PageSection,
  SearchInput,
  Spinner,
  Title,
  ToggleGroup,
  ToggleGroupItem,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
  Tooltip,
} from '@patternfly/react-core';
import {
  AngleDownIcon,
  AngleRightIcon,
  ArrowRightIcon,
  CubesIcon,
  SearchIcon,
} from '@patternfly/react-icons';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, streamUrl } from '../api/client';
import type { MigrationChange, MigrationSummary, Outcome, PlanSummary } from '../api/types';
import { ApiErrorAlert, ApiErrorState } from '../components/ApiErrorAlert';
import { EtaText } from '../components/EtaText';
import { OutcomeLabel, outcomeLabel } from '../components/labels';
import { Announcer, LiveStatus } from '../components/LiveStatus';
import { PhaseStepper, phasesFromSummary } from '../components/PhaseStepper';
import { ProgressCell } from '../components/ProgressCell';
import { ROUTES } from '../const';
import { useApi } from '../hooks/useApi';
import { useEventStream } from '../hooks/useEventStream';
import { useNow } from '../hooks/useNow';
import type { TFunction } from '../i18n';
import { useHubTranslation } from '../i18n';
import { formatDateTime, formatDuration, secondsBetween } from '../utils/format';
import { addCounts, DONE_STATES, migrationKey, sumStates } from '../utils/progress';

const OUTCOMES: Outcome[] = ['Running', 'Queued', 'Completed', 'Failed', 'RolledBack', 'Partial'];
const POLL_MS = 10_000;

export const applyMigrationChange = (
  list: MigrationSummary[] | undefined,
  change: MigrationChange,
): MigrationSummary[] => {
  const items = list ?? [];
  const key = migrationKey(change.migration);
  const index = items.findIndex((m) => migrationKey(m) === key);
  if (change.type === 'DELETED') return index < 0 ? items : items.filter((_, i) => i !== index);
  if (index < 0) return [...items, change.migration];
  const next = items.slice();
  next[index] = change.migration;
  return next;
};

type Group =
  | { kind: 'single'; migration: MigrationSummary }
  | { kind: 'plan'; name: string; migrations: MigrationSummary[] };

const byCreated = (a: MigrationSummary, b: MigrationSummary) =>
  b.createdAt.localeCompare(a.createdAt) || a.name.localeCompare(b.name);

/** Batches of one plan together (in batch order), plans and single migrations newest first. */
export const groupMigrations = (items: MigrationSummary[]): Group[] => {
  const plans = new Map<string, MigrationSummary[]>();
  const groups: Group[] = [];
  for (const m of [...items].sort(byCreated)) {
    if (m.plan) {
      const batch = plans.get(m.plan.name);
      if (batch) batch.push(m);
      else {
        const list = [m];
        plans.set(m.plan.name, list);
        groups.push({ kind: 'plan', name: m.plan.name, migrations: list });
      }
    } else groups.push({ kind: 'single', migration: m });
  }
  for (const list of plans.values())
    list.sort((a, b) => (a.plan?.batch ?? 0) - (b.plan?.batch ?? 0));
  return groups;
};

const planOutcome = (migrations: MigrationSummary[]): Outcome => {
  if (migrations.some((m) => m.outcome === 'Running')) return 'Running';
  if (migrations.some((m) => m.outcome === 'Failed')) return 'Failed';
  if (migrations.every((m) => m.outcome === 'Completed')) return 'Completed';
  if (migrations.every((m) => m.outcome === 'Queued')) return 'Queued';
  if (migrations.some((m) => m.outcome === 'RolledBack')) return 'RolledBack';
  return 'Partial';
};

const selectionText = (t: TFunction, m: MigrationSummary) =>
  'placement' in m.selection
    ? t('Placement {{name}}', { name: m.selection.placement })
    : t('{{count}} clusters', { count: m.total || m.selection.clusters });

const Duration = ({ m, now }: { m: MigrationSummary; now: number }) => {
  const { t } = useHubTranslation();
  const seconds = secondsBetween(m.startedAt, m.finishedAt ?? now);
  return <>{seconds === undefined ? '—' : formatDuration(t, seconds)}</>;
};

const MigrationRow = ({ m, now }: { m: MigrationSummary; now: number }) => {
  const { t, i18n } = useHubTranslation();
  return (
    <Tr data-test={`migration-row-${m.name}`}>
      {/* Under the expand toggle column of plan rows. */}
      <Td />
      <Td dataLabel={t('Name')}>
        <Link to={ROUTES.details(m.namespace, m.name)}>{m.name}</Link>
        {m.deleting && <div>{t('Deleting (rolling back first)')}</div>}
      </Td>
      <Td dataLabel={t('Plan / batch')}>
        {m.plan
          ? t('{{plan}} · batch {{batch}} of {{batches}}', {
              plan: m.plan.name,
              batch: m.plan.batch,
              batches: m.plan.batches,
            })
          : '—'}
        {m.plan?.awaitingApproval && <div>{t('Waiting for approval')}</div>}
      </Td>
      <Td dataLabel={t('From → to')}>
        {m.from} <ArrowRightIcon aria-label={t('to')} /> {m.to}
      </Td>
      <Td dataLabel={t('Clusters')}>{selectionText(t, m)}</Td>
      <Td dataLabel={t('Phase')}>
        <Flex direction={{ default: 'column' }} spaceItems={{ default: 'spaceItemsXs' }}>
          <FlexItem>
            <OutcomeLabel outcome={m.outcome} phase={m.phase} />
          </FlexItem>
          <FlexItem>
            <PhaseStepper
              compact
              steps={phasesFromSummary(m)}
              ariaLabel={t('Phases of {{name}}', { name: m.name })}
            />
          </FlexItem>
        </Flex>
      </Td>
      <Td dataLabel={t('Progress')}>
        <ProgressCell
          counts={m.counts}
          total={m.total}
          migration={m}
          label={t('Progress of {{name}}', { name: m.name })}
        />
      </Td>
      <Td dataLabel={t('Started')}>
        {m.startedAt ? formatDateTime(m.startedAt, i18n.language) : '—'}
      </Td>
      <Td dataLabel={t('Duration')}>
        <Duration m={m} now={now} />
      </Td>
    </Tr>
  );
};

const PlanRows = ({
  name,
  migrations,
  plan,
  now,
  expanded,
  onToggle,
}: {
  name: string;
  migrations: MigrationSummary[];
  plan?: PlanSummary;
  now: number;
  expanded: boolean;
  onToggle: () => void;
}) => {
  const { t, i18n } = useHubTranslation();
  const counts = migrations.reduce((acc, m) => addCounts(acc, m.counts), {});
  const total = migrations.reduce((sum, m) => sum + m.total, 0);
  const outcome = plan?.outcome ?? planOutcome(migrations);
  const batches = migrations[0]?.plan?.batches ?? migrations.length;
  const completed = migrations.filter((m) => m.outcome === 'Completed').length;
  const first = migrations[0];
  const started = migrations
    .map((m) => m.startedAt)
    .filter((s): s is string => !!s)
    .sort()[0];
  return (
    <Tbody data-test={`plan-${name}`}>
      <Tr>
        <Td>
          <Button
            variant="plain"
            aria-expanded={expanded}
            aria-label={t('Show the batches of plan {{name}}', { name })}
            onClick={onToggle}
            icon={expanded ? <AngleDownIcon /> : <AngleRightIcon />}
          />
        </Td>
        <Td dataLabel={t('Name')}>
          <strong>{t('Plan {{name}}', { name })}</strong>
        </Td>
        <Td dataLabel={t('Plan / batch')}>
          {t('{{completed}} of {{batches}} batches completed', { completed, batches })}
        </Td>
        <Td dataLabel={t('From → to')}>
          {first?.from} <ArrowRightIcon aria-label={t('to')} /> {first?.to}
        </Td>
        <Td dataLabel={t('Clusters')}>{t('{{count}} clusters', { count: total })}</Td>
        <Td dataLabel={t('Phase')}>
          <OutcomeLabel outcome={outcome} />
          <div>
            {t('ETA')}: <EtaText running={outcome === 'Running'} etaSeconds={plan?.etaSeconds} />
          </div>
        </Td>
        <Td dataLabel={t('Progress')}>
          <ProgressCell
            counts={counts}
            total={total}
            label={t('Progress of plan {{name}}', { name })}
          />
        </Td>
        <Td dataLabel={t('Started')}>{started ? formatDateTime(started, i18n.language) : '—'}</Td>
        <Td dataLabel={t('Duration')}>
          {started ? formatDuration(t, secondsBetween(started, now) ?? 0) : '—'}
        </Td>
      </Tr>
      {expanded && migrations.map((m) => <MigrationRow key={migrationKey(m)} m={m} now={now} />)}
    </Tbody>
  );
};

const SummaryCard = ({
  title,
  count,
  to,
  testId,
}: {
  title: string;
  count: number;
  to: string;
  testId: string;
}) => {
  const { t } = useHubTranslation();
  return (
    <Card isCompact data-test={testId}>
      <CardTitle>{title}</CardTitle>
      <CardBody>
        <Link to={to} aria-label={t('{{n}} {{title}}: show them', { n: count, title })}>
          <Title headingLevel="h3" size="2xl">
            {count}
          </Title>
        </Link>
      </CardBody>
    </Card>
  );
};

export const MigrationsPage = () => {
  const { t } = useHubTranslation();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const now = useNow(5000);
  const me = useApi('me', (signal) => api.me({ signal }));
  const migrations = useApi('migrations', (signal) =>
    api.migrations({ signal }).then((r) => r.items),
  );
  const plans = useApi('plans', (signal) => api.plans({ signal }).then((r) => r.items));
  const [announcement, setAnnouncement] = useState<{ text: string; failed: boolean }>();
  const [expanded, setExpanded] = useState<Record<string, boolean>>({});

  // Plan ETAs come from /plans: refresh them at most every 15 s while batches change.
  const lastPlansReload = useRef(0);
  const reloadPlans = plans.reload;
  const planChanged = useCallback(() => {
    if (Date.now() - lastPlansReload.current < 15_000) return;
    lastPlansReload.current = Date.now();
    reloadPlans();
  }, [reloadPlans]);

  const setMigrations = migrations.setData;
  const stream = useEventStream(streamUrl(), {
    onSnapshot: (snapshot) => setMigrations(() => snapshot.migrations),
    onMigration: (change) => {
      setMigrations((list) => {
        const before = list?.find((m) => migrationKey(m) === migrationKey(change.migration));
        if (before && before.outcome !== change.migration.outcome) {
          setAnnouncement({
            text: t('Migration {{name}}: {{outcome}}', {
              name: change.migration.name,
              outcome: outcomeLabel(t, change.migration.outcome),
            }),
            failed: change.migration.outcome === 'Failed',
          });
        }
        return applyMigrationChange(list, change);
      });
      if (change.migration.plan) planChanged();
    },
    onReset: () => {
      migrations.reload();
      plans.reload();
    },
  });

  // Without an event stream, poll.
  const reloadMigrations = migrations.reload;
  useEffect(() => {
    if (stream.status !== 'unavailable') return;
    const timer = setInterval(() => {
      reloadMigrations();
      reloadPlans();
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [stream.status, reloadMigrations, reloadPlans]);

  const outcomeFilter = (params.get('outcome') ?? '').split(',').filter(Boolean) as Outcome[];
  const search = params.get('q') ?? '';
  const toFilter = params.get('to') ?? '';
  const setParam = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  const toggleOutcome = (outcome: Outcome) => {
    const set = new Set(outcomeFilter);
    if (set.has(outcome)) set.delete(outcome);
    else set.add(outcome);
    setParam('outcome', [...set].join(','));
  };
  const clearFilters = () => setParams(new URLSearchParams(), { replace: true });
  const filtered = !!(outcomeFilter.length || search || toFilter);

  const all = useMemo(() => migrations.data ?? [], [migrations.data]);
  const visible = useMemo(
    () =>
      all.filter(
        (m) =>
          (!outcomeFilter.length || outcomeFilter.includes(m.outcome)) &&
          (!toFilter || m.to === toFilter) &&
          (!search ||
            m.name.toLowerCase().includes(search.toLowerCase()) ||
            (m.plan?.name ?? '').toLowerCase().includes(search.toLowerCase())),
      ),
    [all, outcomeFilter, toFilter, search],
  );
  const groups = useMemo(() => groupMigrations(visible), [visible]);
  const planByName = useMemo(
    () => new Map((plans.data ?? []).map((p) => [p.name, p])),
    [plans.data],
  );

  const countOf = (outcome: Outcome) => all.filter((m) => m.outcome === outcome).length;
  const movedPerHub = useMemo(() => {
    const perHub = new Map<string, number>();
    for (const m of all)
      perHub.set(m.to, (perHub.get(m.to) ?? 0) + sumStates(m.counts, DONE_STATES));
    return [...perHub.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [all]);

  const canCreate = me.data?.can.createMigrations ?? false;
  const createButton = (
    <Button
      variant="primary"
      onClick={() => void navigate(ROUTES.create)}
      isAriaDisabled={!canCreate}
      data-test="create-migration"
    >
      {t('Create migration')}
    </Button>
  );

  let body;
  if (migrations.loading) {
    body = (
      <Bullseye>
        <Spinner aria-label={t('Loading migrations')} />
      </Bullseye>
    );
  } else if (migrations.error && !migrations.data) {
    body = <ApiErrorState error={migrations.error} onRetry={migrations.reload} />;
  } else if (all.length === 0) {
    body = (
      <EmptyState titleText={t('No migrations yet')} headingLevel="h2" icon={CubesIcon}>
        <EmptyStateBody>
          {t(
            'A migration moves managed clusters from one hub to another, batch by batch, and rolls them back if a stage fails.',
          )}
        </EmptyStateBody>
        <EmptyStateFooter>
          <EmptyStateActions>{createButton}</EmptyStateActions>
        </EmptyStateFooter>
      </EmptyState>
    );
  } else {
    body = (
      <>
        {plans.error && (
          <Alert
            isInline
            variant="warning"
            title={t('Plan progress estimates are unavailable: {{message}}', {
              message: plans.error.message,
            })}
          />
        )}
        <Toolbar clearAllFilters={clearFilters} collapseListedFiltersBreakpoint="xl">
          <ToolbarContent>
            <ToolbarItem>
              <SearchInput
                aria-label={t('Search migrations by name or plan')}
                placeholder={t('Search by name or plan')}
                value={search}
                onChange={(_e, value) => setParam('q', value)}
                onClear={() => setParam('q', '')}
              />
            </ToolbarItem>
            <ToolbarItem>
              <ToggleGroup aria-label={t('Filter by outcome')}>
                {OUTCOMES.map((o) => (
                  <ToggleGroupItem
                    key={o}
                    text={outcomeLabel(t, o)}
                    buttonId={`outcome-${o}`}
                    isSelected={outcomeFilter.includes(o)}
                    onChange={() => toggleOutcome(o)}
                  />
                ))}
              </ToggleGroup>
            </ToolbarItem>
            {toFilter && (
              <ToolbarItem>
                <Button variant="link" onClick={() => setParam('to', '')}>
                  {t('Target hub {{hub}} ×', { hub: toFilter })}
                </Button>
              </ToolbarItem>
            )}
            {filtered && (
              <ToolbarItem>
                <Button variant="link" onClick={clearFilters}>
                  {t('Clear all filters')}
                </Button>
              </ToolbarItem>
            )}
          </ToolbarContent>
        </Toolbar>
        {groups.length === 0 ? (
          <EmptyState
            titleText={t('No migrations match the filters')}
            headingLevel="h2"
            icon={SearchIcon}
          >
            <EmptyStateFooter>
              <Button variant="link" onClick={clearFilters}>
                {t('Clear all filters')}
              </Button>
            </EmptyStateFooter>
          </EmptyState>
        ) : (
          <Table aria-label={t('Migrations')} variant="compact" data-test="migrations-table">
            <Thead>
              <Tr>
                <Th screenReaderText={t('Expand')} />
                <Th>{t('Name')}</Th>
                <Th>{t('Plan / batch')}</Th>
                <Th>{t('From → to')}</Th>
                <Th>{t('Clusters')}</Th>
                <Th>{t('Phase')}</Th>
                <Th>{t('Progress')}</Th>
                <Th>{t('Started')}</Th>
                <Th>{t('Duration')}</Th>
              </Tr>
            </Thead>
            {groups.map((g) =>
              g.kind === 'plan' ? (
                <PlanRows
                  key={`plan/${g.name}`}
                  name={g.name}
                  migrations={g.migrations}
                  plan={planByName.get(g.name)}
                  now={now}
                  expanded={expanded[g.name] ?? true}
                  onToggle={() => setExpanded((e) => ({ ...e, [g.name]: !(e[g.name] ?? true) }))}
                />
              ) : (
                <Tbody key={migrationKey(g.migration)}>
                  <MigrationRow m={g.migration} now={now} />
                </Tbody>
              ),
            )}
          </Table>
        )}
      </>
    );
  }

  return (
    <>
      <DocumentTitle>{t('Hub migrations')}</DocumentTitle>
      <PageSection>
        <Flex
          justifyContent={{ default: 'justifyContentSpaceBetween' }}
          alignItems={{ default: 'alignItemsCenter' }}
        >
          <FlexItem>
            <Title headingLevel="h1">{t('Hub migrations')}</Title>
            <p>{t('Move managed clusters between ACM hubs, batch by batch, with rollback.')}</p>
          </FlexItem>
          <Flex alignItems={{ default: 'alignItemsCenter' }}>
            <FlexItem>
              <LiveStatus stream={stream} />
            </FlexItem>
            <FlexItem>
              {canCreate || !me.data ? (
                createButton
              ) : (
                <Tooltip content={t('You are not allowed to create migrations.')}>
                  {createButton}
                </Tooltip>
              )}
            </FlexItem>
          </Flex>
        </Flex>
        {me.error && (
          <ApiErrorAlert
            error={me.error}
            action={t('check your permissions')}
            onRetry={me.reload}
          />
        )}
        {migrations.error && migrations.data && (
          <ApiErrorAlert
            error={migrations.error}
            action={t('refresh the migrations')}
            onRetry={migrations.reload}
          />
        )}
      </PageSection>
      {all.length > 0 && (
        <PageSection aria-label={t('Summary')}>
          <Gallery hasGutter minWidths={{ default: '160px' }}>
            <SummaryCard
              testId="card-active"
              title={t('Active')}
              count={countOf('Running')}
              to="?outcome=Running"
            />
            <SummaryCard
              testId="card-queued"
              title={t('Queued')}
              count={countOf('Queued')}
              to="?outcome=Queued"
            />
            <SummaryCard
              testId="card-completed"
              title={t('Completed')}
              count={countOf('Completed')}
              to="?outcome=Completed"
            />
            <SummaryCard
              testId="card-failed"
              title={t('Failed')}
              count={countOf('Failed')}
              to="?outcome=Failed"
            />
            <SummaryCard
              testId="card-rolledback"
              title={t('Rolled back')}
              count={countOf('RolledBack')}
              to="?outcome=RolledBack"
            />
            <Card isCompact data-test="card-moved">
              <CardTitle>{t('Clusters moved, by target hub')}</CardTitle>
              <CardBody>
                {movedPerHub.map(([hub, moved]) => (
                  <div key={hub}>
                    <Link
                      to={`?to=${encodeURIComponent(hub)}`}
                      // The name starts with the visible text (WCAG 2.5.3, label in name).
                      aria-label={t(
                        '{{hub}}: {{count}} clusters moved there, show those migrations',
                        {
                          count: moved,
                          hub,
                        },
                      )}
                    >
                      {t('{{hub}}: {{n}}', { hub, n: moved })}
                    </Link>
                  </div>
                ))}
              </CardBody>
            </Card>
          </Gallery>
        </PageSection>
      )}
      <PageSection isFilled>{body}</PageSection>
      <Announcer message={announcement?.failed ? undefined : announcement?.text} />
      <Announcer
        message={announcement?.failed ? announcement.text : undefined}
        assertive
        minIntervalMs={0}
      />
    </>
  );
};

export default MigrationsPage;
