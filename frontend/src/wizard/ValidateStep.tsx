import {
  Alert,
  Bullseye,
  Button,
  EmptyState,
  EmptyStateBody,
  ExpandableSection,
  Spinner,
  Title,
} from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useEffect, useState } from 'react';
import type { ApiFailure } from '../api/client';
import { api, toApiFailure } from '../api/client';
import type { ValidationResult } from '../api/types';
import { ApiErrorAlert } from '../components/ApiErrorAlert';
import { useHubTranslation } from '../i18n';
import type { Draft } from './draft';
import { validateRequest, validationCurrent, validationKey } from './draft';

type Props = { draft: Draft; update: (change: Partial<Draft>) => void };

const SHOWN = 200;

/**
 * The errors that belong to no hub and no cluster. The engine's `errors` also repeats, one line
 * each, every failing hub's and cluster's own errors (joined with "; ", for the migration's
 * condition); those are shown with their hub or in the blocked clusters' table, so they are not
 * shown or counted a second time.
 */
export const generalErrors = (v: ValidationResult): string[] => {
  const hubLines = new Set(v.hubs.filter((h) => h.errors.length).map((h) => h.errors.join('; ')));
  const blocked = v.clusters.filter((c) => !c.ok).map((c) => new Set(c.errors));
  return v.errors.filter(
    (line) =>
      !hubLines.has(line) &&
      !blocked.some((errors) => line.split('; ').every((part) => errors.has(part))),
  );
};

/** A dry run of every check, grouped by severity, with blocked clusters dropped in one click. */
export const ValidateStep = ({ draft, update }: Props) => {
  const { t } = useHubTranslation();
  const [error, setError] = useState<ApiFailure>();
  const [busy, setBusy] = useState(false);
  const [generation, setGeneration] = useState(0);
  const current = validationCurrent(draft);
  const key = validationKey(draft);

  useEffect(() => {
    if (current) return;
    const request = validateRequest(draft);
    if (!request) return;
    const controller = new AbortController();
    setBusy(true);
    setError(undefined);
    api.validate(request, { signal: controller.signal }).then(
      (validation) => {
        if (controller.signal.aborted) return;
        update({ validation, validatedFor: key });
        setBusy(false);
      },
      async (err: unknown) => {
        if (controller.signal.aborted) return;
        setError(await toApiFailure(err));
        setBusy(false);
      },
    );
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- runs again when the inputs (key) change
  }, [key, current, generation]);

  if (busy || (!current && !error)) {
    return (
      <EmptyState
        titleText={t('Checking every cluster…')}
        headingLevel="h2"
        icon={() => <Spinner size="xl" aria-hidden />}
      >
        <EmptyStateBody>
          {t('A dry run of the checks the migration makes. Nothing is changed.')}
        </EmptyStateBody>
      </EmptyState>
    );
  }
  if (error)
    return (
      <ApiErrorAlert
        error={error}
        action={t('validate')}
        onRetry={() => setGeneration((g) => g + 1)}
      />
    );
  const v = draft.validation;
  if (!v) return null;
  const blockedClusters = v.clusters.filter((c) => !c.ok);
  const warnedClusters = v.clusters.filter((c) => c.ok && c.warnings.length > 0);
  const hubErrors = v.hubs.flatMap((h) =>
    h.errors.map((e) => `${h.hub} (${h.role === 'source' ? t('source') : t('target')}): ${e}`),
  );
  const hubWarnings = v.hubs.flatMap((h) => h.warnings.map((w) => `${h.hub}: ${w}`));
  const general = generalErrors(v);
  const blocking = general.length + hubErrors.length + blockedClusters.length;
  const warnings = v.warnings.length + hubWarnings.length + warnedClusters.length;

  const clusterTable = (rows: typeof v.clusters, kind: 'errors' | 'warnings', label: string) => (
    <>
      <Table variant="compact" aria-label={label}>
        <Thead>
          <Tr>
            <Th>{t('Cluster')}</Th>
            <Th>{t('Kind')}</Th>
            <Th>{kind === 'errors' ? t('Why it is blocked') : t('What to check')}</Th>
          </Tr>
        </Thead>
        <Tbody>
          {rows.slice(0, SHOWN).map((c) => (
            <Tr key={c.name}>
              <Td dataLabel={t('Cluster')}>{c.name}</Td>
              <Td dataLabel={t('Kind')}>{c.kind === 'ztp' ? t('ZTP') : t('Plain')}</Td>
              <Td dataLabel={kind === 'errors' ? t('Why it is blocked') : t('What to check')}>
                {c[kind].join('; ')}
              </Td>
            </Tr>
          ))}
        </Tbody>
      </Table>
      {rows.length > SHOWN && <p>{t('…and {{count}} more', { count: rows.length - SHOWN })}</p>}
    </>
  );

  return (
    <>
      <Alert
        isInline
        variant={blocking ? 'danger' : warnings ? 'warning' : 'success'}
        title={
          blocking
            ? t('{{count}} problems block this migration', { count: blocking })
            : warnings
              ? t('Ready, with {{count}} warnings', { count: warnings })
              : t('Every check passed for {{count}} clusters', { count: v.resolvedClusters.length })
        }
        data-test="validation-summary"
      />
      {blocking > 0 && (
        <>
          <Title headingLevel="h3">{t('Blocking')}</Title>
          {[...general, ...hubErrors].map((e) => (
            <Alert key={e} isInline isPlain variant="danger" title={e} />
          ))}
          {blockedClusters.length > 0 && (
            <>
              {draft.mode === 'list' && (
                <Button
                  variant="primary"
                  onClick={() => {
                    const drop = new Set(blockedClusters.map((c) => c.name));
                    update({ clusters: draft.clusters.filter((n) => !drop.has(n)) });
                  }}
                  isDisabled={blockedClusters.length === draft.clusters.length}
                >
                  {t('Remove {{count}} blocked clusters and check again', {
                    count: blockedClusters.length,
                  })}
                </Button>
              )}
              {clusterTable(blockedClusters, 'errors', t('Blocked clusters'))}
            </>
          )}
        </>
      )}
      {warnings > 0 && (
        <ExpandableSection
          toggleText={t('Warnings ({{count}})', { count: warnings })}
          isExpanded={blocking === 0}
          isIndented
        >
          {[...v.warnings, ...hubWarnings].map((w) => (
            <Alert key={w} isInline isPlain variant="warning" title={w} />
          ))}
          {warnedClusters.length > 0 &&
            clusterTable(warnedClusters, 'warnings', t('Clusters with warnings'))}
        </ExpandableSection>
      )}
      <Bullseye>
        <Button variant="link" onClick={() => update({ validatedFor: undefined })}>
          {t('Check again')}
        </Button>
      </Bullseye>
    </>
  );
};
