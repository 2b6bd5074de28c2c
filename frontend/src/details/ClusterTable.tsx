import {
  Alert,
  Bullseye,
  Button,
  ClipboardCopy,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  EmptyState,
  EmptyStateBody,
  EmptyStateFooter,
  Pagination,
  SearchInput,
  Spinner,
  Switch,
  ToggleGroup,
  ToggleGroupItem,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
} from '@patternfly/react-core';
import { AngleDownIcon, AngleRightIcon, DownloadIcon, SearchIcon } from '@patternfly/react-icons';
import {
  ExpandableRowContent,
  SortByDirection,
  Table,
  Tbody,
  Td,
  Th,
  Thead,
  Tr,
} from '@patternfly/react-table';
import type { ThProps } from '@patternfly/react-table';
import { memo, useCallback, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { api, clustersCsvUrl } from '../api/client';
import type { ClusterRow, ClusterState } from '../api/types';
import { ApiErrorAlert } from '../components/ApiErrorAlert';
import { CLUSTER_STATES, ClusterStateLabel, clusterStateLabel } from '../components/labels';
import { useApi } from '../hooks/useApi';
import { useHubTranslation } from '../i18n';
import { formatDateTime, formatDuration, secondsBetween } from '../utils/format';
import type { ClusterStore, SortKey } from './clusterStore';
import { useClusterView } from './clusterStore';

const PER_PAGE = [20, 50, 100, 500];
const SORT_KEYS: SortKey[] = ['name', 'state', 'hub', 'updated'];
const SORT_COLUMN: Record<SortKey, number> = { name: 1, state: 2, hub: 3, updated: 5 };

type Props = {
  store: ClusterStore;
  namespace: string;
  name: string;
  hubs: string[];
  /** Called on each render of a row (for performance measurements). */
  onRowRender?: (cluster: string) => void;
};

/** The cluster's objects on each hub, loaded when its row opens. */
const ClusterObjects = ({
  namespace,
  name,
  cluster,
}: {
  namespace: string;
  name: string;
  cluster: string;
}) => {
  const { t } = useHubTranslation();
  const detail = useApi(`${namespace}/${name}/${cluster}`, (signal) =>
    api.cluster(namespace, name, cluster, { signal }),
  );
  if (detail.loading)
    return <Spinner size="md" aria-label={t('Loading the objects of {{cluster}}', { cluster })} />;
  if (detail.error)
    return (
      <ApiErrorAlert
        error={detail.error}
        action={t('load the objects of {{cluster}}', { cluster })}
        onRetry={detail.reload}
      />
    );
  const objects = detail.data?.objects ?? [];
  if (!objects.length) return <p>{t('No objects of this cluster were found on the hubs.')}</p>;
  return (
    <Table
      variant="compact"
      aria-label={t('Objects of {{cluster}} on each hub', { cluster })}
      borders={false}
    >
      <Thead>
        <Tr>
          <Th>{t('Hub')}</Th>
          <Th>{t('Kind')}</Th>
          <Th>{t('Namespace')}</Th>
          <Th>{t('Name')}</Th>
        </Tr>
      </Thead>
      <Tbody>
        {objects.map((o) => (
          <Tr key={`${o.hub}/${o.kind}/${o.namespace ?? ''}/${o.name}`}>
            <Td dataLabel={t('Hub')}>{o.hub}</Td>
            <Td dataLabel={t('Kind')}>{o.kind}</Td>
            <Td dataLabel={t('Namespace')}>{o.namespace ?? '—'}</Td>
            <Td dataLabel={t('Name')}>{o.name}</Td>
          </Tr>
        ))}
      </Tbody>
    </Table>
  );
};

type RowProps = {
  row: ClusterRow;
  expanded: boolean;
  onToggle: (cluster: string) => void;
  namespace: string;
  name: string;
  onRowRender?: (cluster: string) => void;
};

/** One cluster: memoised, so a change to another cluster does not render this one. */
const ClusterRowView = memo(function ClusterRowView({
  row,
  expanded,
  onToggle,
  namespace,
  name,
  onRowRender,
}: RowProps) {
  const { t, i18n } = useHubTranslation();
  onRowRender?.(row.name);
  const duration = secondsBetween(row.started, row.updated);
  return (
    <Tbody isExpanded={expanded}>
      <Tr data-test={`cluster-row-${row.name}`}>
        <Td className="pf-v6-c-table__toggle">
          <Button
            variant="plain"
            aria-expanded={expanded}
            aria-label={t('Details of {{cluster}}', { cluster: row.name })}
            onClick={() => onToggle(row.name)}
            icon={expanded ? <AngleDownIcon /> : <AngleRightIcon />}
          />
        </Td>
        <Td dataLabel={t('Cluster')} id={`cluster-name-${row.name}`}>
          {row.name}
        </Td>
        <Td dataLabel={t('State')}>
          <ClusterStateLabel state={row.state} />
        </Td>
        <Td dataLabel={t('Hub')}>{row.hub}</Td>
        <Td dataLabel={t('Started')}>
          {row.started ? formatDateTime(row.started, i18n.language) : '—'}
        </Td>
        <Td dataLabel={t('Duration')}>
          {duration !== undefined ? formatDuration(t, duration) : '—'}
        </Td>
        <Td dataLabel={t('Message')} modifier="truncate">
          {row.error ?? ''}
        </Td>
      </Tr>
      {expanded && (
        <Tr isExpanded>
          <Td />
          <Td colSpan={6}>
            <ExpandableRowContent>
              <DescriptionList isCompact isHorizontal>
                <DescriptionListGroup>
                  <DescriptionListTerm>{t('State')}</DescriptionListTerm>
                  <DescriptionListDescription>
                    {clusterStateLabel(t, row.state)}
                  </DescriptionListDescription>
                </DescriptionListGroup>
                <DescriptionListGroup>
                  <DescriptionListTerm>{t('Last change')}</DescriptionListTerm>
                  <DescriptionListDescription>
                    {formatDateTime(row.updated, i18n.language)}
                  </DescriptionListDescription>
                </DescriptionListGroup>
              </DescriptionList>
              {row.error && (
                <Alert
                  isInline
                  variant="danger"
                  title={t('Why {{cluster}} failed', { cluster: row.name })}
                >
                  <ClipboardCopy
                    isReadOnly
                    isExpanded
                    variant="expansion"
                    hoverTip={t('Copy')}
                    clickTip={t('Copied')}
                  >
                    {row.error}
                  </ClipboardCopy>
                </Alert>
              )}
              <ClusterObjects namespace={namespace} name={name} cluster={row.name} />
            </ExpandableRowContent>
          </Td>
        </Tr>
      )}
    </Tbody>
  );
});

export const ClusterTable = ({ store, namespace, name, hubs, onRowRender }: Props) => {
  const { t } = useHubTranslation();
  const [params, setParams] = useSearchParams();
  const update = useCallback(
    (changes: Record<string, string | undefined>, resetPage = true) =>
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          for (const [k, v] of Object.entries(changes)) {
            if (v) next.set(k, v);
            else next.delete(k);
          }
          if (resetPage) next.delete('page');
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );

  const states = (params.get('state') ?? '')
    .split(',')
    .filter((s): s is ClusterState => CLUSTER_STATES.includes(s as ClusterState));
  const hub = params.get('hub') ?? undefined;
  const search = params.get('q') ?? '';
  const errorsOnly = params.get('errors') === '1';
  const sortParam = params.get('sort') as SortKey | null;
  const sortKey: SortKey = sortParam && SORT_KEYS.includes(sortParam) ? sortParam : 'name';
  const desc = params.get('desc') === '1';
  const perPage = Number(params.get('perPage')) || 50;
  const pageNumber = Math.max(1, Number(params.get('page')) || 1);
  const expanded = params.get('cluster') ?? undefined;
  const [searchText, setSearchText] = useState(search);
  useEffect(() => setSearchText(search), [search]);
  // Typing filters after a short pause, not on every key.
  useEffect(() => {
    if (searchText === search) return;
    const timer = setTimeout(() => update({ q: searchText }), 250);
    return () => clearTimeout(timer);
  }, [searchText, search, update]);

  const view = useClusterView(
    store,
    { states, hub, search, errorsOnly },
    { key: sortKey, desc },
    { offset: (pageNumber - 1) * perPage, limit: perPage },
  );
  const onToggle = useCallback(
    (cluster: string) =>
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          if (next.get('cluster') === cluster) next.delete('cluster');
          else next.set('cluster', cluster);
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );

  const sortBy = (key: SortKey): ThProps['sort'] => ({
    columnIndex: SORT_COLUMN[key],
    sortBy: { index: SORT_COLUMN[sortKey], direction: desc ? 'desc' : 'asc' },
    onSort: (_e, _i, direction) =>
      update(
        {
          sort: key === 'name' ? undefined : key,
          desc: direction === SortByDirection.desc ? '1' : undefined,
        },
        false,
      ),
  });

  const toggleState = (state: ClusterState) => {
    const set = new Set(states);
    if (set.has(state)) set.delete(state);
    else set.add(state);
    update({ state: [...set].join(',') });
  };
  const clear = () =>
    update({
      state: undefined,
      hub: undefined,
      q: undefined,
      errors: undefined,
      cluster: undefined,
    });
  const filtered = states.length > 0 || !!hub || !!search || errorsOnly;

  if (!store.loaded) {
    return (
      <Bullseye>
        <Spinner aria-label={t('Loading clusters')} />
      </Bullseye>
    );
  }

  const pagination = (variant: 'top' | 'bottom') => (
    <Pagination
      itemCount={view.matching}
      perPage={perPage}
      page={pageNumber}
      perPageOptions={PER_PAGE.map((n) => ({ title: String(n), value: n }))}
      onSetPage={(_e, p) => update({ page: p > 1 ? String(p) : undefined }, false)}
      onPerPageSelect={(_e, n) => update({ perPage: n === 50 ? undefined : String(n) })}
      variant={variant}
      isCompact={variant === 'top'}
      titles={{ paginationAriaLabel: t('Cluster pages ({{variant}})', { variant }) }}
    />
  );

  return (
    <>
      <Toolbar clearAllFilters={clear}>
        <ToolbarContent>
          <ToolbarItem>
            <SearchInput
              aria-label={t('Search clusters by name')}
              placeholder={t('Search by cluster name')}
              value={searchText}
              onChange={(_e, v) => setSearchText(v)}
              onClear={() => {
                setSearchText('');
                update({ q: undefined });
              }}
            />
          </ToolbarItem>
          <ToolbarItem>
            <ToggleGroup aria-label={t('Filter by hub')}>
              {hubs.map((h) => (
                <ToggleGroupItem
                  key={h}
                  text={t('On {{hub}}', { hub: h })}
                  buttonId={`hub-${h}`}
                  isSelected={hub === h}
                  onChange={() => update({ hub: hub === h ? undefined : h })}
                />
              ))}
            </ToggleGroup>
          </ToolbarItem>
          <ToolbarItem alignSelf="center">
            <Switch
              id="errors-only"
              label={t('Only clusters with an error')}
              isChecked={errorsOnly}
              onChange={(_e, checked) => update({ errors: checked ? '1' : undefined })}
            />
          </ToolbarItem>
          <ToolbarItem>
            <Button
              variant="secondary"
              component="a"
              href={clustersCsvUrl(namespace, name, {
                state: states,
                hub,
                search,
                error: errorsOnly || undefined,
              })}
              download={`${name}-clusters.csv`}
              icon={<DownloadIcon />}
            >
              {filtered ? t('Export filtered clusters (CSV)') : t('Export all clusters (CSV)')}
            </Button>
          </ToolbarItem>
          <ToolbarItem variant="pagination" align={{ default: 'alignEnd' }}>
            {pagination('top')}
          </ToolbarItem>
        </ToolbarContent>
      </Toolbar>
      {states.length > 0 && (
        <Toolbar>
          <ToolbarContent>
            <ToolbarItem>
              <ToggleGroup aria-label={t('Shown cluster states')}>
                {states.map((s) => (
                  <ToggleGroupItem
                    key={s}
                    text={t('{{state}} ×', { state: clusterStateLabel(t, s) })}
                    buttonId={`shown-${s}`}
                    isSelected
                    onChange={() => toggleState(s)}
                  />
                ))}
              </ToggleGroup>
            </ToolbarItem>
          </ToolbarContent>
        </Toolbar>
      )}
      {view.matching === 0 ? (
        <EmptyState
          headingLevel="h3"
          icon={SearchIcon}
          titleText={
            view.total === 0
              ? t('No clusters in this migration yet')
              : t('No clusters match the filters')
          }
        >
          {view.total === 0 && (
            <EmptyStateBody>
              {t('Clusters appear here once the migration has validated its list.')}
            </EmptyStateBody>
          )}
          {filtered && (
            <EmptyStateFooter>
              <Button variant="link" onClick={clear}>
                {t('Clear all filters')}
              </Button>
            </EmptyStateFooter>
          )}
        </EmptyState>
      ) : (
        <Table
          aria-label={t('Clusters of {{name}}', { name })}
          variant="compact"
          isStickyHeader
          data-test="cluster-table"
        >
          <Thead>
            <Tr>
              <Th screenReaderText={t('Expand')} />
              <Th sort={sortBy('name')}>{t('Cluster')}</Th>
              <Th sort={sortBy('state')}>{t('State')}</Th>
              <Th sort={sortBy('hub')}>{t('Hub')}</Th>
              <Th>{t('Started')}</Th>
              <Th sort={sortBy('updated')}>{t('Duration')}</Th>
              <Th>{t('Message')}</Th>
            </Tr>
          </Thead>
          {view.rows.map((row) => (
            <ClusterRowView
              key={row.name}
              row={row}
              expanded={expanded === row.name}
              onToggle={onToggle}
              namespace={namespace}
              name={name}
              onRowRender={onRowRender}
            />
          ))}
        </Table>
      )}
      {view.matching > 0 && pagination('bottom')}
    </>
  );
};
