import {
  Alert,
  Bullseye,
  Button,
  Flex,
  FlexItem,
  Form,
  FormGroup,
  FormSelect,
  FormSelectOption,
  Modal,
  ModalBody,
  ModalHeader,
  Radio,
  SearchInput,
  Spinner,
  TextInput,
  Title,
} from '@patternfly/react-core';
import { MinusCircleIcon, PlusCircleIcon } from '@patternfly/react-icons';
import { useEffect, useState } from 'react';
import type { ApiFailure } from '../api/client';
import { api, toApiFailure } from '../api/client';
import type {
  LabelSelectorRequirement,
  PlacementPreview,
  PlacementPreviewRequest,
} from '../api/types';
import { ApiErrorAlert } from '../components/ApiErrorAlert';
import { useApi } from '../hooks/useApi';
import { useHubTranslation } from '../i18n';

type Props = {
  from: string;
  placement?: string;
  onUsePlacement: (name: string) => void;
  onUseList: (names: string[]) => void;
};

type Row = { key: string; operator: LabelSelectorRequirement['operator']; values: string };

const complete = (r: Row) =>
  !!r.key.trim() && (r.operator === 'Exists' || r.operator === 'DoesNotExist' || !!r.values.trim());

export const previewRequest = (
  sets: string,
  rows: Row[],
  count: string,
): PlacementPreviewRequest => ({
  clusterSets: sets.split(/[\s,]+/).filter(Boolean),
  labelSelector: {
    matchExpressions: rows.filter(complete).map((r) => ({
      key: r.key.trim(),
      operator: r.operator,
      values:
        r.operator === 'In' || r.operator === 'NotIn'
          ? r.values.split(/[\s,]+/).filter(Boolean)
          : undefined,
    })),
  },
  numberOfClusters: count ? Number(count) : undefined,
});

const NamesModal = ({ preview, onClose }: { preview: PlacementPreview; onClose: () => void }) => {
  const { t } = useHubTranslation();
  const [search, setSearch] = useState('');
  const filter = (names: string[]) => names.filter((n) => n.includes(search));
  return (
    <Modal isOpen variant="medium" onClose={onClose} aria-labelledby="matched-title">
      <ModalHeader labelId="matched-title" title={t('Clusters the selector matches')} />
      <ModalBody>
        <SearchInput
          aria-label={t('Search the clusters')}
          value={search}
          onChange={(_e, v) => setSearch(v)}
          onClear={() => setSearch('')}
        />
        <Title headingLevel="h3" size="md">
          {t('Matched ({{count}})', { count: preview.matched })}
        </Title>
        <p data-test="matched-names">{filter(preview.matchedNames).join(', ') || '—'}</p>
        <Title headingLevel="h3" size="md">
          {t('Not matched ({{count}})', { count: preview.total - preview.matched })}
        </Title>
        <p data-test="not-matched-names">{filter(preview.notMatchedNames).join(', ') || '—'}</p>
      </ModalBody>
    </Modal>
  );
};

/** Pick an existing Placement on the source hub, or build a selector with a live match count. */
export const PlacementTab = ({ from, placement, onUsePlacement, onUseList }: Props) => {
  const { t } = useHubTranslation();
  const [mode, setMode] = useState<'existing' | 'build'>('existing');
  const placements = useApi(mode === 'existing' ? `placements/${from}` : undefined, (signal) =>
    api.placements(from, { signal }).then((r) => r.items),
  );
  const [sets, setSets] = useState('');
  const [rows, setRows] = useState<Row[]>([{ key: '', operator: 'In', values: '' }]);
  const [count, setCount] = useState('');
  const [preview, setPreview] = useState<PlacementPreview>();
  const [previewError, setPreviewError] = useState<ApiFailure>();
  const [previewing, setPreviewing] = useState(false);
  const [showNames, setShowNames] = useState(false);
  const request = JSON.stringify(previewRequest(sets, rows, count));
  const incomplete = rows.some((r) => (r.key || r.values) && !complete(r));

  // Live "matches N of M", 500 ms after the last change; stale answers are dropped.
  useEffect(() => {
    if (mode !== 'build' || incomplete) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      setPreviewing(true);
      api
        .placementPreview(from, JSON.parse(request) as PlacementPreviewRequest, {
          signal: controller.signal,
        })
        .then(
          (p) => {
            setPreview(p);
            setPreviewError(undefined);
          },
          async (err: unknown) => {
            if (!controller.signal.aborted) setPreviewError(await toApiFailure(err));
          },
        )
        .finally(() => {
          if (!controller.signal.aborted) setPreviewing(false);
        });
    }, 500);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [mode, request, incomplete, from]);

  const setRow = (i: number, change: Partial<Row>) =>
    setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...change } : r)));

  return (
    <Form>
      <FormGroup role="radiogroup" fieldId="placement-mode" label={t('Placement')} isInline>
        <Radio
          id="placement-existing"
          name="placement-mode"
          label={t('Use an existing Placement on {{hub}}', { hub: from })}
          isChecked={mode === 'existing'}
          onChange={() => setMode('existing')}
        />
        <Radio
          id="placement-build"
          name="placement-mode"
          label={t('Build a selector')}
          isChecked={mode === 'build'}
          onChange={() => setMode('build')}
        />
      </FormGroup>
      {mode === 'existing' && (
        <>
          {placements.loading && <Spinner size="md" aria-label={t('Loading Placements')} />}
          {placements.error && (
            <ApiErrorAlert
              error={placements.error}
              action={t('load the Placements')}
              onRetry={placements.reload}
            />
          )}
          {placements.data?.length === 0 && (
            <p>{t('There is no Placement on {{hub}}.', { hub: from })}</p>
          )}
          {placements.data?.map((p) => (
            <Radio
              key={`${p.namespace}/${p.name}`}
              id={`placement-${p.namespace}-${p.name}`}
              name="placement"
              label={t('{{name}} ({{namespace}}) — decides {{count}} clusters', {
                name: p.name,
                namespace: p.namespace,
                count: p.decided,
              })}
              description={p.description}
              isChecked={placement === p.name}
              onChange={() => onUsePlacement(p.name)}
            />
          ))}
        </>
      )}
      {mode === 'build' && (
        <>
          <FormGroup
            label={t('Cluster sets (comma separated, empty: all)')}
            fieldId="selector-sets"
          >
            <TextInput id="selector-sets" value={sets} onChange={(_e, v) => setSets(v)} />
          </FormGroup>
          {rows.map((r, i) => (
            <Flex key={i} alignItems={{ default: 'alignItemsFlexEnd' }}>
              <FlexItem>
                <FormGroup label={t('Label')} fieldId={`expr-key-${i}`}>
                  <TextInput
                    id={`expr-key-${i}`}
                    value={r.key}
                    onChange={(_e, v) => setRow(i, { key: v })}
                  />
                </FormGroup>
              </FlexItem>
              <FlexItem>
                <FormGroup label={t('Operator')} fieldId={`expr-op-${i}`}>
                  <FormSelect
                    id={`expr-op-${i}`}
                    value={r.operator}
                    onChange={(_e, v) => setRow(i, { operator: v as Row['operator'] })}
                  >
                    <FormSelectOption value="In" label={t('equals any of')} />
                    <FormSelectOption value="NotIn" label={t('does not equal any of')} />
                    <FormSelectOption value="Exists" label={t('exists')} />
                    <FormSelectOption value="DoesNotExist" label={t('does not exist')} />
                  </FormSelect>
                </FormGroup>
              </FlexItem>
              {(r.operator === 'In' || r.operator === 'NotIn') && (
                <FlexItem>
                  <FormGroup label={t('Values (comma separated)')} fieldId={`expr-values-${i}`}>
                    <TextInput
                      id={`expr-values-${i}`}
                      value={r.values}
                      onChange={(_e, v) => setRow(i, { values: v })}
                    />
                  </FormGroup>
                </FlexItem>
              )}
              <FlexItem>
                <Button
                  variant="plain"
                  aria-label={t('Remove label expression {{n}}', { n: i + 1 })}
                  icon={<MinusCircleIcon />}
                  onClick={() =>
                    setRows((rs) =>
                      rs.length > 1
                        ? rs.filter((_, j) => j !== i)
                        : [{ key: '', operator: 'In', values: '' }],
                    )
                  }
                />
              </FlexItem>
            </Flex>
          ))}
          <div>
            <Button
              variant="link"
              icon={<PlusCircleIcon />}
              onClick={() => setRows((rs) => [...rs, { key: '', operator: 'In', values: '' }])}
            >
              {t('Add a label expression')}
            </Button>
          </div>
          <FormGroup
            label={t('Number of clusters (empty: all that match)')}
            fieldId="selector-count"
          >
            <TextInput
              id="selector-count"
              type="number"
              min={1}
              value={count}
              onChange={(_e, v) => setCount(v)}
            />
          </FormGroup>
          {incomplete && <p>{t('Finish the label expression to see what it matches.')}</p>}
          {previewing && !preview && (
            <Bullseye>
              <Spinner size="md" aria-label={t('Counting matching clusters')} />
            </Bullseye>
          )}
          {previewError && (
            <ApiErrorAlert error={previewError} action={t('count the matching clusters')} />
          )}
          {preview && (
            <Alert
              isInline
              variant={
                preview.warning || preview.matched === 0 || preview.matched === preview.total
                  ? 'warning'
                  : 'info'
              }
              title={t('Matches {{matched}} of {{total}} clusters', {
                matched: preview.matched,
                total: preview.total,
              })}
              data-test="selector-preview"
            >
              {preview.warning && <p>{preview.warning}</p>}
              <Flex>
                <FlexItem>
                  <Button variant="link" isInline onClick={() => setShowNames(true)}>
                    {t('Show matched and not matched clusters')}
                  </Button>
                </FlexItem>
                <FlexItem>
                  <Button
                    variant="secondary"
                    isDisabled={
                      preview.matched === 0 || preview.matchedNames.length < preview.matched
                    }
                    onClick={() => onUseList(preview.matchedNames)}
                  >
                    {t('Use these {{count}} clusters', { count: preview.matched })}
                  </Button>
                </FlexItem>
              </Flex>
              {preview.matchedNames.length < preview.matched && (
                <p>
                  {t('Narrow the selector: only the first 1,000 matched names are known here.')}
                </p>
              )}
            </Alert>
          )}
          {showNames && preview && (
            <NamesModal preview={preview} onClose={() => setShowNames(false)} />
          )}
        </>
      )}
    </Form>
  );
};
