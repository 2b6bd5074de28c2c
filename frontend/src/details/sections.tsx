import {
  Bullseye,
  Card,
  CardBody,
  CardTitle,
  CodeBlock,
  CodeBlockCode,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  Icon,
  Label,
  List,
  ListItem,
  Spinner,
  ToggleGroup,
  ToggleGroupItem,
} from '@patternfly/react-core';
import {
  CheckCircleIcon,
  ExclamationCircleIcon,
  ExclamationTriangleIcon,
} from '@patternfly/react-icons';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { api } from '../api/client';
import type { ClusterState, MigrationDetail } from '../api/types';
import { ApiErrorAlert } from '../components/ApiErrorAlert';
import { CLUSTER_STATES, clusterStateLabel, clusterStateStatus } from '../components/labels';
import { useApi } from '../hooks/useApi';
import { useHubTranslation } from '../i18n';
import { formatDateTime, formatDuration } from '../utils/format';

/** The status colour of a state as an icon (the toggle buttons have no colour of their own). */
const StateIcon = ({ state }: { state: ClusterState }) => {
  const { status } = clusterStateStatus(state);
  if (!status) return null;
  const Glyph =
    status === 'success'
      ? CheckCircleIcon
      : status === 'danger'
        ? ExclamationCircleIcon
        : ExclamationTriangleIcon;
  return (
    <Icon status={status} isInline>
      <Glyph />
    </Icon>
  );
};

/** Counts by cluster state; each one filters the cluster table. */
export const StateCounts = ({
  counts,
  selected,
  onSelect,
}: {
  counts: Record<ClusterState, number>;
  selected: ClusterState[];
  onSelect: (state: ClusterState) => void;
}) => {
  const { t } = useHubTranslation();
  // A toggle group: each count is a pressed/unpressed button (a clickable Label would put
  // aria-pressed on a span, which assistive technology does not announce).
  return (
    <ToggleGroup isCompact aria-label={t('Clusters by state')}>
      {CLUSTER_STATES.filter((s) => counts[s] > 0).map((s) => (
        <ToggleGroupItem
          key={s}
          data-test={`count-${s}`}
          isSelected={selected.includes(s)}
          onChange={() => onSelect(s)}
          icon={<StateIcon state={s} />}
          text={t('{{state}}: {{n}}', { state: clusterStateLabel(t, s), n: counts[s] })}
        />
      ))}
    </ToggleGroup>
  );
};

export const EventsTimeline = ({ namespace, name }: { namespace: string; name: string }) => {
  const { t, i18n } = useHubTranslation();
  const events = useApi(`${namespace}/${name}/events`, (signal) =>
    api.events(namespace, name, { signal }),
  );
  if (events.loading)
    return (
      <Bullseye>
        <Spinner aria-label={t('Loading events')} />
      </Bullseye>
    );
  if (events.error)
    return (
      <ApiErrorAlert error={events.error} action={t('load the events')} onRetry={events.reload} />
    );
  const items = [...(events.data?.items ?? [])].reverse();
  if (!items.length) return <p>{t('No events recorded for this migration yet.')}</p>;
  return (
    <Table aria-label={t('Events of {{name}}', { name })} variant="compact">
      <Thead>
        <Tr>
          <Th>{t('Time')}</Th>
          <Th>{t('Type')}</Th>
          <Th>{t('Reason')}</Th>
          <Th>{t('Message')}</Th>
          <Th>{t('Count')}</Th>
        </Tr>
      </Thead>
      <Tbody>
        {items.map((e, i) => (
          <Tr key={`${e.lastTimestamp}-${e.reason}-${i}`}>
            <Td dataLabel={t('Time')}>{formatDateTime(e.lastTimestamp, i18n.language)}</Td>
            <Td dataLabel={t('Type')}>
              <Label isCompact status={e.type === 'Warning' ? 'warning' : 'info'}>
                {e.type === 'Warning' ? t('Warning') : t('Normal')}
              </Label>
            </Td>
            <Td dataLabel={t('Reason')}>{e.reason}</Td>
            <Td dataLabel={t('Message')}>{e.message}</Td>
            <Td dataLabel={t('Count')}>{e.count}</Td>
          </Tr>
        ))}
      </Tbody>
    </Table>
  );
};

/** Post-migration health on the target, and the steps left to the administrator. */
export const HealthCard = ({ namespace, name }: { namespace: string; name: string }) => {
  const { t, i18n } = useHubTranslation();
  const health = useApi(`${namespace}/${name}/health`, (signal) =>
    api.health(namespace, name, { signal }),
  );
  const h = health.data;
  const times = (h?.items ?? [])
    .map((i) => i.secondsToAvailable)
    .filter((s): s is number => s !== undefined)
    .sort((a, b) => a - b);
  const median = times.length ? times[Math.floor(times.length / 2)] : undefined;
  return (
    <Card data-test="health">
      <CardTitle>{t('Health on the target hub')}</CardTitle>
      <CardBody>
        {health.loading && <Spinner size="md" aria-label={t('Loading health')} />}
        {health.error && (
          <ApiErrorAlert
            error={health.error}
            action={t('check health on the target')}
            onRetry={health.reload}
          />
        )}
        {h && (
          <>
            <DescriptionList isCompact isHorizontal>
              <DescriptionListGroup>
                <DescriptionListTerm>
                  {t('Available on {{hub}}', { hub: h.hub })}
                </DescriptionListTerm>
                <DescriptionListDescription>
                  {t('{{available}} of {{total}}', {
                    available: h.clusters.available,
                    total: h.clusters.total,
                  })}
                  {median !== undefined &&
                    ` · ${t('median {{duration}} to Available', { duration: formatDuration(t, median) })}`}
                </DescriptionListDescription>
              </DescriptionListGroup>
              <DescriptionListGroup>
                <DescriptionListTerm>{t('Policy compliance')}</DescriptionListTerm>
                <DescriptionListDescription>
                  {t(
                    '{{compliant}} compliant, {{nonCompliant}} not compliant, {{pending}} pending',
                    h.clusters.policies,
                  )}
                </DescriptionListDescription>
              </DescriptionListGroup>
              {h.clusters.clusterInstances.completed + h.clusters.clusterInstances.notCompleted >
                0 && (
                <DescriptionListGroup>
                  <DescriptionListTerm>{t('ClusterInstances (ZTP)')}</DescriptionListTerm>
                  <DescriptionListDescription>
                    {t(
                      '{{completed}} completed, {{notCompleted}} not completed, {{absent}} absent',
                      h.clusters.clusterInstances,
                    )}
                  </DescriptionListDescription>
                </DescriptionListGroup>
              )}
              <DescriptionListGroup>
                <DescriptionListTerm>{t('Checked')}</DescriptionListTerm>
                <DescriptionListDescription>
                  {formatDateTime(h.checkedAt, i18n.language)}
                </DescriptionListDescription>
              </DescriptionListGroup>
            </DescriptionList>
            {h.checklist.length > 0 && (
              <>
                <p>
                  <strong>{t('Steps left to you')}</strong>
                </p>
                <List component="ol" data-test="checklist">
                  {h.checklist.map((step) => (
                    <ListItem key={step}>{step}</ListItem>
                  ))}
                </List>
              </>
            )}
          </>
        )}
      </CardBody>
    </Card>
  );
};

export const YamlView = ({ migration }: { migration: MigrationDetail }) => {
  const { t } = useHubTranslation();
  return (
    <CodeBlock aria-label={t('YAML of {{name}}', { name: migration.name })}>
      <CodeBlockCode>{migration.yaml}</CodeBlockCode>
    </CodeBlock>
  );
};
