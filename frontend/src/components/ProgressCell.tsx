import {
  Button,
  Flex,
  FlexItem,
  List,
  ListItem,
  Popover,
  Progress,
  ProgressMeasureLocation,
  ProgressSize,
} from '@patternfly/react-core';
import { ExclamationCircleIcon } from '@patternfly/react-icons';
import { Link } from 'react-router';
import type { ClusterState, MigrationSummary } from '../api/types';
import { ROUTES } from '../const';
import { useHubTranslation } from '../i18n';
import { progressOf } from '../utils/progress';

type Props = {
  counts: Partial<Record<ClusterState, number>>;
  total: number;
  /** When given, the failed count opens a popover with the first failures. */
  migration?: MigrationSummary;
  label: string;
};

export const ProgressCell = ({ counts, total, migration, label }: Props) => {
  const { t } = useHubTranslation();
  const p = progressOf(counts, total);
  return (
    <Flex direction={{ default: 'column' }} spaceItems={{ default: 'spaceItemsXs' }}>
      <FlexItem>
        <Progress
          value={p.percent}
          size={ProgressSize.sm}
          measureLocation={ProgressMeasureLocation.outside}
          label={t('{{done}} / {{total}}', { done: p.done, total: p.total })}
          valueText={t('{{done}} of {{total}} clusters migrated', { done: p.done, total: p.total })}
          aria-label={label}
          variant={
            p.failed > 0 ? 'danger' : p.total > 0 && p.done === p.total ? 'success' : undefined
          }
        />
      </FlexItem>
      {p.failed > 0 && (
        <FlexItem>
          {migration ? (
            <Popover
              headerContent={t('{{count}} clusters failed', { count: p.failed })}
              bodyContent={
                <List isPlain>
                  {migration.firstFailures.slice(0, 5).map((f) => (
                    <ListItem key={f.cluster}>
                      <strong>{f.cluster}</strong>: {f.error}
                    </ListItem>
                  ))}
                </List>
              }
              footerContent={
                <Link to={`${ROUTES.details(migration.namespace, migration.name)}?state=Failed`}>
                  {t('View {{count}} failed clusters', { count: p.failed })}
                </Link>
              }
            >
              <Button
                variant="link"
                isInline
                icon={
                  <ExclamationCircleIcon color="var(--pf-t--global--icon--color--status--danger--default)" />
                }
                aria-label={t('{{count}} clusters failed in {{name}}: show the first failures', {
                  count: p.failed,
                  name: migration.name,
                })}
              >
                {t('{{count}} failed', { count: p.failed })}
              </Button>
            </Popover>
          ) : (
            <span>
              <ExclamationCircleIcon color="var(--pf-t--global--icon--color--status--danger--default)" />{' '}
              {t('{{count}} failed', { count: p.failed })}
            </span>
          )}
        </FlexItem>
      )}
    </Flex>
  );
};
