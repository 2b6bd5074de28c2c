import {
  Button,
  Checkbox,
  Flex,
  FlexItem,
  FormSelect,
  FormSelectOption,
  Label,
  LabelGroup,
  Pagination,
  SearchInput,
  Switch,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
} from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useEffect, useState } from 'react';
import type { ApiFailure } from '../api/client';
import { api, fetchAll, toApiFailure } from '../api/client';
import type { HubCluster } from '../api/types';
import { ApiErrorAlert } from '../components/ApiErrorAlert';
import { useApi } from '../hooks/useApi';
import { useHubTranslation } from '../i18n';
import { MAX_CLUSTERS } from './draft';

type Props = {
  from: string;
  selected: string[];
  onChange: (names: string[]) => void;
};

const PER_PAGE = 50;

/** The source hub's clusters, server-paged and filtered, with bulk selection. */
export const BrowseTab = ({ from, selected, onChange }: Props) => {
  const { t } = useHubTranslation();
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [available, setAvailable] = useState('');
  const [ztp, setZtp] = useState('');
  const [page, setPage] = useState(1);
  const [selectedOnly, setSelectedOnly] = useState(false);
  const [bulkError, setBulkError] = useState<ApiFailure>();
  const [bulkBusy, setBulkBusy] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => {
      setQuery(search);
      setPage(1);
    }, 300);
    return () => clearTimeout(timer);
  }, [search]);
  const filter = { search: query, available, ztp };
  const list = useApi(selectedOnly ? undefined : JSON.stringify([from, filter, page]), (signal) =>
    api.hubClusters(
      from,
      { ...filter, offset: (page - 1) * PER_PAGE, limit: PER_PAGE },
      { signal },
    ),
  );
  const chosen = new Set(selected);
  const blocked = (c: HubCluster) =>
    c.notMigratable ??
    (c.migration ? t('In migration {{name}}', { name: c.migration }) : undefined);

  const setMany = (names: string[], on: boolean) => {
    const next = new Set(selected);
    for (const n of names) {
      if (on) next.add(n);
      else next.delete(n);
    }
    onChange([...next]);
  };
  const selectAll = async (onlyAvailable: boolean) => {
    setBulkBusy(true);
    setBulkError(undefined);
    try {
      const all = await fetchAll((offset, limit) =>
        api.hubClusters(from, {
          ...filter,
          available: onlyAvailable ? 'True' : filter.available,
          offset,
          limit,
        }),
      );
      setMany(
        all.filter((c) => !blocked(c)).map((c) => c.name),
        true,
      );
    } catch (err) {
      setBulkError(await toApiFailure(err));
    } finally {
      setBulkBusy(false);
    }
  };
  const items = list.data?.items ?? [];
  const selectable = items.filter((c) => !blocked(c));
  const pageAllSelected = selectable.length > 0 && selectable.every((c) => chosen.has(c.name));

  return (
    <>
      <Toolbar>
        <ToolbarContent>
          <ToolbarItem>
            <SearchInput
              aria-label={t('Search clusters on {{hub}}', { hub: from })}
              placeholder={t('Search by name')}
              value={search}
              onChange={(_e, v) => setSearch(v)}
              onClear={() => setSearch('')}
            />
          </ToolbarItem>
          <ToolbarItem>
            <FormSelect
              aria-label={t('Filter by availability')}
              value={available}
              onChange={(_e, v) => {
                setAvailable(v);
                setPage(1);
              }}
            >
              <FormSelectOption value="" label={t('Any availability')} />
              <FormSelectOption value="True" label={t('Available')} />
              <FormSelectOption value="False" label={t('Not available')} />
              <FormSelectOption value="Unknown" label={t('Unknown')} />
            </FormSelect>
          </ToolbarItem>
          <ToolbarItem>
            <FormSelect
              aria-label={t('Filter by provisioning')}
              value={ztp}
              onChange={(_e, v) => {
                setZtp(v);
                setPage(1);
              }}
            >
              <FormSelectOption value="" label={t('ZTP and other clusters')} />
              <FormSelectOption value="true" label={t('ZTP clusters only')} />
              <FormSelectOption value="false" label={t('Non-ZTP clusters only')} />
            </FormSelect>
          </ToolbarItem>
          <ToolbarItem>
            <Button variant="secondary" onClick={() => void selectAll(true)} isDisabled={bulkBusy}>
              {t('Select all available')}
            </Button>
          </ToolbarItem>
          <ToolbarItem>
            <Button variant="secondary" onClick={() => void selectAll(false)} isDisabled={bulkBusy}>
              {t('Select all matching the filter')}
            </Button>
          </ToolbarItem>
          <ToolbarItem>
            <Button variant="link" onClick={() => onChange([])} isDisabled={selected.length === 0}>
              {t('Clear selection')}
            </Button>
          </ToolbarItem>
        </ToolbarContent>
      </Toolbar>
      <Flex alignItems={{ default: 'alignItemsCenter' }}>
        <FlexItem>
          <Label color={selected.length > MAX_CLUSTERS ? 'red' : 'blue'} data-test="selected-count">
            {t('{{count}} selected', { count: selected.length })}
          </Label>
        </FlexItem>
        <FlexItem>
          <Switch
            id="selected-only"
            label={t('Show selected only')}
            isChecked={selectedOnly}
            onChange={(_e, v) => setSelectedOnly(v)}
          />
        </FlexItem>
      </Flex>
      {selected.length > MAX_CLUSTERS && (
        <p>{t('A migration plan takes at most {{max}} clusters.', { max: MAX_CLUSTERS })}</p>
      )}
      {bulkError && <ApiErrorAlert error={bulkError} action={t('select the clusters')} />}
      {list.error && (
        <ApiErrorAlert
          error={list.error}
          action={t('load the clusters of {{hub}}', { hub: from })}
          onRetry={list.reload}
        />
      )}
      {selectedOnly ? (
        <LabelGroup numLabels={50} categoryName={t('Selected')} isClosable={false}>
          {selected.map((n) => (
            <Label
              key={n}
              onClose={() => setMany([n], false)}
              closeBtnAriaLabel={t('Remove {{name}}', { name: n })}
            >
              {n}
            </Label>
          ))}
        </LabelGroup>
      ) : (
        <>
          <Table
            aria-label={t('Clusters on {{hub}}', { hub: from })}
            variant="compact"
            isStickyHeader
          >
            <Thead>
              <Tr>
                <Th aria-label={t('Selection')}>
                  <Checkbox
                    id="select-page"
                    aria-label={t('Select every cluster on this page')}
                    isChecked={pageAllSelected}
                    onChange={(_e, on) =>
                      setMany(
                        selectable.map((c) => c.name),
                        on,
                      )
                    }
                  />
                </Th>
                <Th>{t('Name')}</Th>
                <Th>{t('Status')}</Th>
                <Th>{t('Cluster set')}</Th>
                <Th>{t('Labels')}</Th>
                <Th>{t('ZTP')}</Th>
              </Tr>
            </Thead>
            <Tbody>
              {items.map((c) => {
                const reason = blocked(c);
                return (
                  <Tr key={c.name}>
                    <Td>
                      <Checkbox
                        id={`select-${c.name}`}
                        aria-label={t('Select {{name}}', { name: c.name })}
                        isChecked={chosen.has(c.name)}
                        isDisabled={!!reason}
                        onChange={(_e, on) => setMany([c.name], on)}
                      />
                    </Td>
                    <Td dataLabel={t('Name')}>
                      {c.name}
                      {reason && <div>{reason}</div>}
                    </Td>
                    <Td dataLabel={t('Status')}>
                      <Label
                        isCompact
                        status={
                          c.available === 'True'
                            ? 'success'
                            : c.available === 'False'
                              ? 'danger'
                              : 'warning'
                        }
                      >
                        {c.available === 'True'
                          ? t('Available')
                          : c.available === 'False'
                            ? t('Not available')
                            : t('Unknown')}
                      </Label>
                      {c.provisioning && <div>{t('Still provisioning')}</div>}
                    </Td>
                    <Td dataLabel={t('Cluster set')}>{c.clusterSet ?? '—'}</Td>
                    <Td dataLabel={t('Labels')}>
                      <LabelGroup numLabels={3}>
                        {Object.entries(c.labels).map(([k, v]) => (
                          <Label key={k} isCompact variant="outline">{`${k}=${v}`}</Label>
                        ))}
                      </LabelGroup>
                    </Td>
                    <Td dataLabel={t('ZTP')}>{c.ztp ? t('Yes') : t('No')}</Td>
                  </Tr>
                );
              })}
            </Tbody>
          </Table>
          <Pagination
            itemCount={list.data?.total ?? 0}
            perPage={PER_PAGE}
            page={page}
            onSetPage={(_e, p) => setPage(p)}
            perPageOptions={[{ title: String(PER_PAGE), value: PER_PAGE }]}
            variant="bottom"
            titles={{ paginationAriaLabel: t('Pages of clusters on {{hub}}', { hub: from }) }}
          />
        </>
      )}
    </>
  );
};
