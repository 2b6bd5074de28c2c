import { DocumentTitle } from '@openshift-console/dynamic-plugin-sdk';
import {
  Alert,
  Breadcrumb,
  BreadcrumbItem,
  Bullseye,
  Button,
  Card,
  CardBody,
  CardTitle,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  Flex,
  FlexItem,
  Grid,
  GridItem,
  PageSection,
  Progress,
  ProgressMeasureLocation,
  Spinner,
  Tab,
  Tabs,
  TabTitleText,
  Title,
  Tooltip,
} from '@patternfly/react-core';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ReactElement } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import type { ApiFailure } from '../api/client';
import { api, fetchAll, streamUrl, toApiFailure } from '../api/client';
import type { ClusterState, MigrationSummary } from '../api/types';
import { ApiErrorAlert, ApiErrorState } from '../components/ApiErrorAlert';
import { EtaText } from '../components/EtaText';
import { CLUSTER_STATES, OutcomeLabel, phaseLabel } from '../components/labels';
import { Announcer, LiveStatus } from '../components/LiveStatus';
import { PhaseStepper } from '../components/PhaseStepper';
import { ROUTES } from '../const';
import { ClusterStore } from '../details/clusterStore';
import { ClusterTable } from '../details/ClusterTable';
import { RollbackModal } from '../details/RollbackModal';
import { EventsTimeline, HealthCard, StateCounts, YamlView } from '../details/sections';
import { useApi } from '../hooks/useApi';
import { useEventStream } from '../hooks/useEventStream';
import { useNow } from '../hooks/useNow';
import { useHubTranslation } from '../i18n';
import { formatDateTime, formatDuration, secondsBetween } from '../utils/format';
import { migrationKey, progressOf } from '../utils/progress';

const DETAIL_REFRESH_MS = 5_000;
const POLL_MS = 10_000;
type TabKey = 'details' | 'events' | 'yaml';

/** An action button that explains itself when it cannot be used. */
const GatedAction = ({
  allowed,
  reason,
  children,
}: {
  allowed: boolean;
  reason?: string;
  children: ReactElement;
}) => (allowed || !reason ? children : <Tooltip content={reason}>{children}</Tooltip>);

type Props = {
  /** For performance measurements (tests, profiling): called on each render of a cluster row. */
  onRowRender?: (cluster: string) => void;
};

export const MigrationDetailsPage = ({ onRowRender }: Props) => {
  const { t, i18n } = useHubTranslation();
  const navigate = useNavigate();
  const { namespace = '', name = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const now = useNow(1000);
  const key = `${namespace}/${name}`;
  const me = useApi('me', (signal) => api.me({ signal }));
  const detail = useApi(key, (signal) => api.migration(namespace, name, { signal }));
  const store = useMemo(() => new ClusterStore(), [key]); // eslint-disable-line react-hooks/exhaustive-deps -- one store per migration
  const [clustersError, setClustersError] = useState<ApiFailure>();
  const [clustersGeneration, setClustersGeneration] = useState(0);
  const [rollbackOpen, setRollbackOpen] = useState(false);
  const [actionError, setActionError] = useState<{ error: ApiFailure; action: string }>();
  const [busy, setBusy] = useState(false);
  const [announcement, setAnnouncement] = useState<{ text: string; failed: boolean }>();
  const tab = (params.get('tab') as TabKey | null) ?? 'details';

  // Every cluster row, from the BFF's paged list, unless the stream's snapshot came first.
  useEffect(() => {
    const controller = new AbortController();
    setClustersError(undefined);
    fetchAll((offset, limit) =>
      api.clusters(namespace, name, { offset, limit }, { signal: controller.signal }),
    ).then(
      (rows) => {
        // The first load yields to a snapshot that came first; reloads (reset, polling) do not.
        if (!controller.signal.aborted && (clustersGeneration > 0 || !store.loaded))
          store.replaceAll(rows);
      },
      async (err: unknown) => {
        if (controller.signal.aborted) return;
        setClustersError(await toApiFailure(err));
      },
    );
    return () => controller.abort();
  }, [store, namespace, name, clustersGeneration]);

  // Phases, rate and ETA come with the detail: refresh it (at most every few seconds) when the
  // stream says the migration changed.
  const reloadDetail = detail.reload;
  const refreshTimer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const scheduleRefresh = useCallback(() => {
    if (refreshTimer.current) return;
    refreshTimer.current = setTimeout(() => {
      refreshTimer.current = undefined;
      reloadDetail();
    }, DETAIL_REFRESH_MS);
  }, [reloadDetail]);
  useEffect(() => () => clearTimeout(refreshTimer.current), []);

  const shownRef = useRef(detail.data);
  shownRef.current = detail.data;
  const setDetail = detail.setData;
  const mergeSummary = useCallback(
    (m: MigrationSummary) =>
      setDetail((d) => {
        if (!d) return d;
        if (d.phase !== m.phase || d.outcome !== m.outcome) {
          const failed = m.outcome === 'Failed' || m.phase === 'Failed';
          setAnnouncement({
            text: failed
              ? t('Migration {{name}} failed: {{message}}', {
                  name: m.name,
                  message: m.message ?? '',
                })
              : t('Migration {{name}}: {{phase}}', { name: m.name, phase: phaseLabel(t, m.phase) }),
            failed,
          });
        } else if ((m.counts.Failed ?? 0) > (d.counts.Failed ?? 0)) {
          setAnnouncement({
            text: t('{{count}} clusters failed', { count: m.counts.Failed }),
            failed: true,
          });
        }
        return { ...d, ...m };
      }),
    [setDetail, t],
  );

  const stream = useEventStream(streamUrl({ namespace, name }), {
    onSnapshot: (snapshot) => {
      if (snapshot.clusters) store.replaceAll(snapshot.clusters);
      const mine = snapshot.migrations.find((m) => migrationKey(m) === key);
      if (mine) mergeSummary(mine);
    },
    onMigration: (change) => {
      if (migrationKey(change.migration) !== key) return;
      if (change.type === 'DELETED') {
        reloadDetail();
        return;
      }
      // A new phase or outcome changes the stepper at once; other changes refresh at most every
      // few seconds.
      const shown = shownRef.current;
      const moved =
        shown?.phase !== change.migration.phase || shown?.outcome !== change.migration.outcome;
      mergeSummary(change.migration);
      if (moved) reloadDetail();
      else scheduleRefresh();
    },
    onClusters: (changes) => {
      if (changes.migration === key) store.applyRows(changes.rows);
    },
    onReset: () => {
      reloadDetail();
      setClustersGeneration((g) => g + 1);
    },
  });

  useEffect(() => {
    if (stream.status !== 'unavailable') return;
    const timer = setInterval(() => {
      reloadDetail();
      setClustersGeneration((g) => g + 1);
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [stream.status, reloadDetail, store]);

  const selectedStates = (params.get('state') ?? '')
    .split(',')
    .filter((s): s is ClusterState => CLUSTER_STATES.includes(s as ClusterState));
  const toggleState = (state: ClusterState) => {
    const set = new Set(selectedStates);
    if (set.has(state)) set.delete(state);
    else set.add(state);
    const next = new URLSearchParams(params);
    if (set.size) next.set('state', [...set].join(','));
    else next.delete('state');
    next.delete('page');
    setParams(next, { replace: true });
  };
  const setTab = (k: TabKey) => {
    const next = new URLSearchParams(params);
    if (k === 'details') next.delete('tab');
    else next.set('tab', k);
    setParams(next, { replace: true });
  };

  const d = detail.data;
  const header = (
    <PageSection>
      <Breadcrumb>
        <BreadcrumbItem>
          <Link to={ROUTES.list}>{t('Hub migrations')}</Link>
        </BreadcrumbItem>
        <BreadcrumbItem isActive>{name}</BreadcrumbItem>
      </Breadcrumb>
    </PageSection>
  );

  if (detail.loading) {
    return (
      <>
        {header}
        <Bullseye>
          <Spinner aria-label={t('Loading migration {{name}}', { name })} />
        </Bullseye>
      </>
    );
  }
  if (!d) {
    return (
      <>
        {header}
        {detail.error && <ApiErrorState error={detail.error} onRetry={detail.reload} />}
      </>
    );
  }

  const can = me.data?.can;
  const mayUpdate = can?.updateMigrations ?? false;
  const mayCreate = can?.createMigrations ?? false;
  const noRight = t('You are not allowed to change migrations.');
  const p = progressOf(d.counts, d.total);
  const running = d.outcome === 'Running';
  const elapsed = secondsBetween(d.startedAt, d.finishedAt ?? now);

  const act = async (action: string, run: () => Promise<MigrationSummary>) => {
    setBusy(true);
    setActionError(undefined);
    try {
      mergeSummary(await run());
      reloadDetail();
    } catch (err) {
      setActionError({ error: await toApiFailure(err), action });
    } finally {
      setBusy(false);
    }
  };

  const actions = (
    <Flex spaceItems={{ default: 'spaceItemsSm' }}>
      {d.plan?.awaitingApproval && (
        <FlexItem>
          <GatedAction
            allowed={d.actions.approve && mayUpdate}
            reason={mayUpdate ? undefined : noRight}
          >
            <Button
              variant="primary"
              isAriaDisabled={!d.actions.approve || !mayUpdate || busy}
              onClick={() =>
                void act(t('approve the next batch'), () => api.approve(d.namespace, d.name))
              }
            >
              {t('Approve next batch')}
            </Button>
          </GatedAction>
        </FlexItem>
      )}
      <FlexItem>
        <GatedAction
          allowed={d.actions.rollback && mayUpdate}
          reason={
            !d.actions.rollback
              ? t('Only a running or failed migration can be rolled back.')
              : mayUpdate
                ? undefined
                : noRight
          }
        >
          <Button
            variant="danger"
            isAriaDisabled={!d.actions.rollback || !mayUpdate}
            onClick={() => setRollbackOpen(true)}
          >
            {t('Roll back')}
          </Button>
        </GatedAction>
      </FlexItem>
      <FlexItem>
        <GatedAction
          allowed={d.actions.retryFailed && mayCreate}
          reason={
            !d.actions.retryFailed
              ? t('There are no failed clusters to retry once the migration has finished.')
              : mayCreate
                ? undefined
                : t('You are not allowed to create migrations.')
          }
        >
          <Button
            variant="secondary"
            isAriaDisabled={!d.actions.retryFailed || !mayCreate}
            onClick={() => void navigate(`${ROUTES.create}?retry=${encodeURIComponent(key)}`)}
          >
            {t('Retry {{count}} failed clusters', { count: p.failed + p.rolledBack })}
          </Button>
        </GatedAction>
      </FlexItem>
      <FlexItem>
        <GatedAction
          allowed={d.actions.migrateBack && mayCreate}
          reason={
            !d.actions.migrateBack
              ? t('Available after the migration has completed.')
              : mayCreate
                ? undefined
                : t('You are not allowed to create migrations.')
          }
        >
          <Button
            variant="secondary"
            isAriaDisabled={!d.actions.migrateBack || !mayCreate}
            onClick={() => void navigate(`${ROUTES.create}?back=${encodeURIComponent(key)}`)}
          >
            {t('Migrate back')}
          </Button>
        </GatedAction>
      </FlexItem>
    </Flex>
  );

  return (
    <>
      <DocumentTitle>{t('Migration {{name}}', { name })}</DocumentTitle>
      {header}
      <PageSection>
        <Flex
          justifyContent={{ default: 'justifyContentSpaceBetween' }}
          alignItems={{ default: 'alignItemsCenter' }}
        >
          <Flex alignItems={{ default: 'alignItemsCenter' }}>
            <FlexItem>
              <Title headingLevel="h1">{name}</Title>
            </FlexItem>
            <FlexItem data-test="migration-phase">
              <OutcomeLabel outcome={d.outcome} phase={d.phase} />
            </FlexItem>
            <FlexItem>
              <LiveStatus stream={stream} />
            </FlexItem>
          </Flex>
          {actions}
        </Flex>
        <p>
          {t('{{from}} → {{to}}', { from: d.from, to: d.to })}
          {d.plan &&
            ` · ${t('plan {{plan}}, batch {{batch}} of {{batches}}', {
              plan: d.plan.name,
              batch: d.plan.batch,
              batches: d.plan.batches,
            })}`}
        </p>
        {detail.error && (
          <ApiErrorAlert
            error={detail.error}
            action={t('refresh the migration')}
            onRetry={detail.reload}
          />
        )}
        {actionError && <ApiErrorAlert error={actionError.error} action={actionError.action} />}
        {d.deleting && (
          <Alert
            isInline
            variant="info"
            title={t('This migration is being deleted: it rolls back first.')}
          />
        )}
        {d.message &&
          (d.outcome === 'Failed' || d.outcome === 'RolledBack' || d.phase === 'Rollbacking') && (
            <Alert isInline variant="danger" title={t('Why it stopped')}>
              {d.message}
            </Alert>
          )}
        {d.plan?.awaitingApproval && (
          <Alert
            isInline
            variant="info"
            title={t('This batch waits for your approval before it starts.')}
          />
        )}
      </PageSection>
      <PageSection>
        <Tabs
          activeKey={tab}
          onSelect={(_e, k) => setTab(k as TabKey)}
          aria-label={t('Migration views')}
          mountOnEnter
        >
          <Tab eventKey="details" title={<TabTitleText>{t('Details')}</TabTitleText>}>
            <Grid hasGutter>
              <GridItem span={12}>
                <Card>
                  <CardTitle>{t('Phases')}</CardTitle>
                  <CardBody>
                    <PhaseStepper steps={d.phases} stageTimeout={d.stageTimeout} now={now} />
                  </CardBody>
                </Card>
              </GridItem>
              <GridItem md={8} span={12}>
                <Card>
                  <CardTitle>{t('Progress')}</CardTitle>
                  <CardBody>
                    <Progress
                      value={p.percent}
                      title={t('{{done}} of {{total}} clusters migrated', {
                        done: p.done,
                        total: p.total,
                      })}
                      measureLocation={ProgressMeasureLocation.outside}
                      variant={
                        p.failed > 0
                          ? 'danger'
                          : p.total > 0 && p.done === p.total
                            ? 'success'
                            : undefined
                      }
                      aria-label={t('Clusters migrated')}
                    />
                    <StateCounts
                      counts={d.counts}
                      selected={selectedStates}
                      onSelect={toggleState}
                    />
                  </CardBody>
                </Card>
              </GridItem>
              <GridItem md={4} span={12}>
                <Card>
                  <CardBody>
                    <DescriptionList isCompact>
                      <DescriptionListGroup>
                        <DescriptionListTerm>{t('Rate')}</DescriptionListTerm>
                        <DescriptionListDescription data-test="rate">
                          {d.ratePerMinute !== undefined
                            ? t('{{rate}} clusters a minute', { rate: d.ratePerMinute.toFixed(1) })
                            : '—'}
                        </DescriptionListDescription>
                      </DescriptionListGroup>
                      <DescriptionListGroup>
                        <DescriptionListTerm>{t('Time left')}</DescriptionListTerm>
                        <DescriptionListDescription>
                          <EtaText
                            running={running}
                            etaSeconds={d.etaSeconds}
                            ratePerMinute={d.ratePerMinute}
                          />
                        </DescriptionListDescription>
                      </DescriptionListGroup>
                      <DescriptionListGroup>
                        <DescriptionListTerm>{t('Started')}</DescriptionListTerm>
                        <DescriptionListDescription>
                          {d.startedAt
                            ? formatDateTime(d.startedAt, i18n.language)
                            : t('Not started')}
                          {elapsed !== undefined && ` (${formatDuration(t, elapsed)})`}
                        </DescriptionListDescription>
                      </DescriptionListGroup>
                      <DescriptionListGroup>
                        <DescriptionListTerm>{t('Stage timeout')}</DescriptionListTerm>
                        <DescriptionListDescription>{d.stageTimeout}</DescriptionListDescription>
                      </DescriptionListGroup>
                    </DescriptionList>
                  </CardBody>
                </Card>
              </GridItem>
              {(d.phase === 'Cleaning' || d.phase === 'Completed') && (
                <GridItem span={12}>
                  <HealthCard namespace={namespace} name={name} />
                </GridItem>
              )}
              <GridItem span={12}>
                <Card>
                  <CardTitle>{t('Clusters')}</CardTitle>
                  <CardBody>
                    {clustersError && !store.loaded ? (
                      <ApiErrorAlert
                        error={clustersError}
                        action={t('load the clusters')}
                        onRetry={() => setClustersGeneration((g) => g + 1)}
                      />
                    ) : (
                      <ClusterTable
                        store={store}
                        namespace={namespace}
                        name={name}
                        hubs={[d.from, d.to]}
                        onRowRender={onRowRender}
                      />
                    )}
                  </CardBody>
                </Card>
              </GridItem>
            </Grid>
          </Tab>
          <Tab eventKey="events" title={<TabTitleText>{t('Events')}</TabTitleText>}>
            <EventsTimeline namespace={namespace} name={name} />
          </Tab>
          <Tab eventKey="yaml" title={<TabTitleText>{t('YAML')}</TabTitleText>}>
            <YamlView migration={d} />
          </Tab>
        </Tabs>
      </PageSection>
      {rollbackOpen && (
        <RollbackModal
          migration={d}
          stageTimeout={d.stageTimeout}
          onClose={() => setRollbackOpen(false)}
          onDone={(updated) => {
            setRollbackOpen(false);
            mergeSummary(updated);
            reloadDetail();
          }}
        />
      )}
      <Announcer message={announcement?.failed ? undefined : announcement?.text} />
      <Announcer
        message={announcement?.failed ? announcement.text : undefined}
        assertive
        minIntervalMs={0}
      />
    </>
  );
};

export default MigrationDetailsPage;
