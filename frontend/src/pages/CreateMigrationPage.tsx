import { DocumentTitle } from '@openshift-console/dynamic-plugin-sdk';
import {
  Alert,
  Breadcrumb,
  BreadcrumbItem,
  Button,
  EmptyState,
  EmptyStateActions,
  EmptyStateBody,
  EmptyStateFooter,
  Modal,
  ModalBody,
  ModalFooter,
  ModalHeader,
  PageSection,
  Spinner,
  Tab,
  Tabs,
  TabTitleText,
  Title,
  Wizard,
  WizardStep,
} from '@patternfly/react-core';
import { ExclamationCircleIcon } from '@patternfly/react-icons';
import { useCallback, useEffect, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import type { ApiFailure } from '../api/client';
import { api, fetchAll, toApiFailure } from '../api/client';
import type { ClusterState } from '../api/types';
import { ApiErrorAlert, failureTitle } from '../components/ApiErrorAlert';
import { ROUTES } from '../const';
import { useApi } from '../hooks/useApi';
import { useHubTranslation } from '../i18n';
import { BatchesStep } from '../wizard/BatchesStep';
import { BrowseTab } from '../wizard/BrowseTab';
import type { Draft } from '../wizard/draft';
import {
  batchesValid,
  clearDraft,
  clustersValid,
  emptyDraft,
  hubsValid,
  loadDraft,
  saveDraft,
  submissionOf,
  validationPassed,
} from '../wizard/draft';
import { HubsStep } from '../wizard/HubsStep';
import { PasteTab } from '../wizard/PasteTab';
import { PlacementTab } from '../wizard/PlacementTab';
import { ReviewStep } from '../wizard/ReviewStep';
import { ValidateStep } from '../wizard/ValidateStep';

const defaultName = (from?: string, to?: string) => {
  const stamp = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '');
  return from && to ? `${from}-to-${to}-${stamp}`.toLowerCase().slice(0, 53) : '';
};

type Prefill = { note: string } | undefined;

export const CreateMigrationPage = () => {
  const { t } = useHubTranslation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const retry = params.get('retry');
  const back = params.get('back');
  const [draft, setDraft] = useState<Draft>(() =>
    retry || back ? emptyDraft() : (loadDraft() ?? emptyDraft()),
  );
  const [dirty, setDirty] = useState(false);
  const [prefill, setPrefill] = useState<Prefill>();
  const [prefillError, setPrefillError] = useState<ApiFailure>();
  const [clusterTab, setClusterTab] = useState<'browse' | 'paste' | 'placement'>(
    draft.mode === 'placement' ? 'placement' : 'browse',
  );
  const [confirmLeave, setConfirmLeave] = useState(false);
  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<ApiFailure>();
  // Back from a failed submit: reopen the wizard on its Review step.
  const [startAt, setStartAt] = useState(1);
  const me = useApi('me', (signal) => api.me({ signal }));
  const hubs = useApi('hubs', (signal) => api.hubs({ signal }).then((r) => r.items));

  const update = useCallback((change: Partial<Draft>) => {
    setDraft((d) => ({ ...d, ...change }));
    setDirty(true);
  }, []);

  useEffect(() => {
    if (dirty) saveDraft(draft);
  }, [draft, dirty]);

  // Warn before the tab or window closes with input.
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  // Pre-fill: retry only the failed clusters, or migrate the moved clusters back.
  useEffect(() => {
    const source = retry ?? back;
    if (!source) return;
    const [namespace, name] = source.split('/');
    // The clusters that did not move: failed, or rolled back to the source (the BFF's retry-failed
    // takes the same ones).
    const states: ClusterState[] = retry ? ['Failed', 'RolledBack'] : ['Cleaned', 'Registered'];
    const controller = new AbortController();
    Promise.all([
      api.migration(namespace, name, { signal: controller.signal }),
      fetchAll((offset, limit) =>
        api.clusters(
          namespace,
          name,
          { state: states, offset, limit },
          { signal: controller.signal },
        ),
      ),
    ]).then(
      ([m, rows]) => {
        const from = retry ? m.from : m.to;
        const to = retry ? m.to : m.from;
        setDraft({
          ...emptyDraft(),
          from,
          to,
          clusters: rows.map((r) => r.name),
          name: `${name}-${retry ? 'retry' : 'back'}`.slice(0, 53),
        });
        setDirty(true);
        setPrefill({
          note: retry
            ? t(
                'Pre-filled with the {{count}} failed clusters of {{name}}. Review and edit before you start.',
                { count: rows.length, name },
              )
            : t('Pre-filled to move the {{count}} migrated clusters of {{name}} back to {{to}}.', {
                count: rows.length,
                name,
                to,
              }),
        });
      },
      async (err: unknown) => {
        if (!controller.signal.aborted) setPrefillError(await toApiFailure(err));
      },
    );
    return () => controller.abort();
  }, [retry, back, t]);

  const leave = () => {
    clearDraft();
    void navigate(ROUTES.list);
  };

  const submit = async () => {
    const sub = submissionOf(draft);
    if (!sub) return;
    setSubmitting(true);
    setSubmitError(undefined);
    try {
      if (sub.kind === 'plan') {
        const result = await api.createPlan(sub.request);
        const first = result.migrations[0];
        clearDraft();
        void navigate(
          first
            ? ROUTES.details(first.namespace, first.name)
            : `${ROUTES.list}?q=${encodeURIComponent(result.plan)}`,
        );
      } else {
        const m = await api.createMigration(sub.request);
        clearDraft();
        void navigate(ROUTES.details(m.namespace, m.name));
      }
    } catch (err) {
      setSubmitError(await toApiFailure(err));
      setSubmitting(false);
    }
  };

  const steps = {
    hubs: hubsValid(draft),
    clusters: clustersValid(draft),
    batches: batchesValid(draft),
    validate: validationPassed(draft),
  };
  const footer = (ok: boolean) => ({ isNextDisabled: !ok });
  const namespace = me.data?.migrationNamespace ?? 'multicluster-global-hub';

  let body;
  if (submitting) {
    body = (
      <EmptyState
        titleText={t('Creating the migration…')}
        headingLevel="h2"
        icon={() => <Spinner size="xl" aria-hidden />}
      >
        <EmptyStateBody>{t('The first batch starts as soon as it is created.')}</EmptyStateBody>
      </EmptyState>
    );
  } else if (submitError) {
    body = (
      <EmptyState
        titleText={failureTitle(t, submitError, t('create the migration'))}
        headingLevel="h2"
        icon={ExclamationCircleIcon}
        status="danger"
      >
        <EmptyStateBody>
          {submitError.message}
          {submitError.fields && (
            <ul>
              {Object.entries(submitError.fields).map(([k, v]) => (
                <li key={k}>{`${k}: ${v}`}</li>
              ))}
            </ul>
          )}
        </EmptyStateBody>
        <EmptyStateFooter>
          <EmptyStateActions>
            <Button
              variant="primary"
              onClick={() => {
                setStartAt(5);
                setSubmitError(undefined);
              }}
            >
              {t('Back to review')}
            </Button>
          </EmptyStateActions>
        </EmptyStateFooter>
      </EmptyState>
    );
  } else {
    body = (
      <Wizard
        onClose={() => (dirty ? setConfirmLeave(true) : leave())}
        onSave={() => void submit()}
        isVisitRequired
        startIndex={startAt}
        navAriaLabel={t('Steps to create a migration')}
        height="100%"
      >
        <WizardStep id="hubs" name={t('Hubs')} footer={footer(steps.hubs)}>
          <HubsStep
            hubs={hubs}
            draft={draft}
            setHubs={(from, to) =>
              update({
                from,
                to,
                placement: from === draft.from ? draft.placement : undefined,
                name:
                  draft.name && draft.name !== defaultName(draft.from, draft.to)
                    ? draft.name
                    : defaultName(from, to),
              })
            }
          />
        </WizardStep>
        <WizardStep
          id="clusters"
          name={t('Clusters')}
          isDisabled={!steps.hubs}
          footer={footer(steps.clusters)}
        >
          {draft.from && draft.to && (
            <Tabs
              activeKey={clusterTab}
              onSelect={(_e, k) => setClusterTab(k as typeof clusterTab)}
              aria-label={t('How to choose clusters')}
              mountOnEnter
            >
              <Tab eventKey="browse" title={<TabTitleText>{t('Browse')}</TabTitleText>}>
                <BrowseTab
                  from={draft.from}
                  selected={draft.clusters}
                  onChange={(clusters) => update({ mode: 'list', clusters })}
                />
              </Tab>
              <Tab eventKey="paste" title={<TabTitleText>{t('Paste')}</TabTitleText>}>
                <PasteTab
                  from={draft.from}
                  to={draft.to}
                  onUse={(clusters) => {
                    update({ mode: 'list', clusters });
                    setClusterTab('browse');
                  }}
                />
              </Tab>
              <Tab eventKey="placement" title={<TabTitleText>{t('Placement')}</TabTitleText>}>
                <PlacementTab
                  from={draft.from}
                  placement={draft.mode === 'placement' ? draft.placement : undefined}
                  onUsePlacement={(placement) => update({ mode: 'placement', placement })}
                  onUseList={(clusters) => {
                    update({ mode: 'list', clusters, placement: undefined });
                    setClusterTab('browse');
                  }}
                />
              </Tab>
            </Tabs>
          )}
          <Alert
            isInline
            isPlain
            variant="info"
            title={
              draft.mode === 'placement' && draft.placement
                ? t('Migrating the clusters of Placement {{name}}', { name: draft.placement })
                : t('{{count}} clusters selected', { count: draft.clusters.length })
            }
            data-test="selection-summary"
          />
        </WizardStep>
        <WizardStep
          id="batches"
          name={t('Batches and timeouts')}
          isDisabled={!steps.hubs || !steps.clusters}
          footer={footer(steps.batches)}
        >
          <BatchesStep draft={draft} update={update} />
        </WizardStep>
        <WizardStep
          id="validate"
          name={t('Validate')}
          isDisabled={!steps.hubs || !steps.clusters || !steps.batches}
          status={draft.validation && !steps.validate && draft.validatedFor ? 'error' : 'default'}
          footer={footer(steps.validate)}
        >
          <ValidateStep draft={draft} update={update} />
        </WizardStep>
        <WizardStep
          id="review"
          name={t('Review')}
          isDisabled={!steps.hubs || !steps.clusters || !steps.batches || !steps.validate}
          footer={{ nextButtonText: t('Start migration'), isNextDisabled: !steps.validate }}
        >
          <ReviewStep draft={draft} namespace={namespace} />
        </WizardStep>
      </Wizard>
    );
  }

  return (
    <>
      <DocumentTitle>{t('Create migration')}</DocumentTitle>
      <PageSection>
        <Breadcrumb>
          <BreadcrumbItem>
            <Link to={ROUTES.list}>{t('Hub migrations')}</Link>
          </BreadcrumbItem>
          <BreadcrumbItem isActive>{t('Create migration')}</BreadcrumbItem>
        </Breadcrumb>
        <Title headingLevel="h1">{t('Create migration')}</Title>
        {prefill && <Alert isInline variant="info" title={prefill.note} />}
        {prefillError && (
          <ApiErrorAlert error={prefillError} action={t('load the clusters to pre-fill')} />
        )}
        {me.data && !me.data.can.createMigrations && (
          <Alert
            isInline
            variant="warning"
            title={t(
              'You are not allowed to create migrations: the service will refuse to start this one.',
            )}
          />
        )}
      </PageSection>
      <PageSection isFilled type="wizard" aria-label={t('Create migration')}>
        {body}
      </PageSection>
      {confirmLeave && (
        <Modal
          isOpen
          variant="small"
          onClose={() => setConfirmLeave(false)}
          aria-labelledby="leave-title"
        >
          <ModalHeader
            labelId="leave-title"
            titleIconVariant="warning"
            title={t('Discard this migration?')}
          />
          <ModalBody>{t('What you entered will be lost.')}</ModalBody>
          <ModalFooter>
            <Button variant="danger" onClick={leave}>
              {t('Discard')}
            </Button>
            <Button variant="link" onClick={() => setConfirmLeave(false)}>
              {t('Keep editing')}
            </Button>
          </ModalFooter>
        </Modal>
      )}
    </>
  );
};

export default CreateMigrationPage;
